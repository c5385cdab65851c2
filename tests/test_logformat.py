"""How log lines look: JSON in production, text in development, with the request id of the
request a line belongs to."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from backend import logformat
from backend.config import Settings


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream, handler
    logger.removeHandler(handler)


class TestJsonLines:
    def test_one_object_per_line_with_time_level_logger_and_message(
        self, captured: tuple[logging.Logger, io.StringIO, logging.Handler]
    ) -> None:
        logger, stream, handler = captured
        handler.setFormatter(logformat.JsonFormatter())
        logger.warning("Batch of %d failed", 3)
        line = json.loads(stream.getvalue())
        assert line["level"] == "warning" and line["logger"] == "tests.logs"
        assert line["message"] == "Batch of 3 failed"
        assert line["time"].endswith("+00:00")
        assert "request_id" not in line  # outside a request

    def test_the_request_id_of_the_request_being_handled(
        self, captured: tuple[logging.Logger, io.StringIO, logging.Handler]
    ) -> None:
        logger, stream, handler = captured
        handler.setFormatter(logformat.JsonFormatter())
        logger.info("inside", extra={"request_id": "3f2a9c"})
        logger.info("outside")
        inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
        assert inside["request_id"] == "3f2a9c"
        assert "request_id" not in outside

    def test_an_access_line_carries_its_fields(
        self, captured: tuple[logging.Logger, io.StringIO, logging.Handler]
    ) -> None:
        _, stream, handler = captured
        handler.setFormatter(logformat.JsonFormatter())
        access = logging.getLogger("uvicorn.access")
        access.addHandler(handler)
        level, access.level = access.level, logging.INFO
        try:
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/healthz", "1.1", 200)
        finally:
            access.removeHandler(handler)
            access.setLevel(level)
        line = json.loads(stream.getvalue())
        assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200

    def test_an_exception_is_in_the_same_line(
        self, captured: tuple[logging.Logger, io.StringIO, logging.Handler]
    ) -> None:
        logger, stream, handler = captured
        handler.setFormatter(logformat.JsonFormatter())
        try:
            raise ValueError("æøå")
        except ValueError:
            logger.exception("failed")
        lines = stream.getvalue().splitlines()
        assert len(lines) == 1
        assert "ValueError: æøå" in json.loads(lines[0])["exception"]


class TestText:
    def test_readable_with_the_request_id_at_the_end(
        self, captured: tuple[logging.Logger, io.StringIO, logging.Handler]
    ) -> None:
        logger, stream, handler = captured
        handler.setFormatter(logformat.TextFormatter())
        logger.info("Hej", extra={"request_id": "3f2a9c"})
        assert stream.getvalue().rstrip().endswith("tests.logs: Hej  [3f2a9c]")


class TestWhichFormat:
    def test_json_in_production_text_elsewhere_unless_chosen(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        secret = {"secret_key": "a-long-random-secret-from-the-environment"}
        assert Settings(env="production", **secret).json_logs
        assert not Settings(env="development").json_logs
        assert not Settings(env="production", log_format="text", **secret).json_logs
        assert Settings(env="development", log_format="json").json_logs

    def test_the_config_is_accepted_by_logging(self) -> None:
        names = ["", "uvicorn", "uvicorn.error", "uvicorn.access"]
        saved = [
            (lg, lg.handlers[:], lg.level, lg.propagate) for lg in map(logging.getLogger, names)
        ]
        try:
            for json_lines in (True, False):
                # What uvicorn.run(log_config=...) does with it.
                logging.config.dictConfig(logformat.config(json_lines=json_lines))
                assert logging.getLogger("uvicorn.access").handlers
        finally:
            for logger, handlers, level, propagate in saved:
                logger.handlers[:] = handlers
                logger.setLevel(level)
                logger.propagate = propagate
