"""The application server's VAPID key pair (RFC 8292) and the Authorization header it signs.

The key pair lives in the database (one row), so every replica of the app signs with the same key
and a browser's subscription, which is bound to that key, works whichever replica sends. The first
process that needs a key creates it; a race between replicas ends with one row (INSERT … ON
CONFLICT DO NOTHING, then read back). PUX_VAPID_PRIVATE_KEY overrides the stored key (production
may keep it in a secret store). Rotation is described in README.md ("Web Push keys")."""

import base64
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from backend import clock, db
from backend.config import settings
from backend.reminders.models import VapidKey

# A signed header is used for many pushes to one push service; push services accept at most 24 h.
TOKEN_LIFETIME_SECONDS = 12 * 3600
RENEW_BEFORE_SECONDS = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Keys:
    private_key: str  # the raw 32-byte private scalar, base64url
    public_key: str  # the uncompressed P-256 point, base64url: the browser's applicationServerKey

    @property
    def vapid(self) -> Vapid:
        return _vapid(self.private_key)


@lru_cache(maxsize=4)
def _vapid(private_key: str) -> Vapid:
    return Vapid.from_raw(private_key.encode())


def _keys_of(private: ec.EllipticCurvePrivateKey) -> Keys:
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return Keys(private_key=b64url(scalar), public_key=b64url(point))


@lru_cache(maxsize=4)
def keys_from_setting(value: str) -> Keys:
    """PUX_VAPID_PRIVATE_KEY as a PEM key, a base64url DER key or the raw base64url scalar (the
    forms `vapid --gen` and web-push tools print)."""
    text = value.strip()
    vapid = (
        Vapid.from_pem(text.encode()) if text.startswith("-----BEGIN") else Vapid.from_string(text)
    )
    if not isinstance(vapid.private_key.curve, ec.SECP256R1):
        raise ValueError("PUX_VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key")
    return _keys_of(vapid.private_key)


def new_keys() -> Keys:
    return _keys_of(ec.generate_private_key(ec.SECP256R1()))


def _insert_ignoring_conflict(connection: Connection, keys: Keys) -> None:
    values = {
        "id": 1,
        "private_key": keys.private_key,
        "public_key": keys.public_key,
        "created_at": clock.now(),
    }
    table = VapidKey.__table__  # type: ignore[attr-defined]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(table).values(values).on_conflict_do_nothing())


def stored_keys(connection: Connection) -> Keys:
    """The database's key pair, created on first use."""
    table = VapidKey.__table__  # type: ignore[attr-defined]
    query = select(table.c.private_key, table.c.public_key).where(table.c.id == 1)
    row = connection.execute(query).first()
    if row is None:
        _insert_ignoring_conflict(connection, new_keys())
        row = connection.execute(query).one()
    return Keys(private_key=row.private_key, public_key=row.public_key)


def load_keys() -> Keys:
    """The key pair to sign with: PUX_VAPID_PRIVATE_KEY, else the stored one (created and committed
    here if there is none yet, in a transaction of its own)."""
    if settings.vapid_private_key:
        return keys_from_setting(settings.vapid_private_key)
    with db.engine.begin() as connection:
        return stored_keys(connection)


def rotate_stored_keys() -> Keys:
    """Replaces the stored key pair with a new one (for `pux rotate-vapid-key`)."""
    with db.engine.begin() as connection:
        table = VapidKey.__table__  # type: ignore[attr-defined]
        connection.execute(table.delete())
        _insert_ignoring_conflict(connection, new_keys())
        return stored_keys(connection)


def audience(endpoint: str) -> str:
    """The push service's origin, which the token is for (`aud`)."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class Signer:
    """Signs one Authorization header per push service and reuses it until it nears expiry: an
    ES256 signature costs more than the rest of a push's headers together."""

    def __init__(self, keys: Keys, subject: str | None = None) -> None:
        self.keys = keys
        self.subject = subject or settings.push_subject
        self._headers: dict[str, tuple[float, str]] = {}

    def authorization(self, endpoint: str) -> str:
        return self.authorization_for(audience(endpoint))

    def authorization_for(self, aud: str) -> str:
        """The header for pushes to the push service at origin `aud`."""
        # Real time, never the pinned clock: the push service checks `exp` against its own.
        now = time.time()
        cached = self._headers.get(aud)
        if cached is not None and cached[0] - now > RENEW_BEFORE_SECONDS:
            return cached[1]
        expires = int(now) + TOKEN_LIFETIME_SECONDS
        header = self.keys.vapid.sign({"aud": aud, "exp": expires, "sub": self.subject})
        self._headers[aud] = (expires, header["Authorization"])
        return header["Authorization"]
