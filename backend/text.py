"""User text, one set of rules for every field: valid Unicode (no lone surrogates, no bytes that
are not UTF-8), trimmed, length-limited after trimming, and free of control characters (none is
meant as text, and PostgreSQL refuses NUL in a text column).

Valid Unicode is checked for every string of every request before any route sees it (JSON bodies,
forms, query strings and paths: backend/http.py applies `is_unicode_text` and `decode_utf8`), so no
field can forget it; the rest is per field.

Each schema module builds its fields from these, e.g.
`Annotated[str, AfterValidator(one_line), AfterValidator(length(1, 120)), limits(1, 120)]`."""

import re
import unicodedata
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


def no_control_characters(value: str, allowed: str = "") -> str:
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
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


def limits(min_length: int, max_length: int) -> object:
    """The limits as OpenAPI shows them (enforced by `length`, after trimming)."""
    return Field(json_schema_extra={"minLength": min_length, "maxLength": max_length})


def empty_is_none(value: str | None) -> str | None:
    return value or None
