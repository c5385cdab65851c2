"""Secrets: bearer tokens (random, stored only as SHA-256), invite codes, password hashing."""

import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_password_hash = PasswordHash((Argon2Hasher(),))  # argon2id
# Hashed once at import so an unknown email costs as much as a wrong password (no timing oracle).
DUMMY_PASSWORD_HASH = _password_hash.hash("pux-dummy-password-for-timing")

# Unambiguous alphabet: no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V. 22 symbols, 12 chars: ~53.5 bits.
INVITE_ALPHABET = "34679ACDEFGHJKMNPQRTWX"
INVITE_LENGTH = 12


def new_token() -> str:
    """A bearer token with 256 bits of entropy; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens are high-entropy random values, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(token.encode()).hexdigest()


def new_invite_code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, INVITE_LENGTH, 4))


def normalize_invite_code(code: str) -> str:
    """Accepts codes typed with spaces, lower case or without dashes."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _password_hash.verify(password, password_hash)
