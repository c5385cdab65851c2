"""What every log line carries: the request's id, and no secrets from paths.

Installed once per process (`install`) as a log record factory, so it applies to every logger —
uvicorn's access and error logs as much as ours — whatever handlers the launcher configured. A
record made while a request is handled gets `record.request_id` (the request's `X-Request-ID`
response header), which both line formats of backend/logformat.py show.

Secrets in paths (invite codes today) are replaced by `…` before a record is formatted. Each kind
of secret path is one pattern in SECRET_PATHS: a new one (a calendar feed's secret, say) is one
line there."""

import logging
import re
from contextvars import ContextVar
from typing import Any

# Group 1 is kept, group 2 (the secret) is replaced.
SECRET_PATHS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(/join/)([^/?#\s\"']+)"),
    re.compile(r"(/api/v1/invites/)([^/?#\s\"']+)"),
    re.compile(r"(/api/v1/teams/[^/]+/invites/)([^/?#\s\"']+)"),
    re.compile(r"(/api/v1/calendar/)([^/?#\s\"']+?)(?=\.ics\b|[/?#\s\"']|$)"),
)
REDACTED = "…"

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def redact(text: str) -> str:
    """`text` with every secret path segment replaced by `…`."""
    if "/" not in text:
        return text
    for pattern in SECRET_PATHS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def _redacted_arg(value: Any) -> Any:
    # Numbers stay numbers (a "%d" needs one); anything else that prints a secret (a URL object,
    # say) is replaced by its redacted text.
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)
    redacted = redact(text)
    return value if redacted == text else redacted


_installed = False


def install() -> None:
    """Makes every log record of this process carry the request id and no path secrets."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        current = request_id.get()
        if current is not None:  # unset outside a request, so `extra={"request_id": …}` works
            record.request_id = current
        # The message and each of its arguments are redacted apart, so an access line keeps its
        # arguments (the JSON format shows them as fields).
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(a) for a in record.args)
        return record

    logging.setLogRecordFactory(factory)
