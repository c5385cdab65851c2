"""The group-commit writer: many requests per transaction, faults isolated, answers after commit."""

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from backend.checkins.writer import BatchWriter
from backend.errors import DatabaseUnavailable


class Handler:
    """Stands in for service.record_checkins; records the batches it was given."""

    def __init__(self, fail_first_calls: int = 0) -> None:
        self.batches: list[list[Any]] = []
        self.fail_first_calls = fail_first_calls

    def __call__(self, connection: Connection, requests: Sequence[Any]) -> list[Any]:
        self.batches.append(list(requests))
        if len(self.batches) <= self.fail_first_calls:
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        if "poison" in requests:
            raise ValueError("a request the database refused")
        return [f"stored {r}" for r in requests]


def record_all(writer: BatchWriter, requests: list[Any]) -> list[Any]:
    async def run() -> list[Any]:
        return await asyncio.gather(*(writer.record(r) for r in requests), return_exceptions=True)

    try:
        return asyncio.run(run())
    finally:
        writer.close()


class TestBatchWriter:
    def test_requests_of_one_loop_iteration_share_one_transaction(self, engine: Engine) -> None:
        handler = Handler()
        outcomes = record_all(BatchWriter(engine, handler), ["a", "b", "c"])
        assert outcomes == ["stored a", "stored b", "stored c"]
        assert handler.batches == [["a", "b", "c"]]

    def test_a_faulty_request_fails_alone(self, engine: Engine) -> None:
        handler = Handler()
        outcomes = record_all(BatchWriter(engine, handler), ["a", "poison", "c"])
        assert outcomes[0] == "stored a"
        assert isinstance(outcomes[1], ValueError)
        assert outcomes[2] == "stored c"
        assert handler.batches == [["a", "poison", "c"], ["a"], ["poison"], ["c"]]

    @pytest.mark.parametrize(("failures", "stored"), [(1, True), (2, False)])
    def test_a_database_failure_retries_the_batch_once(
        self, engine: Engine, failures: int, stored: bool
    ) -> None:
        handler = Handler(fail_first_calls=failures)
        outcomes = record_all(BatchWriter(engine, handler), ["a", "b"])
        assert handler.batches == [["a", "b"], ["a", "b"]]
        if stored:
            assert outcomes == ["stored a", "stored b"]
        else:
            # Failing twice, the database is unavailable: each request is answered 503.
            assert all(isinstance(o, DatabaseUnavailable) for o in outcomes)
