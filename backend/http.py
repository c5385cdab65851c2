"""The HTTP edge every request passes: one pure ASGI middleware, `Edge` (BaseHTTPMiddleware would
cost a task per request, and each layer costs on the hot path, so it is one layer with one pass
over the headers), and the exception handlers.

- Context: a request id (`X-Request-ID`, and on every log line), the client's address (forwarded
  headers only from PUX_TRUSTED_PROXIES), the security headers, and a JSON 500 `InternalError` /
  503 `DatabaseUnavailable` for anything that escaped the routes — the connection stays usable.
- Guard: the request-body limit (413 `PayloadTooLarge` before reading further) and the checks no
  field may forget: every string of a JSON body, form, query string and path is valid Unicode
  (backend/text.py), and a JSON body is small in structure as well as in bytes, so that no body
  can keep the event loop busy (validating thousands of unknown keys took seconds).

docs/http.md describes the contract (limits, trusted proxies, error statuses)."""

import asyncio
import gzip
import ipaddress
import json
import logging
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

import pydantic_core
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend import db, logs, security
from backend.errors import (
    AppError,
    InternalError,
    PayloadTooLarge,
    ServerBusy,
    error_response,
    install_error_handlers,
    validation_error_response,
)
from backend.text import NOT_UNICODE, decode_utf8, is_unicode_text

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

# One compression rule for every response: the app's GZip middleware (backend/main.py) applies
# it, and what is kept compressed (insights.cache) is compressed by `gzip_body` with the same
# level. Measured on the JSON sizes served (bench/README.md): level 6 is within 1-11 % of level
# 9's size (JS 0-1 %, a 50-team trend year 10 %) at a quarter of its time on large bodies (a
# 500-team year, 3.4 MB: 9 takes ~4x as long as 6 for 10 % less).
GZIP_MIN_BYTES = 512
GZIP_LEVEL = 6


def gzip_body(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


# The JSON API takes at most 64 KiB per request body; an endpoint that needs more gets its own
# entry in BODY_LIMITS (path prefix → bytes).
MAX_BODY_BYTES = 64 * 1024
BODY_LIMITS: dict[str, int] = {}
# A JSON body holds at most this many values (members and items, nested ones included) nested at
# most this deep. The largest real body, a check-in marking 50 solutions, holds about 160 values.
MAX_JSON_VALUES = 500
MAX_JSON_DEPTH = 32

# Requests that wait for the password-hashing pool (backend/security.py): while the pool has all
# it takes on, they are refused here, before their body is read or a route runs.
HASHING_REQUESTS = frozenset({("POST", API_PREFIX + "/auth/token")})
# A refusal only a flooding client gets — a login while the hashing pool is full, a body over the
# structure limits (no page of ours sends one) — comes after this pause. The pause holds no thread
# and costs no CPU; it holds the connection, so a client sending such requests back to back gets
# one answer a second per connection instead of hundreds, and the event loop stays with everyone
# else (bench/abuse: 20 senders of maximal bodies took the check-in p99 from 58 ms to 737 ms).
PACED_REFUSAL_SECONDS = 1.0
PACED_PROBLEMS = frozenset({"json_too_large", "json_too_deep"})

# Scripts only from our own origin (no inline scripts, no CDNs); /docs needs Swagger's inline boot.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# What the client address is when a server in front (uvicorn's own --proxy-headers, which trusts
# loopback by default) put an X-Forwarded-For entry there although no proxy is trusted here: the
# real peer is unknown, and the header's claim is not taken.
UNVERIFIED_CLIENT = "unverified-proxy"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """ "10.0.0.5, 192.168.0.0/24, ::1" → networks (PUX_TRUSTED_PROXIES)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    )


def _is_trusted(host: str, trusted: Iterable[Any]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def client_address(scope: Scope, trusted: tuple[Any, ...]) -> str:
    """The client's address: the peer, or — only when the peer is a trusted proxy — the nearest
    X-Forwarded-For entry that is not itself a trusted proxy."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    forwarded = [
        entry.strip()
        for name, value in scope["headers"]
        if name == b"x-forwarded-for"
        for entry in value.decode("latin-1").split(",")
    ]
    if not forwarded:
        return peer
    if peer in forwarded and not _is_trusted(peer, trusted):
        # The server in front already replaced the peer by an entry of the header (uvicorn does
        # so for loopback unless told otherwise): with no trusted proxy, that claim is not taken.
        return peer if trusted else UNVERIFIED_CLIENT
    if not _is_trusted(peer, trusted):
        return peer
    # The nearest entry that is not a trusted proxy (all of them trusted: the farthest).
    entry = next((e for e in reversed(forwarded) if not _is_trusted(e, trusted)), forwarded[0])
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return UNVERIFIED_CLIENT


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body may have at most {limit} bytes")


def _decoded(raw: bytes) -> str:
    return decode_utf8(unquote_to_bytes(raw.replace(b"+", b" ")))


def _pairs_problem(raw: bytes, where: str) -> tuple[list[Any], str] | None:
    """The first name or value of a query string or form body that is not UTF-8 text."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                _decoded(part)
            except ValueError:
                shown = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
                return [where, shown], NOT_UNICODE
    return None


def _sendable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _json_problem(text: str) -> tuple[list[Any], str, str] | None:
    """Where a JSON document breaks the rules every body follows (valid Unicode strings and keys,
    at most MAX_JSON_VALUES values nested at most MAX_JSON_DEPTH deep); None if it does not, or
    is not JSON at all (the route reports that)."""
    try:
        document = pydantic_core.from_json(text)  # the fast parser; refuses lone surrogates
    except ValueError:
        try:
            document = json.loads(text)  # keeps them, so the walk below can name the field
        except RecursionError:
            return ["body"], f"must be nested at most {MAX_JSON_DEPTH} levels deep", "json_too_deep"
        except ValueError:
            return None
    stack: list[tuple[Any, list[Any]]] = [(document, ["body"])]
    values = 0
    while stack:
        value, loc = stack.pop()
        values += 1
        if values > MAX_JSON_VALUES:
            return ["body"], f"may hold at most {MAX_JSON_VALUES} JSON values", "json_too_large"
        if len(loc) > MAX_JSON_DEPTH + 1:
            return loc, f"must be nested at most {MAX_JSON_DEPTH} levels deep", "json_too_deep"
        if isinstance(value, str):
            if not is_unicode_text(value):
                return loc, NOT_UNICODE, "string_unicode"
        elif isinstance(value, dict | list) and len(value) > MAX_JSON_VALUES:
            return loc, f"may hold at most {MAX_JSON_VALUES} JSON values", "json_too_large"
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_unicode_text(key):
                    return [*loc, _sendable(key)], NOT_UNICODE, "string_unicode"
                stack.append((item, [*loc, key]))
        elif isinstance(value, list):
            stack.extend((item, [*loc, index]) for index, item in enumerate(value))
    return None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or (
        media.startswith("application/") and media.endswith("+json")
    )


def body_problem(body: bytes, content_type: str) -> tuple[list[Any], str, str] | None:
    """Where a request body breaks the rules every body follows; None when it does not."""
    if not body:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        found = _pairs_problem(body, "body")
        return (found[0], found[1], "string_unicode") if found else None
    if not _is_json(content_type):
        return None
    try:
        text = decode_utf8(body)
    except ValueError:
        return ["body"], NOT_UNICODE, "string_unicode"
    # Cheap upper bounds first: every value after the first follows a ':' or ',', and every
    # level opens with '[' or '{' (counted in strings too, so they only ever over-count).
    if (
        body.count(b":") + body.count(b",") >= MAX_JSON_VALUES
        or body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
        or _SURROGATE_ESCAPE.search(body)
    ):
        return _json_problem(text)
    return None


def url_problem(scope: Scope) -> tuple[list[Any], str] | None:
    """A path or query string whose percent-encoding is not UTF-8 text."""
    raw_path: bytes | None = scope.get("raw_path")
    if raw_path is not None and (b"%" in raw_path or not raw_path.isascii()):
        try:
            decode_utf8(unquote_to_bytes(raw_path))
        except ValueError:
            return ["path"], NOT_UNICODE
    query: bytes = scope.get("query_string", b"")
    if query and (b"%" in query or not query.isascii()):
        return _pairs_problem(query, "query")
    return None


class Edge:
    def __init__(self, app: ASGIApp, trusted_proxies: str = "") -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)
        self.common = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self.csp = (b"content-security-policy", CSP.encode())
        self.docs_csp = (b"content-security-policy", DOCS_CSP.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # One pass over the headers for everything below.
        length: int | None = None
        content_type = ""
        chunked = forwarded = False
        incoming_id: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"x-forwarded-for":
                forwarded = True
            elif name == b"x-request-id":
                incoming_id = value
        client = scope.get("client")
        request_id = os.urandom(8).hex()
        if self.trusted and client and incoming_id and _is_trusted(client[0], self.trusted):
            # A trusted proxy's request id is kept, so its log lines and ours match.
            text = incoming_id.decode("latin-1")
            request_id = text if _REQUEST_ID.fullmatch(text) else request_id
        if forwarded:
            address = client_address(scope, self.trusted)
            if client is None or client[0] != address:
                # Also what the server's access log shows (it reads this same scope).
                scope["client"] = (address, 0)
        token = logs.request_id.set(request_id)
        path: str = scope["path"]
        extra = [
            *self.common,
            self.docs_csp if path == "/docs" else self.csp,
            (b"x-request-id", request_id.encode()),
        ]
        is_api = path.startswith(API_PREFIX)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if is_api and not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        try:
            if (scope["method"], path) in HASHING_REQUESTS and security.logins_full():
                # A flood of logins answered by the whole stack (form parsing, dependencies,
                # exception handlers) took most of the event loop from the check-ins beside it
                # (check-in p99 3.7 s): the refusal is the cheapest answer the server has, and
                # it is paced. A person whose login is refused waits no longer than
                # Retry-After says anyway.
                await asyncio.sleep(PACED_REFUSAL_SECONDS)
                busy = ServerBusy("Too many logins at once; try again in a moment")
                await error_response(busy)(scope, receive, send_with_headers)
                return
            if length is None and not chunked and not is_api:
                await self.app(scope, receive, send_with_headers)  # no body, no API path
            else:
                await self._guarded(
                    scope, receive, send_with_headers, is_api, length, chunked, content_type
                )
        except Exception as exc:
            error: AppError | None = db.unavailable(exc)
            where = logs.redact(f"{scope.get('method')} {path}")
            if error is not None:
                log.warning("%s: database unavailable: %s", where, exc)
            else:
                log.exception("%s failed", where)
                error = InternalError("The server failed to handle this request")
            if started:
                raise  # the answer is half sent: only closing the connection can tell the client
            await error_response(error)(scope, receive, send_with_headers)
        finally:
            logs.request_id.reset(token)

    async def _guarded(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        is_api: bool,
        length: int | None,
        chunked: bool,
        content_type: str,
    ) -> None:
        """The guard: URL text, the body limit and the body checks, then the app."""
        if is_api:
            found = url_problem(scope)
            if found is not None:
                loc, problem = found
                response = validation_error_response(
                    [{"loc": loc, "msg": problem, "type": "string_unicode"}]
                )
                await response(scope, receive, send)
                return
        if length is None and not chunked:
            await self.app(scope, receive, send)  # no body
            return
        path: str = scope["path"]
        limit = next((n for prefix, n in BODY_LIMITS.items() if path.startswith(prefix)), None)
        limit = limit or MAX_BODY_BYTES
        if length is not None and length > limit:
            await error_response(_too_large(limit))(scope, receive, send)
            return
        # Read the whole (small) body before the app runs: the checks below need all of it, and
        # a body over the limit is refused as soon as the limit is passed.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await error_response(_too_large(limit))(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        found_in_body = body_problem(body, content_type)
        if found_in_body is not None:
            loc, problem, kind = found_in_body
            if kind in PACED_PROBLEMS:
                await asyncio.sleep(PACED_REFUSAL_SECONDS)
            response = validation_error_response([{"loc": loc, "msg": problem, "type": kind}])
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def install(app: FastAPI, *, trusted_proxies: str) -> None:
    """The exception handlers and the middlewares above (call after every other middleware)."""
    install_error_handlers(app)
    app.add_middleware(Edge, trusted_proxies=trusted_proxies)
