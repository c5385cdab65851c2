"""How log lines look: one JSON object per line in production (for a log collector), readable
text in development. A record made while a request is handled carries that request's id as
`record.request_id` (set where request ids are given out); both formats show it."""

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

# uvicorn's access record: args = (client address, method, path, HTTP version, status code).
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            line["request_id"] = rid
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(zip(_ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{text}  [{rid}]" if rid else text


def config(*, json_lines: bool) -> dict[str, Any]:
    """A logging.config.dictConfig for the app, uvicorn and its access lines (also what
    `uvicorn.run(log_config=...)` takes): the app's and uvicorn's messages on stderr, one access
    line per request on stdout, as uvicorn does by default. Plain data, so it can be written to a
    JSON file for `uvicorn --log-config`."""
    formatter = "json" if json_lines else "text"

    def handler(stream: str) -> dict[str, Any]:
        return {
            "class": "logging.StreamHandler",
            "stream": stream,
            "formatter": formatter,
        }

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "backend.logformat.JsonFormatter"},
            "text": {"()": "backend.logformat.TextFormatter"},
        },
        "handlers": {
            "default": handler("ext://sys.stderr"),
            "access": handler("ext://sys.stdout"),
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "INFO"},
    }


def configure(*, json_lines: bool) -> None:
    """Sets up logging for a command that runs without uvicorn (e.g. a worker)."""
    logging.config.dictConfig(config(json_lines=json_lines))
