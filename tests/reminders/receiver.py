"""A local push service for tests and benchmarks: it plays the part of FCM, Mozilla's or Apple's
push service for devices it makes up.

Each device has its own P-256 key pair and auth secret (as a browser makes them). For every push
the receiver checks what a real push service and browser check, with code of its own (the
`cryptography` primitives, not the libraries the app sends with): the VAPID JWT (ES256 signature
by the key in the header, `aud` = this service's origin, `exp` in the future and within 24 h,
`sub` a mailto: or https: contact), the headers (TTL, Content-Encoding: aes128gcm), and it
decrypts the aes128gcm body (RFC 8188/8291) with the device's private key. It answers as told:
201 by default, a queue of statuses (with Retry-After), a delay, or never."""

import asyncio
import base64
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def decrypt_aes128gcm(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """RFC 8291 §3.4 and RFC 8188 §2, for a message of one record."""
    salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    sender_public = body[21 : 21 + id_length]
    ciphertext = body[21 + id_length :]
    if record_size < 18 or len(ciphertext) > record_size:
        raise ValueError(f"unexpected record size {record_size} for {len(ciphertext)} bytes")
    receiver_public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    shared = private_key.exchange(
        ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
    )
    ikm = _hkdf(auth, shared, b"WebPush: info\x00" + receiver_public + sender_public, 32)
    key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    padded = AESGCM(key).decrypt(nonce, ciphertext, None)
    data = padded.rstrip(b"\x00")
    if not data.endswith(b"\x02"):
        raise ValueError("the last record must end with the delimiter 0x02")
    return data[:-1]


def verify_vapid(authorization: str, audience: str) -> tuple[dict[str, Any], str]:
    """The JWT's claims and the signing key (base64url) from `vapid t=…,k=…` (RFC 8292 §3)."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"Authorization scheme {scheme!r} is not vapid")
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64(header_b64))
    if header.get("alg") != "ES256" or header.get("typ") != "JWT":
        raise ValueError(f"JWT header {header}")
    signature = unb64(signature_b64)
    if len(signature) != 64:
        raise ValueError("an ES256 signature is 64 bytes")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    public.verify(
        encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        ),
        f"{header_b64}.{claims_b64}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    claims = json.loads(unb64(claims_b64))
    now = time.time()
    if claims.get("aud") != audience:
        raise ValueError(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not now < int(claims["exp"]) <= now + 24 * 3600:
        raise ValueError(f"exp {claims['exp']} is not within the next 24 hours")
    sub = str(claims.get("sub", ""))
    if not (sub.startswith("mailto:") or sub.startswith("https://")):
        raise ValueError(f"sub {sub!r} is not a contact")
    return claims, key


@dataclass
class Device:
    """A browser's push subscription: its key pair and auth secret stay here."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    # What to answer: statuses in turn (then 201), each with an optional Retry-After.
    answers: list[tuple[int, str | None]] = field(default_factory=list)
    delay: float = 0.0
    hang: bool = False

    @property
    def p256dh(self) -> str:
        return b64(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self) -> dict[str, Any]:
        """Shaped like the browser's PushSubscription.toJSON()."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)},
        }


@dataclass
class Received:
    device: str
    at: float
    status: int
    headers: dict[str, str]
    claims: dict[str, Any] | None = None
    vapid_key: str | None = None
    payload: dict[str, Any] | None = None
    error: str | None = None  # what a real push service or browser would refuse


class PushReceiver:
    """Runs on its own thread and event loop, on a free loopback port."""

    def __init__(self, *, verify: bool = True) -> None:
        self.verify = verify
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None
        self.hung = 0  # requests held open by devices that never answer
        self.port = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def device(self, name: str | None = None, **behaviour: Any) -> Device:
        name = name or secrets.token_hex(6)
        device = Device(
            name=name,
            endpoint=f"{self.origin}/push/{name}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
            **behaviour,
        )
        self.devices[name] = device
        return device

    def pushes_for(self, device: Device) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.device == device.name]

    def delivered(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.status == 201]

    def errors(self) -> list[str]:
        with self._lock:
            return [f"{r.device}: {r.error}" for r in self.received if r.error]

    async def _handle(self, request: web.Request) -> web.Response:
        device = self.devices.get(request.match_info["name"])
        if device is None:
            return web.Response(status=404)
        body = await request.read()
        received = Received(
            device=device.name, at=time.monotonic(), status=201, headers=dict(request.headers)
        )
        if self.verify:
            try:
                received.claims, received.vapid_key = verify_vapid(
                    request.headers.get("Authorization", ""), self.origin
                )
                if request.headers.get("Content-Encoding") != "aes128gcm":
                    raise ValueError("Content-Encoding is not aes128gcm")
                if not request.headers.get("TTL", "").isdigit():
                    raise ValueError("TTL is missing")
                plain = decrypt_aes128gcm(body, device.private_key, device.auth)
                received.payload = json.loads(plain)
            except (ValueError, KeyError, InvalidSignature, InvalidTag) as exc:
                received.error = f"{type(exc).__name__}: {exc}"
                received.status = 400
        if device.hang:
            with self._lock:
                self.hung += 1
            assert self._stopped is not None
            await self._stopped.wait()  # answers only when the receiver stops
            return web.Response(status=201)
        if device.delay:
            await asyncio.sleep(device.delay)
        retry_after = None
        if received.status == 201 and device.answers:
            received.status, retry_after = device.answers.pop(0)
        with self._lock:
            self.received.append(received)
        headers = {"Retry-After": retry_after} if retry_after else {}
        return web.Response(status=received.status, headers=headers)

    def start(self) -> None:
        ready = threading.Event()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

        async def main() -> None:
            app = web.Application(client_max_size=8192)
            app.router.add_post("/push/{name}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024).start()
            self._stopped = asyncio.Event()
            ready.set()
            await self._stopped.wait()
            await self._runner.cleanup()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(main())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="push-receiver", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(10)


@contextmanager
def push_receiver(**options: Any) -> Iterator[PushReceiver]:
    receiver = PushReceiver(**options)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
