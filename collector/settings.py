"""The collector's settings, read once from the environment (every name starts COLLECTOR_)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE = "sqlite:///" + str(Path(__file__).resolve().parent / "data" / "feedback.sqlite3")
DEFAULT_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")  # `make serve`
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE
    host: str = "127.0.0.1"
    port: int = 8001
    # Origins whose pages may POST votes and read counts (CORS); others get 403.
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS
    report_token: str = ""  # empty: the report is switched off
    rate_per_minute: int = 60  # per client and process; 0 switches the limit off
    # Behind a reverse proxy, the client is the last X-Forwarded-For address it appended.
    trust_proxy: bool = False
    max_body_bytes: int = 16 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        origins = env.get("COLLECTOR_ALLOWED_ORIGINS")
        token = env.get("COLLECTOR_REPORT_TOKEN", "")
        if token and len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"COLLECTOR_REPORT_TOKEN: at least {MIN_TOKEN_LENGTH} characters")
        return cls(
            database=env.get("COLLECTOR_DATABASE") or DEFAULT_DATABASE,
            host=env.get("COLLECTOR_HOST") or "127.0.0.1",
            port=_integer(env, "COLLECTOR_PORT", 8001),
            allowed_origins=(
                tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip())
                if origins is not None
                else DEFAULT_ORIGINS
            ),
            report_token=token,
            rate_per_minute=_integer(env, "COLLECTOR_RATE_LIMIT", 60),
            trust_proxy=env.get("COLLECTOR_TRUST_PROXY", "").lower() in ("1", "true", "yes"),
        )


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{name}: must not be negative")
    return number
