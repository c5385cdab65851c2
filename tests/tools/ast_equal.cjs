// The same program? Usage: node ast_equal.cjs TYPESCRIPT_DIR A B [A B ...]: parses each pair with
// TypeScript (installed for tsc) and exits 1 naming each pair whose syntax trees differ.
const ts = require(process.argv[2]);
function shape(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const out = [];
  const walk = (node) => {
    out.push(ts.SyntaxKind[node.kind]);
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralExpression(node) ||
        ts.isTemplateLiteralLike?.(node) || node.kind === ts.SyntaxKind.TemplateHead ||
        node.kind === ts.SyntaxKind.TemplateMiddle || node.kind === ts.SyntaxKind.TemplateTail) {
      out.push(JSON.stringify(node.rawText ?? node.text));
    }
    ts.forEachChild(node, walk);
  };
  walk(source);
  return { out, errors: source.parseDiagnostics.length };
}
const fs = require('fs');
let failed = 0;
for (let i = 3; i < process.argv.length; i += 2) {
  const [a, b] = [process.argv[i], process.argv[i + 1]];
  const sa = shape(a, fs.readFileSync(a, 'utf8'));
  const sb = shape(b, fs.readFileSync(b, 'utf8'));
  const same = sa.errors === 0 && sb.errors === 0 && sa.out.length === sb.out.length && sa.out.every((x, k) => x === sb.out[k]);
  if (!same) {
    failed += 1;
    const k = sa.out.findIndex((x, k) => x !== sb.out[k]);
    console.log(`${a}: differs at node ${k}: ${sa.out.slice(k, k + 4)} / ${sb.out.slice(k, k + 4)} (parse errors ${sa.errors}/${sb.errors})`);
  }
}
process.exit(failed ? 1 : 0);
