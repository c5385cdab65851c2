"""Settings read from PUX_* environment variables; one instance, `settings`."""

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-in-production"


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
        return self

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" or (self.log_format is None and self.env == "production")

    @property
    def public_base_url(self) -> str:
        return (self.base_url or f"http://127.0.0.1:{self.port}").rstrip("/")


settings = Settings()
