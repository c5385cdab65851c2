"""What every log line carries: the request's id, and no secrets from paths.

Installed once per process (`install`) as a log record factory, so it applies to every logger —
uvicorn's access and error logs as much as ours — whatever handlers and formats the launcher
configured. A record made while a request is handled gets `record.request_id` and ends in
`request_id=<id>`; the same id is the request's `X-Request-ID` response header.

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
        record.request_id = current
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return record
        message = redact(message)
        if current is not None:
            message = f"{message} request_id={current}"
        record.msg, record.args = message, None
        return record

    logging.setLogRecordFactory(factory)
