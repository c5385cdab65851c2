"""Every test starts with an empty invite-attempt limiter (it lives in process memory)."""

from collections.abc import Iterator

import pytest

from backend.ratelimit import invite_limiter


@pytest.fixture(autouse=True)
def _fresh_invite_limiter() -> Iterator[None]:
    invite_limiter.reset()
    yield
    invite_limiter.reset()
