"""Wire the service layer together from :class:`Settings`: database, definitions, services.

Every entry point (web, API, scheduler, CLI) starts with :func:`open_services`, so they all see the same
schema checks and the same definitions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flowengine.clock import Clock, utcnow
from flowengine.config import Settings
from flowengine.definitions.calendar_file import load_calendar_file
from flowengine.engine import calendar
from flowengine.errors import ConfigurationError
from flowengine.persistence import migrate
from flowengine.persistence.db import Database
from flowengine.registry import Registry, discover
from flowengine.service.audit.ledger import AuditLedger
from flowengine.service.audit.seal import AuditSealer
from flowengine.service.audit.signing import KeyRing, SigningKey, check_pair
from flowengine.service.audit.verification import DocumentVerifier
from flowengine.service.catalog import Catalog
from flowengine.service.identity.accounts import Accounts
from flowengine.service.identity.delegations import Delegations
from flowengine.service.identity.directory import Directory
from flowengine.service.identity.org_settings import OrgSettings
from flowengine.service.identity.sessions import WebSessions
from flowengine.service.identity.throttle import Throttle
from flowengine.service.identity.tokens import ApiTokens
from flowengine.service.notify.notifications import Mailer, Notifications
from flowengine.service.ops.ratelimit import Limit, RateLimiter
from flowengine.service.publishing import Publishing
from flowengine.service.reads.inbox import Inbox
from flowengine.service.reads.queries import Queries
from flowengine.service.reads.supervision import Supervision
from flowengine.service.reads.trail_table import TrailTables
from flowengine.service.requests.documents import DocumentService
from flowengine.service.requests.flow import FlowService
from flowengine.service.requests.verbs import Verbs
from flowengine.service.sweep.escalation import Escalator, TermWatchConfig
from flowengine.service.sweep.timers import Timers


@dataclass
class Services:
    settings: Settings
    db: Database
    registry: Registry
    catalog: Catalog
    flow: FlowService
    directory: Directory
    accounts: Accounts
    queries: Queries
    escalator: Escalator
    notifications: Notifications
    ledger: AuditLedger
    documents: DocumentService
    tokens: ApiTokens
    sealer: AuditSealer
    supervision: Supervision
    inbox: Inbox
    verbs: Verbs
    delegations: Delegations
    verifier: DocumentVerifier
    sessions: WebSessions
    trails: TrailTables
    org_settings: OrgSettings
    publishing: Publishing

    def close(self) -> None:
        self.db.dispose()


def prepare_database(db: Database, *, auto_upgrade: bool) -> None:
    if migrate.is_up_to_date(db.engine):
        return
    if auto_upgrade:
        migrate.upgrade(db.engine)
        return
    raise ConfigurationError(
        f"数据库结构不是最新版本（当前 {migrate.current_revision(db.engine) or '空'}，"
        f"需要 {migrate.head_revision()}）：请先运行 flowengine db upgrade。"
    )


def open_services(
    settings: Settings | None = None, *, clock: Clock = utcnow, auto_upgrade: bool | None = None
) -> Services:
    """Open the database and load the definitions.

    The embedded SQLite default upgrades its schema by itself (no set-up step for a first run);
    PostgreSQL must be upgraded explicitly with ``flowengine db upgrade`` unless ``auto_upgrade`` is given.
    """
    settings = settings or Settings.from_env()
    # The audit keys live in files outside the database; a missing or unreadable one stops the process.
    signer = SigningKey.load(settings.audit_signing_key) if settings.audit_signing_key else None
    keys = KeyRing.load(settings.audit_public_keys) if settings.audit_public_keys else None
    check_pair(signer, keys)
    calendar.install_supplement(
        load_calendar_file(settings.calendar_file) if settings.calendar_file else None
    )
    db = Database(settings.database_url)
    try:
        prepare_database(db, auto_upgrade=settings.is_sqlite if auto_upgrade is None else auto_upgrade)
        registry = discover(settings.procedures_path)
        catalog = Catalog(settings.workflows_dir, registry)
        with db.write() as s:
            catalog.sync(s, clock())
            catalog.adopt(s)  # a version activated in the browser, newer than its file
        catalog.attach(db)
    except Exception:
        db.dispose()
        raise
    sealer = AuditSealer(
        db,
        clock,
        grace=dt.timedelta(seconds=settings.audit_seal_grace_seconds),
        signer=signer,
        require_signature=keys is not None,
    )
    escalator = Escalator(
        db,
        catalog,
        clock,
        TermWatchConfig(reminder_working_days=settings.term_reminder_working_days),
        mailer=Mailer(db, settings.smtp) if settings.smtp else None,
        batch_size=settings.sweep_batch,
        lease_seconds=settings.sweep_lease_seconds,
        sealer=sealer,
    )
    documents = DocumentService(db, catalog, clock, public_url=settings.public_url)
    flow = FlowService(db, catalog, clock, documents=documents)
    escalator.timers = Timers(
        db,
        flow,
        clock,
        escalator.owner,
        lease_seconds=settings.sweep_lease_seconds,
        batch=settings.sweep_batch,
    )
    security = settings.security
    throttle = Throttle(db, clock, security)
    return Services(
        settings,
        db,
        registry,
        catalog,
        flow,
        Directory(db, clock),
        Accounts(db, clock, throttle),
        Queries(db, catalog, clock),
        escalator,
        Notifications(db),
        AuditLedger(db, keys),
        documents,
        ApiTokens(db, clock, throttle, security),
        sealer,
        Supervision(db, catalog, clock),
        Inbox(db, catalog, clock, term_window_working_days=settings.term_reminder_working_days),
        Verbs(db, catalog, clock, flow),
        Delegations(db, clock, {n: d.title for n, d in catalog.current.items()}),
        DocumentVerifier(db, RateLimiter(db, Limit.parse(settings.verify_rate_limit), clock)),
        WebSessions(
            db,
            clock,
            idle=dt.timedelta(minutes=security.session_idle_minutes),
            lifetime=dt.timedelta(hours=security.session_max_hours),
        ),
        TrailTables(db, flow),
        OrgSettings(db, catalog),
        Publishing(db, catalog),
    )
