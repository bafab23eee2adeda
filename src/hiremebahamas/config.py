"""Application settings, read from the environment (names kept from the seed deployment)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The placeholders earlier versions shipped as defaults: refused wherever they turn up.
DEV_SECRET_PREFIX = "dev-insecure-"  # noqa: S105 - not a secret, the mark of a known one
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


def _csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every knob of the service. Defaults run on a bare machine (SQLite, no other services)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Environment = Environment.DEVELOPMENT
    # Unset: where `serve` listens (http://HOST:PORT), see _base_url_follows_host_and_port.
    base_url: str = ""
    var_dir: Path = Path("var")
    log_level: str | None = None

    # Unset in development and test: a random value made once per installation under VAR_DIR
    # (see _fill_development_secrets); production and staging refuse to start without them.
    secret_key: str = ""
    jwt_secret_key: str = ""
    jwt_previous_secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Earlier SECRET_KEYs, still accepted for what was sealed with them (two-step secrets,
    # recovery codes; core/secrets_box.py) while it is sealed again with the current one.
    previous_secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_days: int = 30
    session_ttl_days: int = 30

    database_url: str = ""
    # DATABASE_READ_REPLICA_1..N are gathered into this list (see _gather_read_replicas).
    database_read_replicas: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # A replica behind by more than this leaves the rotation until it catches up (core/replicas.py).
    database_replica_max_lag_seconds: float = 5.0
    database_replica_check_seconds: float = 2.0
    # Connections per process and engine, kept open once made. A connection beyond the pool (the
    # overflow) is closed when it is handed back and opened again for the next busy moment, a new
    # PostgreSQL backend each time: under steady load that churn cost more than the connections.
    database_pool_size: int = 20
    database_max_overflow: int = 0
    # The staff area (and /api/admin) needs a sign-in confirmed with a second factor. Unset: on,
    # except in development and tests.
    staff_require_totp: bool | None = None
    # A background task running longer is cancelled and retried. A task whose worker died
    # (kill -9, a lost machine) is picked up again this many seconds, plus 10, after it started.
    worker_job_timeout_seconds: int = Field(default=300, ge=10)
    # Set when connecting through PgBouncer in transaction pooling mode: asyncpg's prepared
    # statement cache would otherwise hit statements prepared on another server connection.
    database_pgbouncer: bool = False
    database_echo: bool = False

    redis_url: str | None = None

    rate_limit_auth: str = "5/minute"
    rate_limit_api: str = "100/minute"
    rate_limit_upload: str = "10/minute"
    rate_limit_ws: str = "30/minute"
    # The contact form: per IP and, when signed in, per account (support/views.py).
    rate_limit_support: str = "5/hour"
    # "Download my data" (privacy/): the JSON from the API per user, and the ZIP emailed from
    # the account page, which reads every file the person uploaded.
    rate_limit_export: str = "3/hour"
    rate_limit_export_archive: str = "1/hour"
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60
    # Failures one account may collect in an hour from all addresses together before password
    # sign-in to it stops until the hour is over or the password is reset (accounts/lockout.py).
    login_account_max_failures: int = 100
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    # A person's tabs and devices; more is a runaway client or someone hoarding sockets.
    ws_max_connections_per_user: int = Field(default=5, ge=1)

    cache_default_ttl: int = 300
    cache_user_ttl: int = 600
    cache_feed_ttl: int = 300
    # Pages and JSON every anonymous visitor sees alike (core/http_cache.py): how long browsers
    # keep them, how long a CDN does, and how long it may serve a stale copy while refreshing.
    http_cache_max_age: int = Field(default=60, ge=0)
    http_cache_s_maxage: int = Field(default=300, ge=0)
    http_cache_stale_while_revalidate: int = Field(default=60, ge=0)

    email_from: str = "HireMeBahamas <no-reply@hiremebahamas.com>"
    # Where the contact form's requests go (Reply-To: the sender).
    support_email: str = "support@hiremebahamas.com"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0
    email_verification_ttl_hours: int = 48
    password_reset_ttl_minutes: int = 60
    # Days between asking to delete an account and its erasure; its owner may restore it until then.
    account_deletion_grace_days: int = Field(default=30, ge=1)
    # How long the emailed link to a data export works; the file is deleted after it.
    data_export_ttl_days: int = Field(default=7, ge=1, le=30)

    # Product analytics (docs/analytics.md): raw events are deleted after this many days (the
    # daily figures stay); the weekly review (`hiremebahamas report weekly`) is mailed here.
    analytics_retention_days: int = Field(default=400, ge=31)
    report_email: str | None = None

    # The operator's postal address, in the footer of every marketing email (the law of most
    # places that receive it, CAN-SPAM among them, asks for it).
    operator_postal_address: str = "HireMeBahamas, Nassau, New Providence, The Bahamas"

    # SendGrid's Event Webhook verification key (base64, as SendGrid shows it): bounces and spam
    # complaints reported to POST /api/email/events stop non-essential mail to the address.
    sendgrid_webhook_public_key: str | None = None

    # Emails a second one campaign (a digest, a newsletter) hands to SMTP, at most; 0: no limit.
    # Keep it within the relay's allowance (SendGrid's plan, the warm-up of a new sending domain).
    email_send_rate: float = Field(default=10.0, ge=0)

    # Days Stripe retries a failed payment before the subscription ends (Stripe's "Manage failed
    # payments" settings): the payment-failed emails give the date access ends from it.
    payment_retry_days: int = Field(default=14, ge=7, le=60)

    sentry_dsn: str | None = None
    sentry_traces_sample_rate: float = 0.0

    web_concurrency: int = 2
    # Threads each process gives to blocking work (password hashing): see app.py's lifespan.
    web_threads: int = 4
    host: str = "127.0.0.1"
    port: int = 8000

    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    # Another address for Stripe's API (a local fake in tests); unset: Stripe's own.
    stripe_api_base: str | None = None
    r2_access_key_id: str | None = None
    r2_secret_access_key: str | None = None
    r2_endpoint_url: str | None = None
    r2_bucket: str | None = None
    # "auto" for Cloudflare R2; the bucket's region (e.g. us-east-1) for AWS S3.
    r2_region: str = "auto"
    # Lifetime of the signed links that hand out stored files (S3 back end).
    storage_presign_ttl_seconds: int = Field(default=300, ge=1, le=7 * 24 * 3600)
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    # A 24-megapixel phone photo (5712x4284) fits; pictures are stored at most 2048 pixels a
    # side, so more pixels buy nothing, while each costs 4 bytes or more to decode.
    upload_max_pixels: int = Field(default=25_000_000, ge=1)
    # Pictures decoded at once per process (each may hold ~10 bytes x UPLOAD_MAX_PIXELS);
    # these threads come on top of WEB_THREADS, so uploads never starve password hashing.
    upload_decode_slots: int = Field(default=2, ge=1)
    # Virus scanning of uploads by clamd (uploads/scanning.py): `tcp://host:port` or
    # `unix:///path/clamd.ctl` (a malformed one refuses to start); unset, files are stored
    # unscanned.
    clamav_url: str | None = None
    clamav_timeout_seconds: float = Field(default=10.0, gt=0)
    # When clamd cannot be reached: "refuse" answers 503 (try again later), "hold" stores the
    # file hidden from everyone but its owner and staff until a scan passes. CVs are opened
    # by employers on their own machines, so they wait for a scan; pictures are re-encoded
    # from their pixels before they are stored, so little of what was sent survives in them.
    clamav_unavailable_documents: Literal["refuse", "hold"] = "refuse"
    clamav_unavailable_pictures: Literal["refuse", "hold"] = "hold"
    # Non-essential services (docs/legal.md): loaded only after a visitor accepts cookies, and
    # the consent banner exists only while one of them is set.
    ga_tracking_id: str | None = None
    posthog_host: str | None = None
    posthog_api_key: str | None = None
    # The operator's details in the legal documents, and a folder whose Markdown files replace
    # the packaged ones (legal/documents.py).
    legal_company_name: str = "HireMeBahamas"
    legal_company_address: str = "Nassau, New Providence, The Bahamas"
    legal_contact_email: str = "legal@hiremebahamas.com"
    legal_dir: Path | None = None
    # Bearer token for /metrics and /api/test-log. Unset: open in development and test, 404 in
    # staging and production (see web/ops.py).
    metrics_token: str | None = None

    _validate_csv = field_validator(
        "jwt_previous_secret_keys", "previous_secret_keys", "trusted_proxies", "database_read_replicas", mode="before"
    )(_csv)

    @field_validator("clamav_url")
    @classmethod
    def _clamav_url_is_an_address(cls, value: str | None) -> str | None:
        if value:
            parse_clamd_address(value)
        return value or None

    @model_validator(mode="before")
    @classmethod
    def _gather_read_replicas(cls, data: object) -> object:
        if isinstance(data, dict) and "database_read_replicas" not in data:
            urls: list[str] = []
            # The environment wins; a .env file's numbered names reach us as (lower-cased) extras.
            while value := os.environ.get(name := f"DATABASE_READ_REPLICA_{len(urls) + 1}") or data.get(name.lower()):
                urls.append(value)
            data["database_read_replicas"] = urls
        return data

    @model_validator(mode="after")
    def _fill_development_secrets(self) -> Settings:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            for name in ("secret_key", "jwt_secret_key"):
                value: str = getattr(self, name)
                if not value or value.startswith(DEV_SECRET_PREFIX):
                    setattr(self, name, installation_secret(self.var_dir / name))
        return self

    @model_validator(mode="after")
    def _base_url_follows_host_and_port(self) -> Settings:
        """Without BASE_URL, links in emails and API answers point where this process listens,
        so `PORT=9000 make run` does not hand out :8000 addresses."""
        if not self.base_url:
            host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
            self.base_url = f"http://{host}:{self.port}"
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment not in (Environment.PRODUCTION, Environment.STAGING):
            return self
        problems: list[str] = []
        for name in ("secret_key", "jwt_secret_key"):
            value: str = getattr(self, name)
            if value.startswith(DEV_SECRET_PREFIX) or len(value) < MIN_SECRET_LENGTH:
                problems.append(
                    f"{name.upper()} must be set to a random value of at least {MIN_SECRET_LENGTH} characters"
                )
        if self.secret_key == self.jwt_secret_key:
            problems.append("SECRET_KEY and JWT_SECRET_KEY must differ")
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def posthog_enabled(self) -> bool:
        return bool(self.posthog_host and self.posthog_api_key)

    @property
    def consent_required(self) -> bool:
        """Whether any non-essential service is configured, so visitors are asked first."""
        return bool(self.ga_tracking_id) or self.posthog_enabled

    @property
    def is_development(self) -> bool:
        return self.environment == Environment.DEVELOPMENT

    @property
    def staff_totp_required(self) -> bool:
        if self.staff_require_totp is not None:
            return self.staff_require_totp
        return self.environment not in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def cookies_secure(self) -> bool:
        return self.environment not in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def effective_log_level(self) -> str:
        if self.log_level:
            return self.log_level.upper()
        return "INFO" if self.environment in (Environment.PRODUCTION, Environment.STAGING) else "DEBUG"

    @cached_property
    def sqlalchemy_url(self) -> str:
        return normalise_database_url(self.database_url or f"sqlite:///{self.var_dir / 'hiremebahamas.db'}")

    @cached_property
    def read_replica_urls(self) -> list[str]:
        return [normalise_database_url(url) for url in self.database_read_replicas]

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def clamav_address(self) -> ClamdAddress | None:
        return parse_clamd_address(self.clamav_url) if self.clamav_url else None


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: a TCP host and port, or the path of a Unix socket."""

    host: str = ""
    port: int = 0
    path: str = ""

    def __str__(self) -> str:
        return f"unix://{self.path}" if self.path else f"tcp://{self.host}:{self.port}"


def parse_clamd_address(url: str) -> ClamdAddress:
    """`tcp://host:port` or `unix:///path/clamd.ctl`; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme == "unix" and parts.path and not parts.netloc:
        return ClamdAddress(path=parts.path)
    if parts.scheme == "tcp" and parts.hostname and parts.port and parts.path in ("", "/"):
        return ClamdAddress(host=parts.hostname, port=parts.port)
    raise ValueError("CLAMAV_URL must be tcp://host:port or unix:///path/to/clamd.ctl")


def normalise_database_url(url: str) -> str:
    """Map the URLs hosting providers hand out onto the async drivers we use."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def generate_secret() -> str:
    return secrets.token_urlsafe(48)


def installation_secret(path: Path) -> str:
    """The secret stored at `path`, created (mode 0600) on first use. A fixed placeholder would
    let anyone who read the source sign tokens for every development install.

    Several processes may start at once on one VAR_DIR: each writes its candidate to a file of
    its own and links it into place; only the first link succeeds, and everyone reads back the
    winner, so all of them sign with the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(generate_secret())
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process was first; its secret is the one to use
        finally:
            candidate.unlink(missing_ok=True)
    return path.read_text().strip()
