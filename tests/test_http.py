"""The HTTP edge (backend/http.py): text that is not Unicode, unexpected errors, body limits, the
request id and forwarded addresses, for every endpoint at once."""

import logging
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend import http
from backend.http import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES, client_address
from backend.main import create_app
from tests.factories import make_member

SURROGATE = "\\ud800"  # as JSON text: the escape of a lone surrogate
BAD_PERCENT = "%ED%A0%80"  # a surrogate's would-be UTF-8 bytes: not UTF-8


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _string_leaves(schema: dict[str, Any], doc: dict[str, Any], depth: int = 0) -> list[list[Any]]:
    """Paths (keys and list indexes) to every string a body schema takes, nested ones included."""
    schema = _resolve(schema, doc)
    if depth > 4:
        return []
    leaves: list[list[Any]] = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        leaves += _string_leaves(option, doc, depth + 1)
    kind = schema.get("type")
    if kind == "string" or ("enum" in schema and kind is None):
        leaves.append([])
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            leaves += [[name, *rest] for rest in _string_leaves(sub, doc, depth + 1)]
    elif kind == "array":
        leaves += [[0, *rest] for rest in _string_leaves(schema.get("items", {}), doc, depth + 1)]
    unique: list[list[Any]] = []
    for leaf in leaves:
        if leaf not in unique:
            unique.append(leaf)
    return unique


def _json_with(path: list[Any], leaf: str) -> str:
    """A JSON text with `leaf` (JSON text) at `path`, e.g. {"solutions": [{"used": "\\ud800"}]}."""
    text = leaf
    for key in reversed(path):
        text = f"[{text}]" if isinstance(key, int) else f'{{"{key}": {text}}}'
    return text


def _concrete(path: str, doc_path: dict[str, Any], doc: dict[str, Any]) -> str:
    params = {p["name"]: p for op in doc_path.values() for p in op.get("parameters", [])}

    def value(match: re.Match[str]) -> str:
        schema = _resolve(params[match.group(1)]["schema"], doc)
        if schema.get("type") == "integer":
            return "1"
        return "2026-11-26" if schema.get("format") == "date" else "K7QM-3XTP-9HWC"

    return re.sub(r"\{(\w+)\}", value, path)


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


@pytest.fixture
def api_doc(client: TestClient) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def _assert_refused_at(response: Any, loc: list[Any]) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "ValidationError"
    assert body["errors"][0]["loc"] == loc
    assert "valid Unicode" in body["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])


class TestTextThatIsNotUnicode:
    def test_a_lone_surrogate_in_any_string_field_of_any_endpoint_is_a_422_naming_it(
        self, client: TestClient, api_doc: dict[str, Any]
    ) -> None:
        # Generated from the OpenAPI document, so an endpoint added later is covered too.
        tried = 0
        for method, path, operation in _operations(api_doc):
            content = operation.get("requestBody", {}).get("content", {})
            url = _concrete(path, api_doc["paths"][path], api_doc)
            if "application/json" in content:
                for leaf in _string_leaves(content["application/json"]["schema"], api_doc):
                    response = client.request(
                        method,
                        url,
                        content=_json_with(leaf, f'"{SURROGATE}"').encode(),
                        headers={"Content-Type": "application/json"},
                    )
                    _assert_refused_at(response, ["body", *leaf])
                    tried += 1
            if "application/x-www-form-urlencoded" in content:
                schema = content["application/x-www-form-urlencoded"]["schema"]
                for name in _resolve(schema, api_doc)["properties"]:
                    response = client.request(
                        method,
                        url,
                        content=f"{name}={BAD_PERCENT}".encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                    _assert_refused_at(response, ["body", name])
                    tried += 1
        assert tried >= 25  # every body of the API, not a handful

    def test_a_query_parameter_or_path_that_is_not_utf8_is_a_422_naming_it(
        self, client: TestClient, api_doc: dict[str, Any]
    ) -> None:
        tried = 0
        for method, path, operation in _operations(api_doc):
            url = _concrete(path, api_doc["paths"][path], api_doc)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    response = client.request(method, f"{url}?{parameter['name']}={BAD_PERCENT}")
                    _assert_refused_at(response, ["query", parameter["name"]])
                    tried += 1
                elif parameter["in"] == "path" and "{code}" in path:
                    bad = path.replace("{code}", BAD_PERCENT)
                    response = client.request(
                        method, _concrete(bad, api_doc["paths"][path], api_doc)
                    )
                    _assert_refused_at(response, ["path"])
                    tried += 1
        assert tried >= 5

    def test_the_check_in_fast_path_refuses_it_too(self, client: TestClient, session: Any) -> None:
        member = make_member(session)
        response = client.put(
            "/api/v1/me/checkins/2026-11-26",
            content=f'{{"calm": 3, "comment": "{SURROGATE}"}}'.encode(),
            headers={**member.headers, "Content-Type": "application/json"},
        )
        _assert_refused_at(response, ["body", "comment"])

    def test_a_lone_surrogate_as_a_key_or_raw_bytes_that_are_not_utf8(
        self, client: TestClient
    ) -> None:
        response = client.post(
            "/api/v1/join",
            content=f'{{"{SURROGATE}": 1}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
        _assert_refused_at(response, ["body", "\\ud800"])
        response = client.post(
            "/api/v1/join",
            content=b'{"code": "\xed\xa0\x80"}',
            headers={"Content-Type": "application/json"},
        )
        _assert_refused_at(response, ["body"])

    def test_a_surrogate_pair_is_an_ordinary_character(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/join",
            content=b'{"code": "\\ud83d\\ude00"}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 404  # a well-formed (unknown) code


@contextmanager
def live(app: FastAPI, *, access_log: bool = False) -> Iterator[int]:
    """`app` served by uvicorn on a free port in this process, until the block ends; its log
    records go to the root logger (pytest's caplog), uvicorn configures no handlers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=access_log
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends one HTTP/1.1 request on `sock` and reads its (Content-Length framed) response."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


class TestUnexpectedErrors:
    @pytest.fixture
    def failing_app(self, engine: Any) -> FastAPI:
        app = create_app()

        @app.get("/api/v1/boom", include_in_schema=False)
        def boom() -> None:
            raise RuntimeError("forced failure for the test")

        app.router.routes.insert(0, app.router.routes.pop())  # before the PWA's catch-all
        return app

    def test_a_json_500_with_headers_and_the_logged_request_id(
        self, failing_app: FastAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR), TestClient(failing_app) as client:
            response = client.get("/api/v1/boom")
        assert response.status_code == 500
        body = response.json()
        request_id = response.headers["x-request-id"]
        assert body == {
            "error": "InternalError",
            "detail": "The server failed to handle this request",
            "request_id": request_id,
        }
        assert response.headers["x-content-type-options"] == "nosniff"
        failures = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(failures) == 1
        assert failures[0].request_id == request_id
        assert failures[0].exc_info is not None
        assert "forced failure for the test" in caplog.text  # the traceback

    def test_the_keep_alive_connection_stays_usable(self, failing_app: FastAPI) -> None:
        with live(failing_app) as port, socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(10)
            status, headers, body = _exchange(sock, b"GET /api/v1/boom HTTP/1.1\r\nHost: t\r\n\r\n")
            assert status == 500
            assert headers["content-type"] == "application/json"
            assert b'"InternalError"' in body
            status, _, body = _exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            assert status == 200, body


class TestBodyLimits:
    def _huge(self, size: int) -> bytes:
        return b'{"code": "' + b"A" * size + b'"}'

    def test_a_body_over_the_limit_is_413_without_being_read(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/join",
            content=self._huge(MAX_BODY_BYTES),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"] == "PayloadTooLarge"
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(
        self, engine: Any
    ) -> None:
        received: list[int] = []
        with live(create_app()) as port, socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(10)
            sock.sendall(
                b"POST /api/v1/join HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"A" * 16384
            status = None
            for _ in range(64):  # 1 MiB offered, 16 KiB at a time
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    received.append(len(chunk))
                except OSError:
                    break
                if select.select([sock], [], [], 0.2)[0]:
                    data = sock.recv(65536)
                    status = int(data.split()[1])
                    assert b"PayloadTooLarge" in data
                    break
        assert status == 413
        assert sum(received) <= MAX_BODY_BYTES + 4 * 16384  # refused soon after the limit

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param(b"{" + b",".join(b'"k%d":0' % i for i in range(6400)) + b"}", id="keys"),
            pytest.param(b"[" * 30000 + b"]" * 30000, id="deep-list"),
            pytest.param(b'{"a":' * 10000 + b"1" + b"}" * 10000, id="deep-object"),
            pytest.param(b"[" + b"0," * 20000 + b"0]", id="long-list"),
        ],
    )
    def test_a_maximal_body_costs_milliseconds_and_says_what_is_wrong(
        self, client: TestClient, session: Any, body: bytes, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(http, "PACED_REFUSAL_SECONDS", 0)  # the pause is the next test's
        assert len(body) <= MAX_BODY_BYTES
        member = make_member(session)
        for url, method in (("/api/v1/join", "POST"), ("/api/v1/me/checkins/2026-11-26", "PUT")):
            started = time.process_time()
            response = client.request(
                method,
                url,
                content=body,
                headers={**member.headers, "Content-Type": "application/json"},
            )
            cpu_ms = (time.process_time() - started) * 1000
            assert response.status_code == 422, response.text
            assert len(response.content) < 4000
            detail = response.json()["detail"]
            assert str(MAX_JSON_VALUES) in detail or str(MAX_JSON_DEPTH) in detail
            # The test client's own work is included; the server's share is a fraction of it.
            assert cpu_ms < 60, f"{url}: {cpu_ms:.1f} ms of CPU"

    def test_a_maximal_body_is_refused_after_a_pause_that_holds_up_no_one_else(
        self, engine: Any, session: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A client sending such bodies back to back gets one answer a second per connection.
        monkeypatch.setattr(http, "PACED_REFUSAL_SECONDS", 0.5)
        member = make_member(session)
        body = b"[" + b"0," * 20000 + b"0]"
        with live(create_app()) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as web:
            answers: list[tuple[float, httpx.Response]] = []

            def abuse() -> None:
                started = time.monotonic()
                response = httpx.put(
                    f"http://127.0.0.1:{port}/api/v1/me/checkins/2026-11-26",
                    content=body,
                    headers={**member.headers, "Content-Type": "application/json"},
                )
                answers.append((time.monotonic() - started, response))

            abuser = threading.Thread(target=abuse)
            abuser.start()
            time.sleep(0.1)  # the body is in, its refusal waits
            started = time.monotonic()
            assert web.get("/healthz").status_code == 200
            assert time.monotonic() - started < 0.3  # answered at once, beside the pause
            abuser.join()
        [(took, refused)] = answers
        assert took >= 0.5
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["type"] == "json_too_large"
        # An ordinary mistake is not paced: a wrong field is told at once.
        with TestClient(create_app()) as client:
            started = time.monotonic()
            response = client.put(
                "/api/v1/me/checkins/2026-11-26", json={"calm": "x"}, headers=member.headers
            )
            assert response.status_code == 422
            assert time.monotonic() - started < 0.5

    def test_a_422_lists_at_most_20_errors_and_counts_the_rest(self, client: TestClient) -> None:
        body = "{" + ",".join(f'"unknown{i}": 1' for i in range(100)) + "}"
        response = client.post(
            "/api/v1/join", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert len(errors) == 20
        assert response.json()["detail"].endswith("and 81 more errors")  # 100 keys + no code


class TestRequestId:
    def test_every_response_has_its_own(self, client: TestClient) -> None:
        ids = {client.get(path).headers["x-request-id"] for path in ("/healthz", "/", "/nope.js")}
        assert len(ids) == 3


class TestClientAddress:
    def _scope(self, peer: str, forwarded: str | None = None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 5000), "headers": headers}

    def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(self) -> None:
        from backend.http import parse_networks

        none: tuple[Any, ...] = ()
        assert client_address(self._scope("203.0.113.9", "6.6.6.6"), none) == "203.0.113.9"
        trusted = parse_networks("10.0.0.0/8")
        assert client_address(self._scope("10.0.0.5", "6.6.6.6, 198.51.100.7"), trusted) == (
            "198.51.100.7"
        )
        assert client_address(self._scope("10.0.0.5", "198.51.100.7, 10.0.0.9"), trusted) == (
            "198.51.100.7"
        )
        assert client_address(self._scope("203.0.113.9", "6.6.6.6"), trusted) == "203.0.113.9"

    def test_an_address_the_server_took_from_the_header_is_not_believed(self) -> None:
        # uvicorn started without options replaces a loopback peer by the header's entry.
        assert client_address(self._scope("6.6.6.6", "6.6.6.6"), ()) == "unverified-proxy"

    def test_uvicorn_run_without_options_is_not_fooled_by_a_spoofed_header(
        self, engine: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        # uvicorn's defaults trust X-Forwarded-For from loopback; the app does not.
        with (
            caplog.at_level(logging.INFO),
            live(create_app(), access_log=True) as port,
            httpx.Client(base_url=f"http://127.0.0.1:{port}") as client,
        ):
            answers = [
                client.post(
                    "/api/v1/join",
                    json={"code": f"AAAA-AAAA-{n:04d}"},
                    headers={"X-Forwarded-For": f"198.51.100.{n}"},
                ).status_code
                for n in range(22)
            ]
        assert answers[:20] == [404] * 20 and answers[21] == 429
        access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
        assert len(access) == 22
        assert not any("198.51.100." in line for line in access)
