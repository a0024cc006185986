"""Configuration from environment variables: every ``FLOWENGINE_*`` variable is read here, and only here.

The variables are documented in one table, docs/deployment.md §7 (a test keeps the table and this module in
step). A value that cannot be read (``FLOWENGINE_SWEEP_BATCH=many``) stops the program with a message naming
the variable, rather than being replaced by a default the operator did not choose.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flowengine.errors import ConfigurationError

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """A top-level folder of the project (``workflows``, ``web``), from a checkout or an installed wheel."""
    checkout = PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "_data" / name


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"环境变量 {name}={raw!r} 应为整数。") from None
    if value < minimum:
        raise ConfigurationError(f"环境变量 {name}={value} 不能小于 {minimum}。")
    return value


def _paths(env: Mapping[str, str]) -> tuple[Path, ...]:
    raw = env.get("FLOWENGINE_PROCEDURES_PATH") or ""
    return tuple(Path(p) for p in raw.split(os.pathsep) if p.strip())


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("FLOWENGINE_PUBLIC_URL") or "").strip().rstrip("/")
    if raw and not raw.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"环境变量 FLOWENGINE_PUBLIC_URL={raw!r} 应为以 http:// 或 https:// 开头的网址。"
        )
    return raw or None


def _rate(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip() or default
    count, _, per = raw.partition("/")
    unit = per.strip().lower().lstrip("0123456789")
    if (
        not count.strip().isdigit()
        or int(count) < 1
        or unit not in ("second", "s", "minute", "min", "m", "hour", "h", "day")
    ):
        raise ConfigurationError(f"环境变量 {name}={raw!r} 应形如 30/minute（次数/second|minute|hour|day）。")
    return raw


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = (env.get(name) or "").strip()
    return Path(raw) if raw else None


def _flag(env: Mapping[str, str], name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "flowengine@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False


@dataclass(frozen=True)
class WebServerSettings:
    """gunicorn's settings (``flowengine serve --production``)."""

    bind: str = "127.0.0.1:8000"
    workers: int = 0  # 0: 2 × CPUs + 1
    timeout: int = 60
    max_requests: int = 5000
    forwarded_allow_ips: str = "127.0.0.1"


@dataclass(frozen=True)
class SecuritySettings:
    """Sessions, API tokens, the reverse proxy and sign-in throttling (docs/security.md)."""

    #: A session unused this long ends (minutes).
    session_idle_minutes: int = 120
    #: A session ends this long after its sign-in, used or not (hours).
    session_max_hours: int = 12
    #: An API token's lifetime when its creator names none, and the longest one may ask for (days).
    token_default_days: int = 90
    token_max_days: int = 365
    #: Reverse proxies in front of the web server whose ``X-Forwarded-For``/``-Proto``/``-Host`` are
    #: believed (Werkzeug's ProxyFix); 0: none, the connection's address is the client's.
    proxy_hops: int = 0
    #: Failures a key (an address, or an account at an address) may have before each next attempt waits.
    throttle_free_failures: int = 5
    #: Failures from one address (any account) before its attempts wait; larger, an office shares one.
    throttle_free_address_failures: int = 30
    #: The first wait (seconds); each further failure doubles it, up to ``throttle_max_delay_seconds``.
    throttle_base_delay_seconds: int = 2
    throttle_max_delay_seconds: int = 900


def _tristate(env: Mapping[str, str], name: str) -> bool | None:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"环境变量 {name}={raw!r} 应为 1 或 0。")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    workflows_dir: Path
    #: Read even when the settings are built in code, like the variables every process of a deployment shares.
    procedures_path: tuple[Path, ...] = field(default_factory=lambda: _paths(os.environ))
    calendar_file: Path | None = None
    secret_key: str | None = None
    #: ``Secure`` cookies and HSTS; None: on in production mode (``serve --production``), off otherwise.
    secure_cookies: bool | None = None
    worker_header: bool = False
    log_level: str = "INFO"
    log_format: str = "text"
    smtp: SmtpSettings | None = None
    sweep_batch: int = 200
    sweep_lease_seconds: int = 300
    term_reminder_working_days: int = 120
    audit_seal_grace_seconds: int = 300
    #: The private key that signs the audit seals (the scheduler's host only; never in the database).
    audit_signing_key: Path | None = None
    #: The public keys ``audit verify`` trusts (old keys stay after a rotation).
    audit_public_keys: Path | None = None
    health_max_heartbeat_age: int = 300
    #: The site's address as the public reaches it (https://oa.example.cn): the QR code of each document
    #: opens its verification page there. Unset: the QR code holds the verification code alone.
    public_url: str | None = None
    #: The public verification page's allowance per client address, e.g. 30/minute.
    verify_rate_limit: str = "30/minute"
    web: WebServerSettings = field(default_factory=WebServerSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    #: Read even when the settings are built in code (tests do), so no test pays for real Argon2 hashing.
    fast_password_hashing: bool = field(
        default_factory=lambda: _flag(os.environ, "FLOWENGINE_TEST_FAST_PASSWORD_HASHING")
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("FLOWENGINE_DATA_DIR") or "var").resolve()
        url = env.get("FLOWENGINE_DATABASE_URL") or f"sqlite:///{data_dir / 'flowengine.sqlite3'}"
        workflows = Path(env.get("FLOWENGINE_WORKFLOWS_DIR") or shipped_dir("workflows"))
        procedures = _paths(env)
        calendar_file = Path(env["FLOWENGINE_CALENDAR_FILE"]) if env.get("FLOWENGINE_CALENDAR_FILE") else None
        host = (env.get("FLOWENGINE_SMTP_HOST") or "").strip()
        smtp = (
            SmtpSettings(
                host=host,
                port=_int(env, "FLOWENGINE_SMTP_PORT", 25, 1),
                sender=env.get("FLOWENGINE_SMTP_FROM") or "flowengine@localhost",
                username=env.get("FLOWENGINE_SMTP_USER") or None,
                password=env.get("FLOWENGINE_SMTP_PASSWORD") or None,
                starttls=_flag(env, "FLOWENGINE_SMTP_STARTTLS"),
            )
            if host
            else None
        )
        return cls(
            database_url=url,
            data_dir=data_dir,
            workflows_dir=workflows,
            procedures_path=procedures,
            calendar_file=calendar_file,
            secret_key=env.get("FLOWENGINE_SECRET_KEY") or None,
            secure_cookies=_tristate(env, "FLOWENGINE_SECURE_COOKIES"),
            worker_header=_flag(env, "FLOWENGINE_WORKER_HEADER"),
            log_level=(env.get("FLOWENGINE_LOG_LEVEL") or "INFO").upper(),
            log_format=(env.get("FLOWENGINE_LOG_FORMAT") or "text").lower(),
            smtp=smtp,
            sweep_batch=_int(env, "FLOWENGINE_SWEEP_BATCH", 200, 1),
            sweep_lease_seconds=_int(env, "FLOWENGINE_SWEEP_LEASE_SECONDS", 300, 1),
            term_reminder_working_days=_int(env, "FLOWENGINE_TERM_REMINDER_WORKING_DAYS", 120),
            audit_seal_grace_seconds=_int(env, "FLOWENGINE_AUDIT_SEAL_GRACE_SECONDS", 300),
            audit_signing_key=_path(env, "FLOWENGINE_AUDIT_SIGNING_KEY"),
            audit_public_keys=_path(env, "FLOWENGINE_AUDIT_PUBLIC_KEYS"),
            health_max_heartbeat_age=_int(env, "FLOWENGINE_HEALTH_MAX_HEARTBEAT_AGE", 300),
            public_url=_public_url(env),
            verify_rate_limit=_rate(env, "FLOWENGINE_VERIFY_RATE_LIMIT", "30/minute"),
            web=WebServerSettings(
                bind=env.get("FLOWENGINE_BIND") or "127.0.0.1:8000",
                workers=_int(env, "FLOWENGINE_WEB_WORKERS", 0),
                timeout=_int(env, "FLOWENGINE_WEB_TIMEOUT", 60, 1),
                max_requests=_int(env, "FLOWENGINE_WEB_MAX_REQUESTS", 5000),
                forwarded_allow_ips=env.get("FLOWENGINE_FORWARDED_ALLOW_IPS") or "127.0.0.1",
            ),
            security=_security(env),
            fast_password_hashing=_flag(env, "FLOWENGINE_TEST_FAST_PASSWORD_HASHING"),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _security(env: Mapping[str, str]) -> SecuritySettings:
    d = SecuritySettings()
    default_days = _int(env, "FLOWENGINE_TOKEN_DAYS", d.token_default_days, 1)
    max_days = _int(env, "FLOWENGINE_TOKEN_MAX_DAYS", max(d.token_max_days, default_days), 1)
    if default_days > max_days:
        raise ConfigurationError(
            f"环境变量 FLOWENGINE_TOKEN_DAYS={default_days} 不能大于 FLOWENGINE_TOKEN_MAX_DAYS={max_days}。"
        )
    return SecuritySettings(
        session_idle_minutes=_int(env, "FLOWENGINE_SESSION_IDLE_MINUTES", d.session_idle_minutes, 1),
        session_max_hours=_int(env, "FLOWENGINE_SESSION_MAX_HOURS", d.session_max_hours, 1),
        token_default_days=default_days,
        token_max_days=max_days,
        proxy_hops=_int(env, "FLOWENGINE_PROXY_HOPS", d.proxy_hops),
        throttle_free_failures=_int(env, "FLOWENGINE_THROTTLE_FREE_FAILURES", d.throttle_free_failures, 1),
        throttle_free_address_failures=_int(
            env, "FLOWENGINE_THROTTLE_FREE_ADDRESS_FAILURES", d.throttle_free_address_failures, 1
        ),
        throttle_base_delay_seconds=_int(
            env, "FLOWENGINE_THROTTLE_BASE_DELAY_SECONDS", d.throttle_base_delay_seconds, 1
        ),
        throttle_max_delay_seconds=_int(
            env, "FLOWENGINE_THROTTLE_MAX_DELAY_SECONDS", d.throttle_max_delay_seconds, 1
        ),
    )
