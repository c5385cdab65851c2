"""Settings read from PUX_* environment variables; one instance, `settings`."""

import re
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-in-production"
# What push services (and py_vapid) take as the VAPID `sub`: a mailto: address or a bare https
# origin without port or path.
_VAPID_SUBJECT = re.compile(r"mailto:[^@\s]+@[\w-]+(\.[\w-]+)*|https://[\w-]+(\.[\w-]+)+")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PUX_", env_file=None, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT_DIR / 'data' / 'pux.db'}"
    port: int = 8000
    base_url: str = ""
    demo: bool = True
    # Pins the app's clock (ISO-8601 instant) for demos and tests; refused in production.
    now: datetime | None = None
    secret_key: str = DEFAULT_SECRET
    frontend_dir: Path = ROOT_DIR / "frontend"
    node_modules_dir: Path = ROOT_DIR / "node_modules"
    coordinator_token_days: int = 30
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    invite_days: int = 14
    # Addresses (or networks, comma-separated) of reverse proxies whose X-Forwarded-For is
    # believed; empty: no proxy is, and the peer's address is the client's.
    trusted_proxies: str = ""
    # GET /metrics answers only a caller with `Authorization: Bearer <metrics_token>`; unset, it
    # does not exist. Logs: JSON lines (production's default) or text for people (elsewhere).
    metrics_token: str = ""
    log_format: Literal["json", "text"] | None = None
    # How often the server freezes closed weeks and deletes check-ins past retention (0 = never;
    # `pux rollup` / `pux purge` do the same by hand).
    maintenance_minutes: float = Field(default=15, ge=0)
    # Web Push: the VAPID key pair is generated on first start and kept in the database (every
    # replica signs with the same key); these override it, e.g. with a key kept in a secret store.
    vapid_private_key: str | None = None
    vapid_subject: str | None = None
    # `pux serve` runs a reminder pass every minute unless turned off (e.g. when `pux worker` runs
    # beside it; claims in the database keep the two from sending anything twice).
    reminder_loop: bool = True
    # Passes start on every boundary of this many seconds (tests and bench/cluster shorten it).
    reminder_interval_seconds: float = Field(default=60, ge=1, le=3600)
    follow_up_time: str = "14:30"
    push_timeout_seconds: float = 10.0
    push_concurrency: int = 256
    # Processes a reminder pass sends on (this one and helpers): one process sends ~1,500
    # pushes/s at most (the GIL); the worker may use every core it has.
    push_processes: int = Field(default=1, ge=1, le=64)
    # `pux worker` serves GET /metrics (same token rule as the app's) on this port; 0: none.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_host: str = "127.0.0.1"

    @field_validator("follow_up_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("PUX_FOLLOW_UP_TIME must be HH:MM on the 24-hour clock, e.g. 14:30")
        return value

    @field_validator("now")
    @classmethod
    def _now_is_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(
                "PUX_NOW must carry a time zone offset, e.g. 2026-11-26T07:30:00+01:00"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # ValueError names the entry
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> "Settings":
        if self.env == "production":
            if self.secret_key == DEFAULT_SECRET:
                raise ValueError("PUX_SECRET_KEY must be set in production")
            if self.now is not None:
                raise ValueError("PUX_NOW is refused in production")
        if self.vapid_subject is not None and not _VAPID_SUBJECT.fullmatch(self.vapid_subject):
            raise ValueError(
                "PUX_VAPID_SUBJECT must be a mailto: address or an https: URL, "
                "e.g. mailto:drift@kommune.dk"
            )
        return self

    @property
    def push_subject(self) -> str:
        """Who runs this server, as push services ask (the VAPID `sub` claim): PUX_VAPID_SUBJECT,
        else the public https address, else a placeholder good enough for development."""
        if self.vapid_subject:
            return self.vapid_subject
        origin = "https://" + (urlsplit(self.public_base_url).hostname or "")
        if self.public_base_url.startswith("https://") and _VAPID_SUBJECT.fullmatch(origin):
            return origin
        return "mailto:pux-puls@localhost"

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" or (self.log_format is None and self.env == "production")

    @property
    def public_base_url(self) -> str:
        return (self.base_url or f"http://127.0.0.1:{self.port}").rstrip("/")


settings = Settings()
