"""What the server makes of the app's own JavaScript and CSS (backend/minify.py): the same
program without its comments, checked file by file by parsing both with TypeScript."""

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import minify
from backend.config import settings

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
CHECK = ROOT / "tests" / "tools" / "ast_equal.cjs"
TYPESCRIPT = ROOT / "node_modules" / "typescript"


def _same_programs(pairs: list[tuple[Path, Path]]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is installed with npm (make install)"
    args = [str(p) for pair in pairs for p in pair]
    return subprocess.run(
        [node, str(CHECK), str(TYPESCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_every_script_is_the_same_program_without_comments(tmp_path: Path) -> None:
    pairs = []
    for source in sorted(FRONTEND.rglob("*.js")):
        text = source.read_text()
        served = minify.javascript(text)
        out = tmp_path / source.relative_to(FRONTEND).as_posix().replace("/", "__")
        out.write_text(served)
        pairs.append((source, out))
    assert len(pairs) > 20
    result = _same_programs(pairs)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_sees_a_changed_program(tmp_path: Path) -> None:
    original = tmp_path / "a.js"
    original.write_text("const a = 1\nlet c = a\n/2/g.test(`x ${a} y`)\n")
    joined = tmp_path / "b.js"  # one line break fewer: a division becomes a regex call
    joined.write_text("const a = 1\nlet c = a;/2/g.test(`x ${a} y`)\n")
    assert _same_programs([(original, joined)]).returncode == 1
    assert _same_programs([(original, original)]).returncode == 0


@pytest.mark.parametrize(
    ("source", "served"),
    [
        ("// why\nconst a = 1; // and why\n", "const a = 1;\n"),
        ("  /** @type {number} */\n  let n = (2);\n\n\n  n++\n", "let n = (2);\nn++\n"),
        ("const url = 'http://x/*y*/'; // no comment inside a string\n", "const url = 'http://x/*y*/';\n"),
        ("const re = /\\/\\/[/]*/g; const half = 4 / 2 / 1;\n",
         "const re = /\\/\\/[/]*/g; const half = 4 / 2 / 1;\n"),
        ("const css = `\n  a { color: red; } /* kept */\n  ${f({ b: `//${x}` })}\n`;\n",
         "const css = `\n  a { color: red; } /* kept */\n  ${f({ b: `//${x}` })}\n`;\n"),
        ("a = b /* one */ + c\nreturn /x/.test(y)\n", "a = b + c\nreturn /x/.test(y)\n"),
        ("x = 1 /*\n*/ y = 2\n", "x = 1\ny = 2\n"),  # a comment with a line break ends the line
    ],
)  # fmt: skip
def test_what_is_dropped_and_what_is_kept(source: str, served: str) -> None:
    assert minify.javascript(source) == served


def test_css_without_comments_and_indentation() -> None:
    source = "/* colours */\n:root {\n  --ink: #222; /* text */\n}\n\n\na { color: var(--ink); }\n"
    assert minify.css(source) == ":root {\n--ink: #222;\n}\na { color: var(--ink); }\n"


def test_the_staff_screens_are_served_smaller_and_revalidate(client: TestClient) -> None:
    path = "js/views/today.js"
    source = (settings.frontend_dir / path).read_bytes()
    response = client.get(f"/{path}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(response.content)) < 0.8 * len(gzip.compress(source))
    etag = response.headers["etag"]
    again = client.get(f"/{path}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    worker = client.get("/sw.js").text  # the worker too, with its version stamped in
    assert re.search(r"^const VERSION = '[^']*\+[0-9a-f]{12}';$", worker, re.M)
    assert len(worker) < 0.8 * len((settings.frontend_dir / "sw.js").read_text())
