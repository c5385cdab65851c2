"""User text, one set of rules for every field: valid Unicode (no lone surrogates, no bytes that
are not UTF-8), trimmed, length-limited after trimming, and free of control characters (none is
meant as text, and PostgreSQL refuses NUL in a text column).

Valid Unicode is checked for every string of every request before any route sees it (JSON bodies,
forms, query strings and paths: backend/http.py applies `is_unicode_text` and `decode_utf8`), so no
field can forget it; the rest is per field.

Each schema module builds its fields from these, e.g.
`Annotated[str, AfterValidator(one_line), AfterValidator(length(1, 120)), limits(1, 120)]`."""

import re
from collections.abc import Callable

from pydantic import Field

_WHITESPACE_RUN = re.compile(r"\s+")


NOT_UNICODE = "must be valid Unicode text (a lone surrogate or bytes that are not UTF-8)"


def is_unicode_text(value: str) -> bool:
    """True when `value` is made of Unicode scalar values only. JSON's "\\ud800" escape decodes
    to a lone surrogate, which no database or encoder can store or send."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_utf8(raw: bytes) -> str:
    """`raw` as text; ValueError when it is not UTF-8 (encoded surrogates are refused too)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(NOT_UNICODE) from None


# Unicode's control characters (category Cc) are exactly these; searched for by a regular
# expression (per allowed set), not character by character: a 64 KiB text takes microseconds.
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_find_control: dict[str, re.Pattern[str]] = {}


def no_control_characters(value: str, allowed: str = "") -> str:
    pattern = _find_control.get(allowed)
    if pattern is None:
        chars = "".join(re.escape(chr(c)) for c in _CONTROL_CODES if chr(c) not in allowed)
        pattern = _find_control[allowed] = re.compile(f"[{chars}]")
    if pattern.search(value):
        raise ValueError("must not contain control characters")
    return value


def one_line(value: str) -> str:
    """Names and titles are one line: any run of whitespace (a pasted line break too) becomes one
    space."""
    return no_control_characters(_WHITESPACE_RUN.sub(" ", value).strip())


def multi_line(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return no_control_characters(value, allowed="\n\t")


def length(min_length: int, max_length: int) -> Callable[[str], str]:
    # Checked after trimming, so "   " is empty and surrounding spaces do not count.
    def check(value: str) -> str:
        if len(value) < min_length:
            raise ValueError("must not be empty")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return check


# What the OpenAPI document shows of these rules, as JSON Schema patterns (ECMA-262 and Python
# alike): no control characters (tab and line breaks allowed in multi-line text), and something
# other than whitespace when the text may not be empty. A little stricter than the rules (one-line
# fields also take a pasted line break, and fold it), never more lenient.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_CONTROL_MULTI_LINE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"


def _pattern(control: str, *, required: bool) -> str:
    if not required:
        return f"^[^{control}]*$"
    return f"^[^{control}]*[^\\s{control}][^{control}]*$"


def limits(min_length: int, max_length: int, *, lines: str = "one") -> object:
    """The limits as OpenAPI shows them (enforced by `length`, after trimming, and by the
    character rules above); `lines="many"` for multi-line text."""
    control = _CONTROL_MULTI_LINE if lines == "many" else _CONTROL
    return Field(
        json_schema_extra={
            "minLength": min_length,
            "maxLength": max_length,
            "pattern": _pattern(control, required=min_length > 0),
        }
    )


def empty_is_none(value: str | None) -> str | None:
    return value or None
