"""The app's own JavaScript and CSS as served: comments, indentation and blank lines dropped.

Why: the sources carry their types and reasons as comments (JSDoc is how tsc checks the page), and
that is a third of what a phone would download for the staff screens' 50 KB budget. There is no
build step, so the server strips them when it first serves a file (cached by the file's size and
modification time). Line breaks stay where they are, so JavaScript's automatic semicolons read the
code exactly as written; strings, template literals (their indentation is content) and regular
expression literals are copied untouched. tests/test_minify.py checks the result of every file
with node."""

import re

# After these, a `/` starts a regular expression; after anything else (a name, a number, `)`,
# `]`) it divides.
_REGEX_AFTER_CHARS = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_AFTER_WORDS = frozenset(
    {
        *("return", "typeof", "case", "do", "else", "in", "of", "new", "delete"),
        *("void", "throw", "instanceof", "yield", "await"),
    }
)
_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def javascript(source: str) -> str:
    out: list[str] = []
    i, n = 0, len(source)
    # For each template literal whose `${` is open: the brace depth at which it resumes.
    templates: list[int] = []
    depth = 0
    line_start = True
    last = ""  # the last significant text copied (a character or a word)

    def newline() -> None:
        while out and out[-1] in (" ", "\t"):
            out.pop()
        if out and out[-1] != "\n":
            out.append("\n")

    def copy_template(start: int) -> int:
        """Copies template text from `start` to its closing backtick (returns the index after it)
        or to a `${` (pushes the resume depth, returns the index after the brace)."""
        j = start
        while j < n:
            c = source[j]
            if c == "\\":
                j += 2
                continue
            if c == "`":
                out.append(source[start : j + 1])
                return j + 1
            if c == "$" and source.startswith("${", j):
                out.append(source[start : j + 2])
                templates.append(depth)
                return j + 2
            j += 1
        raise ValueError("unterminated template literal")

    while i < n:
        c = source[i]
        if c == "\n":
            newline()
            line_start = True
            i += 1
            continue
        if c in " \t\r":
            if not line_start and out and out[-1] not in (" ", "\n"):
                out.append(" ")
            i += 1
            continue
        line_start = False
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise ValueError("unterminated comment")
            # A comment with a line break in it ends a line, as far as semicolons go.
            if "\n" in source[i:end]:
                newline()
                line_start = True
            i = end + 2
            continue
        if c in "'\"":
            j = i + 1
            while source[j] != c:
                if source[j] == "\n":
                    raise ValueError("unterminated string")
                j += 2 if source[j] == "\\" else 1
            out.append(source[i : j + 1])
            last, i = c, j + 1
            continue
        if c == "`":
            out.append("`")
            i = copy_template(i + 1)
            last = "`"
            continue
        if c == "}" and templates and templates[-1] == depth:
            templates.pop()
            out.append("}")
            i = copy_template(i + 1)
            last = "`"
            continue
        if c == "/" and (last == "" or last in _REGEX_AFTER_CHARS or last in _REGEX_AFTER_WORDS):
            j, in_class = i + 1, False
            while True:
                d = source[j]
                if d == "\n":
                    raise ValueError("unterminated regular expression")
                if d == "\\":
                    j += 2
                    continue
                if d == "[":
                    in_class = True
                elif d == "]":
                    in_class = False
                elif d == "/" and not in_class:
                    break
                j += 1
            j += 1
            while j < n and (source[j].isalnum()):
                j += 1  # flags
            out.append(source[i:j])
            last, i = "/", j
            continue
        word = _WORD.match(source, i)
        if word:
            out.append(word.group())
            last, i = word.group(), word.end()
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        out.append(c)
        last = c
        i += 1
    newline()
    return "".join(out)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_INDENT = re.compile(r"^[ \t]+|[ \t]+$", re.M)
_BLANK_LINES = re.compile(r"\n{2,}")


def css(source: str) -> str:
    """Our style sheets have no `/*` inside strings or URLs, so a comment is all `/* … */`."""
    text = _CSS_INDENT.sub("", _CSS_COMMENT.sub("", source))
    return _BLANK_LINES.sub("\n", text).strip() + "\n"
