"""The service facade: the one module the web UI, the JSON API, the CLI, the scheduler and the demo import.

Behind it the service is grouped by concept — ``requests`` (start, act, documents, diagrams), ``identity``
(accounts, the organization tree, users, tokens), ``audit`` (the trail, seals, verification), ``sweep``
(deadlines, escalation, the term watch), ``notify``, ``reads`` (inbox, search, timelines, supervision) and
``ops`` (health, copying a database) — plus the one access policy (``access``) and the catalog of
definitions. An entry point never imports a room directly (an import-linter contract checks it): what it
may use is what this module exports.
"""

from flowengine.documents.numbering import derived_prefix
from flowengine.service.access import SubjectRecord
from flowengine.service.app import Services, open_services
from flowengine.service.audit.ledger import load_export, verify_events
from flowengine.service.audit.signing import KeyRing
from flowengine.service.audit.signing import generate_key as generate_audit_key
from flowengine.service.audit.verification import MAX_UPLOAD, Verdict
from flowengine.service.catalog import definition_files, validate_paths
from flowengine.service.identity.accounts import AccountView, LoginRefused
from flowengine.service.identity.delegations import DelegationView
from flowengine.service.identity.directory import ORG_FORM_FIELDS, parse_org_tree
from flowengine.service.identity.throttle import TooManyAttempts
from flowengine.service.identity.tokens import MAX_NAME_LENGTH, SCOPES, NewToken, TokenGrant, TokenView
from flowengine.service.ops import health
from flowengine.service.ops.dbcopy import copy_database
from flowengine.service.ops.ratelimit import RateLimited
from flowengine.service.ops.roles import grant_app_role
from flowengine.service.reads.inbox import CATEGORIES as INBOX_CATEGORIES
from flowengine.service.reads.inbox import CopyView, TermTaskView
from flowengine.service.reads.progress import ProgressStep, progress
from flowengine.service.reads.queries import (
    ORG_OPTIONS_LIMIT,
    RequestRow,
    SearchCriteria,
    TaskTiming,
    task_timing,
    timeline,
)
from flowengine.service.reads.queries import steps as request_steps
from flowengine.service.reads.supervision import (
    FILTER_TITLES,
    SORTS,
    Criteria,
    MetricView,
    Overview,
    Supervision,
    SupervisionRow,
)
from flowengine.service.reads.supervision import STATUS_TITLES as TERM_STATUS_TITLES
from flowengine.service.requests.diagrams import mermaid
from flowengine.service.requests.documents import MIMETYPE, DocumentView
from flowengine.service.views import (
    ActionView,
    Actor,
    AuditView,
    InstanceView,
    Page,
    PersonOption,
    SignatureView,
    TaskView,
    VerbsView,
)

__all__ = [
    "MAX_UPLOAD",
    "RateLimited",
    "Verdict",
    "FILTER_TITLES",
    "INBOX_CATEGORIES",
    "CopyView",
    "TermTaskView",
    "ProgressStep",
    "progress",
    "DelegationView",
    "PersonOption",
    "SignatureView",
    "SubjectRecord",
    "VerbsView",
    "MAX_NAME_LENGTH",
    "MIMETYPE",
    "ORG_FORM_FIELDS",
    "ORG_OPTIONS_LIMIT",
    "SORTS",
    "TERM_STATUS_TITLES",
    "AccountView",
    "ActionView",
    "Actor",
    "AuditView",
    "Criteria",
    "DocumentView",
    "InstanceView",
    "KeyRing",
    "LoginRefused",
    "SCOPES",
    "TokenGrant",
    "TokenView",
    "TooManyAttempts",
    "MetricView",
    "NewToken",
    "Overview",
    "Page",
    "RequestRow",
    "SearchCriteria",
    "Services",
    "Supervision",
    "SupervisionRow",
    "TaskTiming",
    "TaskView",
    "copy_database",
    "derived_prefix",
    "definition_files",
    "generate_audit_key",
    "grant_app_role",
    "health",
    "load_export",
    "mermaid",
    "open_services",
    "parse_org_tree",
    "request_steps",
    "task_timing",
    "timeline",
    "validate_paths",
    "verify_events",
]
