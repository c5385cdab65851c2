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
import logging
import multiprocessing
import random
import re
import socket
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ProcessPoolExecutor
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

log = logging.getLogger("pux.reminders")

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
    """One aiohttp session for many pushes; use as `async with Sender(keys) as sender`.

    What is the same for every push to one push service is worked out once per origin, not per
    push: the endpoint rule's verdict on scheme, host and port, and the signed VAPID header (the
    signer renews it when it nears expiry). Only the encryption is per device and message."""

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
        # origin prefix of an endpoint -> (why the endpoint rule refuses it, or None; audience)
        self._origins: dict[str, tuple[str | None, str]] = {}
        self._base_headers = {
            "TTL": str(self.ttl),
            "Urgency": "normal",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }

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

    def _origin(self, endpoint: str) -> tuple[str | None, str]:
        """The endpoint rule's verdict and the VAPID audience, once per origin. The rule looks at
        the scheme, credentials, host and port — all in the part before the path — and at the
        length, which is checked here per endpoint."""
        if len(endpoint) > endpoints.MAX_ENDPOINT_LENGTH:
            return f"the endpoint is longer than {endpoints.MAX_ENDPOINT_LENGTH} characters", ""
        match = _ORIGIN.match(endpoint)
        prefix = match.group(0) if match else endpoint
        known = self._origins.get(prefix)
        if known is None:
            try:
                parts = endpoints.check_url(prefix)
            except endpoints.EndpointRefused as exc:
                known = (str(exc), "")
            else:
                known = (None, f"{parts.scheme}://{parts.netloc}")
            self._origins[prefix] = known
        return known

    def _headers(self, push: Push, audience: str) -> dict[str, str]:
        headers = {**self._base_headers, "Authorization": self.signer.authorization_for(audience)}
        if push.topic:
            headers["Topic"] = push.topic
        return headers

    async def _post(self, push: Push, audience: str, body: bytes) -> tuple[int, float | None]:
        assert self._session is not None
        async with self._session.post(
            push.endpoint, data=body, headers=self._headers(push, audience), allow_redirects=False
        ) as response:
            await response.read()
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return response.status, wait

    async def _attempt(self, push: Push, audience: str, attempt: int) -> Outcome | float:
        """One attempt at delivering: its outcome, or how long to wait before the next one."""
        # Encrypted per attempt, right before its request: the message waits encrypted for no
        # longer than its own request, and a retry has a fresh salt and key.
        body = encrypt(push)
        try:
            status, wait = await self._post(push, audience, body)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            refused = _refusal(exc)
            if refused is not None:
                return Outcome(push.subscription_id, "refused", None, attempt, refused)
            status, wait, detail = None, None, f"{type(exc).__name__}: {exc}".rstrip(": ")
        else:
            detail = ""
        if status in SUCCESS:
            return Outcome(push.subscription_id, "delivered", status, attempt)
        if status in GONE:
            return Outcome(push.subscription_id, "gone", status, attempt)
        if status is not None and status != 429 and status < 500:
            return Outcome(push.subscription_id, "failed", status, attempt, f"HTTP {status}")
        if attempt < self.max_attempts:
            delay = wait if wait is not None else backoff_seconds(attempt)
            if delay <= self.max_retry_wait:
                return delay
            detail = f"HTTP {status}: asked to wait {delay:.0f} s"
        return Outcome(push.subscription_id, "failed", status, attempt, detail or f"HTTP {status}")

    async def send(self, push: Push) -> Outcome:
        """Delivers one push, retrying what a retry may fix; never raises for a device's fault."""
        assert self._slots is not None
        refused, audience = self._origin(push.endpoint)
        if refused is not None:
            return Outcome(push.subscription_id, "refused", None, 0, refused)
        attempt = 1
        while True:
            async with self._slots:
                result = await self._attempt(push, audience, attempt)
            if isinstance(result, Outcome):
                return result
            await asyncio.sleep(result)
            attempt += 1

    async def send_all(
        self,
        pushes: Sequence[Push],
        on_outcome: Callable[[int, Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Delivers many pushes, `concurrency` at a time; the outcomes in the pushes' order.
        `on_outcome(index, outcome)` is called as each one is known.

        A fixed set of workers takes the pushes in turn, instead of a task per push waiting on a
        semaphore: with 10,000 waiting tasks, every release walked the semaphore's waiters (a
        tenth of a pass's CPU). A push waiting for its retry holds no worker."""
        outcomes: list[Outcome | None] = [None] * len(pushes)
        queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        retrying: set[asyncio.Task[None]] = set()

        def done(index: int, outcome: Outcome) -> None:
            outcomes[index] = outcome
            if on_outcome is not None:
                on_outcome(index, outcome)

        async def retry_later(index: int, attempt: int, delay: float) -> None:
            await asyncio.sleep(delay)
            queue.put_nowait((index, attempt))
            queue.task_done()  # the earlier attempt's; the queue was never empty meanwhile

        async def worker() -> None:
            while True:
                index, attempt = await queue.get()
                push = pushes[index]
                refused, audience = self._origin(push.endpoint)
                if refused is not None:
                    done(index, Outcome(push.subscription_id, "refused", None, 0, refused))
                    queue.task_done()
                    continue
                try:
                    result = await self._attempt(push, audience, attempt)
                except Exception as exc:  # a device's bad key, say: that push fails, not all
                    log.exception("push to subscription %s failed", push.subscription_id)
                    result = Outcome(push.subscription_id, "failed", None, attempt, repr(exc))
                if isinstance(result, Outcome):
                    done(index, result)
                    queue.task_done()
                else:
                    task = asyncio.create_task(retry_later(index, attempt + 1, result))
                    retrying.add(task)
                    task.add_done_callback(retrying.discard)

        for index in range(len(pushes)):
            queue.put_nowait((index, 1))
        workers = [asyncio.create_task(worker()) for _ in range(min(self.concurrency, len(pushes)))]
        try:
            await queue.join()
        finally:
            for task in (*workers, *retrying):
                task.cancel()
            await asyncio.gather(*workers, *retrying, return_exceptions=True)
        return [outcome for outcome in outcomes if outcome is not None]


# The scheme and authority of a URL: everything the endpoint rule and the VAPID audience look at
# (urlsplit ends the authority at the first "/", "?" or "#").
_ORIGIN = re.compile(r"[^:/?#]+://[^/?#]*")


# --- sending on several cores ------------------------------------------------------------------
#
# A push costs about 0.6 ms of CPU (half of it aiohttp's request, a third the encryption), all of
# it holding the GIL, so one process sends at most ~1,500 pushes/s however many cores it has.
# With PUX_PUSH_PROCESSES = n > 1 a large send is spread over this process and n - 1 helper
# processes, each taking every n-th push on a session of its own. The helpers are started once
# and kept (spawned, not forked: the parent has threads and open database connections), so only
# the first pass pays for their start.

SPREAD_AT_LEAST = 200  # fewer pushes than this are sent here: a helper's round trip costs more
_helpers: ProcessPoolExecutor | None = None
_helper_count = 0


def _helper_ready() -> None:
    return None


def helpers(processes: int) -> ProcessPoolExecutor | None:
    """The pool of `processes - 1` helper processes (None for one process), started once."""
    global _helpers, _helper_count
    if processes <= 1:
        return None
    if _helpers is None or _helper_count != processes - 1:
        stop_helpers()
        _helpers = ProcessPoolExecutor(
            processes - 1, mp_context=multiprocessing.get_context("spawn")
        )
        _helper_count = processes - 1
    return _helpers


def warm_up(processes: int) -> None:
    """Starts the helper processes now (they import the app's modules, about a second), so the
    first pass does not wait for them."""
    pool = helpers(processes)
    if pool is not None:
        for future in [pool.submit(time.sleep, 0.2) for _ in range(processes - 1)]:
            future.result()


def stop_helpers() -> None:
    global _helpers, _helper_count
    if _helpers is not None:
        _helpers.shutdown(wait=True, cancel_futures=True)
    _helpers, _helper_count = None, 0


def _send_here(
    keys: Keys, pushes: Sequence[Push], timeout: float | None
) -> tuple[list[Outcome], float]:
    """A helper's share: its outcomes and when its last answer came (time.monotonic, the same
    clock in every process of the machine)."""

    async def main() -> tuple[list[Outcome], float]:
        last = 0.0

        def answered(_: int, __: Outcome) -> None:
            nonlocal last
            last = time.monotonic()

        async with Sender(keys, timeout=timeout) as sender:
            return await sender.send_all(pushes, answered), last

    return run(main())


async def send_spread(
    keys: Keys, pushes: Sequence[Push], *, processes: int = 1, timeout: float | None = None
) -> tuple[list[Outcome], float]:
    """Delivers `pushes` on `processes` processes (this one and helpers); the outcomes in the
    pushes' order and when the last answer came (time.monotonic; 0 if none)."""
    processes = max(1, min(processes, len(pushes) // SPREAD_AT_LEAST or 1))
    pool = helpers(processes)
    loop = asyncio.get_running_loop()
    shares = [pushes[n::processes] for n in range(processes)]
    elsewhere = [
        loop.run_in_executor(pool, _send_here, keys, share, timeout) for share in shares[1:]
    ]
    last = 0.0

    def answered(_: int, __: Outcome) -> None:
        nonlocal last
        last = time.monotonic()

    try:
        async with Sender(keys, timeout=timeout) as sender:
            own = await sender.send_all(shares[0], answered)
        results = [(own, last), *[await future for future in elsewhere]]
    finally:
        for future in elsewhere:
            future.cancel()
    outcomes: list[Outcome] = [None] * len(pushes)  # type: ignore[list-item]
    for n, (got, _) in enumerate(results):
        outcomes[n::processes] = got
    return outcomes, max(at for _, at in results)
