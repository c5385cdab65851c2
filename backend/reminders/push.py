"""Sends Web Push messages (RFC 8030), encrypted for each device (RFC 8291, aes128gcm, by
http_ece) and signed with VAPID (RFC 8292, by py_vapid), many at once.

The encryption is the call pywebpush's `WebPusher.encode` makes (a fresh P-256 key and salt per
message, http_ece's aes128gcm with the device's key and auth secret), without the copy of the
subscription WebPusher makes per message (a quarter of the encryption's CPU). The HTTP requests
are ours, made concurrently on one aiohttp session, so a thousand devices take about as long as
the slowest of them, not as long as all of them together. Each request has its own timeout; a
push service that answers 429 or 5xx is asked again after its Retry-After (or a growing back-off);
404/410 mean the subscription is gone. Every connection goes through `endpoints`' rule: the
addresses a name resolves to are checked right before connecting (no redirects, no proxies from
the environment)."""

import asyncio
import email.utils
import json
import random
import socket
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import aiohttp
import http_ece
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography.hazmat.primitives.asymmetric import ec

from backend.config import settings
from backend.reminders import endpoints
from backend.reminders.vapid import Keys, Signer, b64url_decode

# A reminder is worth showing for a few hours; after that the push service may drop it.
TTL_SECONDS = 4 * 3600
MAX_ATTEMPTS = 3
# The longest wait for a retry inside one pass; a push service asking for more is given up on
# (the member's other devices and the other members are not held up either way).
MAX_RETRY_WAIT_SECONDS = 120.0
SUCCESS = frozenset({200, 201, 202})
GONE = frozenset({404, 410})

Result = Literal["delivered", "gone", "failed", "refused"]
T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, on uvloop where it is installed (uvicorn[standard] brings it): the HTTP side
    of a push costs about half as much CPU there."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - platforms without uvloop
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


@dataclass(frozen=True)
class Push:
    """One message for one device."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes  # the JSON the device decrypts
    # Replaces an undelivered message with the same topic at the push service (RFC 8030 §5.4).
    topic: str | None = None


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    result: Result
    status: int | None  # the push service's last HTTP status, if it answered
    attempts: int
    detail: str = ""


def encode_payload(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def encrypt(push: Push) -> bytes:
    """The aes128gcm body for the device (RFC 8291 §3.4): an ephemeral ECDH key of our own per
    message, agreed with the device's key, mixed with its auth secret; a random salt."""
    return bytes(
        http_ece.encrypt(
            push.payload,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=b64url_decode(push.p256dh),
            auth_secret=b64url_decode(push.auth),
            version="aes128gcm",
        )
    )


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """1 s, 2 s, 4 s … with jitter, so retries from many sends do not arrive together."""
    return float(2 ** (attempt - 1)) * random.uniform(0.8, 1.2)


def _refusal(exc: BaseException) -> str | None:
    """Why the endpoint rule stopped a connection, if it did (aiohttp wraps the resolver's
    error in its own)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, endpoints.EndpointRefused):
            return str(seen)
        seen = getattr(seen, "os_error", None) or seen.__cause__
    return None


class PublicOnlyResolver(AbstractResolver):
    """Resolves names for aiohttp and refuses any whose addresses are not public, so the address
    checked is the address connected to (no window for a rebinding DNS answer)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        addresses = await loop.run_in_executor(None, endpoints.resolve_host, host, port)
        endpoints.check_addresses(host, addresses)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class Sender:
    """One aiohttp session for many pushes; use as `async with Sender(keys) as sender`."""

    def __init__(
        self,
        keys: Keys,
        *,
        timeout: float | None = None,
        concurrency: int | None = None,
        max_retry_wait: float = MAX_RETRY_WAIT_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        ttl: int = TTL_SECONDS,
    ) -> None:
        self.signer = Signer(keys)
        self.timeout = timeout if timeout is not None else settings.push_timeout_seconds
        self.concurrency = concurrency or settings.push_concurrency
        self.max_retry_wait = max_retry_wait
        self.max_attempts = max_attempts
        self.ttl = ttl
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> "Sender":
        connector = aiohttp.TCPConnector(
            limit=self.concurrency, resolver=PublicOnlyResolver(), ttl_dns_cache=60
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout, connect=min(self.timeout, 5.0)),
            trust_env=False,  # never through a proxy from the environment
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # push services set none worth keeping
            skip_auto_headers=("Accept", "Accept-Encoding"),
        )
        self._slots = asyncio.Semaphore(self.concurrency)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()

    def _headers(self, push: Push, body: bytes) -> dict[str, str]:
        headers = {
            "TTL": str(self.ttl),
            "Urgency": "normal",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.signer.authorization(push.endpoint),
        }
        if push.topic:
            headers["Topic"] = push.topic
        return headers

    async def _post(self, push: Push, body: bytes) -> tuple[int, float | None]:
        assert self._session is not None
        async with self._session.post(
            push.endpoint, data=body, headers=self._headers(push, body), allow_redirects=False
        ) as response:
            await response.read()
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return response.status, wait

    async def send(self, push: Push) -> Outcome:
        """Delivers one push, retrying what a retry may fix; never raises for a device's fault."""
        assert self._slots is not None
        try:
            endpoints.check_url(push.endpoint)
        except endpoints.EndpointRefused as exc:
            return Outcome(push.subscription_id, "refused", None, 0, str(exc))
        status: int | None = None
        detail = ""
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):
            wait: float | None = None
            async with self._slots:
                # Encrypted per attempt, inside the slot: the message waits encrypted for no
                # longer than its own request, and a retry has a fresh salt.
                body = encrypt(push)
                try:
                    status, wait = await self._post(push, body)
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    refused = _refusal(exc)
                    if refused is not None:
                        return Outcome(push.subscription_id, "refused", None, attempt, refused)
                    status, detail = None, f"{type(exc).__name__}: {exc}".rstrip(": ")
                else:
                    detail = ""
            if status in SUCCESS:
                return Outcome(push.subscription_id, "delivered", status, attempt)
            if status in GONE:
                return Outcome(push.subscription_id, "gone", status, attempt)
            if status is not None and status != 429 and status < 500:
                return Outcome(push.subscription_id, "failed", status, attempt, f"HTTP {status}")
            if attempt == self.max_attempts:
                break
            delay = wait if wait is not None else backoff_seconds(attempt)
            if delay > self.max_retry_wait:
                detail = f"HTTP {status}: asked to wait {delay:.0f} s"
                break
            await asyncio.sleep(delay)
        return Outcome(push.subscription_id, "failed", status, attempt, detail or f"HTTP {status}")

    async def send_all(self, pushes: Iterable[Push]) -> list[Outcome]:
        return list(await asyncio.gather(*(self.send(push) for push in pushes)))
