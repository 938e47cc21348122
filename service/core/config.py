"""Service settings: environment variables `SALESBRAIN_*`, refused when unsafe.

Defaults suit one process on a laptop (loopback, SQLite). Anything that would expose the
service or make its limits meaningless fails at start-up with the setting's name.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from salesbrain.db import resolve_db_url

# Passwords seen in tutorials and default installs: refused for any database a network reaches.
WEAK_SECRETS = frozenset({"", "changethis", "changeme", "password", "postgres", "secret", "admin",
                          "123456", "salesbrain"})
MIN_TOKEN_CHARS = 24


class Settings(BaseSettings):
    # Inputs stay out of error messages: a database URL may carry a password.
    model_config = SettingsConfigDict(env_prefix="SALESBRAIN_", extra="forbid", frozen=True,
                                      hide_input_in_errors=True)

    db_url: str = Field(default_factory=lambda: resolve_db_url(None))
    brain_dir: Path | None = None  # None: the registry's live brain
    models_root: Path | None = None  # None: SALESBRAIN_MODELS or models/
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Set only when a TLS-terminating proxy fronts the service: required off loopback.
    behind_tls_proxy: bool = False
    # Bearer token for /metrics; required off loopback, since metrics reveal traffic.
    metrics_token: SecretStr | None = None
    # Admins of this tenant manage the brains, which every tenant of this deployment shares.
    operator_tenant: str = Field(default="demo", min_length=1, max_length=64)

    max_body_bytes: int = Field(default=8 << 20, gt=0)
    max_stream_bytes: int = Field(default=512 << 20, gt=0)
    max_batch_records: int = Field(default=5000, gt=0)
    ingest_chunk_records: int = Field(default=2000, gt=0)
    rate_per_second: float = Field(default=20.0, gt=0)
    rate_burst: int = Field(default=40, gt=0)
    session_gap_s: int = Field(default=6 * 3600, gt=0)
    # Threads running handlers at once. More than a few per core only adds GIL and lock
    # contention; further requests wait, cheaply, on the event loop.
    worker_threads: int = Field(default=8, gt=0, le=256)
    # Threads each model call may use. Concurrent requests already spread over the cores, and
    # on 2 cores one thread per call measured faster than two (eval.bench_suggest: p95 74 vs
    # 142 ms with a 50,000-reply bank).
    torch_threads: int = Field(default=1, gt=0, le=64)
    # Live workbench: how often an open stream re-checks its key (a revoked key's stream
    # closes within this), how long a stream token may wait to be used, and how many
    # conversations of one ingested batch get suggestions pushed (the newest first).
    stream_recheck_s: float = Field(default=5.0, gt=0, le=300)
    stream_token_ttl_s: int = Field(default=60, gt=0, le=3600)
    live_suggest_limit: int = Field(default=20, ge=0, le=1000)
    # How often each replica reads the registry's live pointer and swaps to a brain promoted
    # or rolled back through another replica (one small file read); 0 turns following off.
    registry_poll_s: float = Field(default=2.0, ge=0, le=60)
    # WeCom chat toolbar (all four or none): the corp, the app and its secret, and the trusted
    # hosts the workbench is served from. `wecom_jssdk`: the `@wecom/jssdk` build
    # (dist/wecom.global.prod.js) the page loads inside WeCom; nothing is fetched from a CDN.
    wecom_corp_id: str | None = None
    wecom_agent_id: str | None = None
    wecom_secret: SecretStr | None = None
    wecom_trusted_hosts: tuple[str, ...] = ()
    wecom_jssdk: Path | None = None

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        exposed = not _is_loopback(self.host)
        if exposed and not self.behind_tls_proxy:
            raise ValueError(
                f"host {self.host!r} is not loopback: serve behind a TLS proxy and set "
                "SALESBRAIN_BEHIND_TLS_PROXY=true"
            )
        _check_metrics_token(self.metrics_token, required=exposed)
        _check_db_password(self.db_url)
        wecom = (self.wecom_corp_id, self.wecom_agent_id, self.wecom_secret,
                 self.wecom_trusted_hosts or None)
        if any(v is not None for v in wecom) and any(v is None for v in wecom):
            raise ValueError("wecom_corp_id, wecom_agent_id, wecom_secret and "
                             "wecom_trusted_hosts go together: set all four or none")
        if self.ingest_chunk_records > self.max_batch_records:
            raise ValueError("ingest_chunk_records must not exceed max_batch_records")
        return self


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_metrics_token(token: SecretStr | None, *, required: bool) -> None:
    if token is None:
        if required:
            raise ValueError("metrics_token is required when the host is not loopback")
        return
    value = token.get_secret_value()
    if len(value) < MIN_TOKEN_CHARS or len(set(value)) < 8 or value.lower() in WEAK_SECRETS:
        raise ValueError(
            f"metrics_token is weak: use at least {MIN_TOKEN_CHARS} random characters"
        )


def _check_db_password(db_url: str) -> None:
    url = make_url(db_url)
    if url.password is None or url.get_backend_name() == "sqlite":
        return
    local = url.host in (None, "") or _is_loopback(url.host)
    if not local and str(url.password).lower() in WEAK_SECRETS:
        raise ValueError(f"db_url: the database password for host {url.host!r} is a default one")


def describe(error: ValidationError) -> str:
    """One line naming each setting at fault (never its value)."""
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in item["loc"]) or "settings"
        parts.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
