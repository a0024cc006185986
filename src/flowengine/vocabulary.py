"""The words of the domain, each with its one Chinese title: what every layer says and what the UI shows.

Statuses, kinds and roles are stored as their English values (``completed``, ``return``, ``handler``) and
shown through the title tables here, so a word is spelled once in code and once in Chinese. Organization
types and organization-wide roles are fixed words that definitions are written in: adding one here is a
deliberate act (it changes what every definition may say), so they live in code, not in YAML.
"""

from __future__ import annotations

from enum import StrEnum


class _Titled(StrEnum):
    """A string enum whose members have a Chinese title (``member.title``)."""

    @property
    def title(self) -> str:  # type: ignore[override]  # str.title() is not a word of the domain
        return _TITLES[type(self)][self]

    @classmethod
    def titles(cls) -> dict[str, str]:
        """``{value: title}`` for every member, in declaration order (for filters and select boxes)."""
        return {m.value: m.title for m in cls}


class InstanceStatus(_Titled):
    """Where a request stands as a whole; a final state's ``outcome`` names the status it ends in."""

    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class ActionKind(_Titled):
    """What an action means to the people around it (the audit kind and the UI's button style follow)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    WITHDRAW = "withdraw"
    RECORD = "record"
    REJECT = "reject"


class TaskKind(_Titled):
    """What a task asks of its holder: the state's own step, one signature of a countersign (会签), or an
    opinion asked for by 加签 (which can only be given, never decide the step)."""

    STEP = "step"
    SIGN = "sign"
    ADDED = "added"


class TaskStatus(_Titled):
    """A task is open until someone acts on its step; ``done`` by the one who closed it, ``closed`` for others."""

    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


class AuditKind(_Titled):
    """Every kind of audit event: what the trail, the timeline and the exports call it."""

    START = "start"
    ACTION = "action"
    APPROVE = "approve"
    RETURN = "return"
    WITHDRAW = "withdraw"
    REJECT = "reject"
    DOCUMENT = "document"
    ORG_UPDATE = "org_update"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    REASSIGNMENT = "reassignment"
    TERM_REMINDER = "term_reminder"
    TERM_EXPIRED = "term_expired"
    DEFINITION_LOAD = "definition_load"
    LOGIN_FAILURE = "login_failure"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"
    ORG_CREATE = "org_create"
    ORG_CHANGE = "org_change"
    USER_CREATE = "user_create"
    USER_DISABLE = "user_disable"
    USER_ENABLE = "user_enable"
    ROLE_GRANT = "role_grant"
    ROLE_REVOKE = "role_revoke"
    SIGN = "sign"
    TRANSFER = "transfer"
    ADD_SIGNER = "add_signer"
    OPINION = "opinion"
    COPY = "copy"
    COPY_READ = "copy_read"
    URGE = "urge"
    TAKE_BACK = "take_back"
    DELEGATION_CREATE = "delegation_create"
    DELEGATION_REVOKE = "delegation_revoke"
    TIMER = "timer"
    HOLD = "hold"
    ORG_SETTINGS = "org_settings"
    DEFINITION_PUBLISH = "definition_publish"

    @classmethod
    def of_action(cls, kind: str) -> AuditKind:
        """The audit kind an action of ``kind`` records: returns, withdrawals, approvals and rejections are
        told apart in the trail; every other step is an ``action``."""
        return {
            ActionKind.RETURN: cls.RETURN,
            ActionKind.WITHDRAW: cls.WITHDRAW,
            ActionKind.APPROVE: cls.APPROVE,
            ActionKind.REJECT: cls.REJECT,
        }.get(ActionKind(kind), cls.ACTION)


#: Audit kinds that record a person's step of a request (with the step's form data); the other kinds on a
#: request's chain are what the system did around it (reminders, escalations, documents, effects).
STEP_KINDS = frozenset(
    {
        AuditKind.START,
        AuditKind.ACTION,
        AuditKind.APPROVE,
        AuditKind.RETURN,
        AuditKind.WITHDRAW,
        AuditKind.REJECT,
    }
)


class NotificationKind(_Titled):
    """What an in-app (and e-mailed) notification is about, as the list shows beside it."""

    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    TERM_REMINDER = "term_reminder"
    TERM_EXPIRED = "term_expired"
    SIGN = "sign"
    TRANSFER = "transfer"
    ADDED = "added"
    COPY = "copy"
    URGE = "urge"
    TAKEN_BACK = "taken_back"
    DELEGATION = "delegation"
    TIMER = "timer"
    #: Outcomes told to the one waiting for them (the initiator, and the roles a definition's ``notify`` names).
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"
    URGED = "urged"


class OrgType(_Titled):
    WORK_COMMITTEE = "work_committee"
    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"


class Role(_Titled):
    """Roles a person holds in an organization; a definition's roles name these, relative to the request."""

    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    COMMITTEE_MEMBER = "committee_member"
    HANDLER = "handler"
    LEADER = "leader"
    AUDITOR = "auditor"
    DISCIPLINE = "discipline"
    ADMIN = "admin"


_TITLES: dict[type[_Titled], dict[_Titled, str]] = {
    InstanceStatus: {
        InstanceStatus.ACTIVE: "办理中",
        InstanceStatus.COMPLETED: "已办结",
        InstanceStatus.WITHDRAWN: "已撤回",
        InstanceStatus.REJECTED: "未通过",
    },
    ActionKind: {
        ActionKind.SUBMIT: "提交",
        ActionKind.APPROVE: "批准",
        ActionKind.RETURN: "退回",
        ActionKind.WITHDRAW: "撤回",
        ActionKind.RECORD: "登记",
        ActionKind.REJECT: "不予批准",
    },
    TaskKind: {TaskKind.STEP: "待办", TaskKind.SIGN: "待我会签", TaskKind.ADDED: "加签"},
    TaskStatus: {TaskStatus.OPEN: "待办", TaskStatus.DONE: "已办", TaskStatus.CLOSED: "已结束"},
    AuditKind: {
        AuditKind.START: "发起",
        AuditKind.ACTION: "办理",
        AuditKind.APPROVE: "批准",
        AuditKind.RETURN: "退回",
        AuditKind.WITHDRAW: "撤回",
        AuditKind.REJECT: "不予批准",
        AuditKind.DOCUMENT: "生成文书",
        AuditKind.ORG_UPDATE: "更新组织信息",
        AuditKind.REMINDER: "催办提醒",
        AuditKind.ESCALATION: "超期督办",
        AuditKind.REASSIGNMENT: "超期转办",
        AuditKind.TERM_REMINDER: "任期届满提醒",
        AuditKind.TERM_EXPIRED: "任期已届满",
        AuditKind.DEFINITION_LOAD: "载入流程定义",
        AuditKind.LOGIN_FAILURE: "登录失败",
        AuditKind.PASSWORD_CHANGE: "修改密码",
        AuditKind.PASSWORD_RESET: "重置密码",
        AuditKind.TOKEN_CREATE: "创建接口令牌",
        AuditKind.TOKEN_REVOKE: "吊销接口令牌",
        AuditKind.ORG_CREATE: "新建组织",
        AuditKind.ORG_CHANGE: "修改组织",
        AuditKind.ORG_SETTINGS: "修改流程设置",
        AuditKind.DEFINITION_PUBLISH: "启用流程新版本",
        AuditKind.USER_CREATE: "新建用户",
        AuditKind.USER_DISABLE: "停用用户",
        AuditKind.USER_ENABLE: "启用用户",
        AuditKind.ROLE_GRANT: "授予角色",
        AuditKind.ROLE_REVOKE: "撤销角色",
        AuditKind.SIGN: "会签意见",
        AuditKind.TRANSFER: "转办",
        AuditKind.ADD_SIGNER: "加签",
        AuditKind.OPINION: "加签意见",
        AuditKind.COPY: "抄送",
        AuditKind.COPY_READ: "已阅",
        AuditKind.URGE: "催办",
        AuditKind.TAKE_BACK: "拿回",
        AuditKind.DELEGATION_CREATE: "设置委托",
        AuditKind.DELEGATION_REVOKE: "撤销委托",
        AuditKind.TIMER: "到期自动办理",
        AuditKind.HOLD: "待加签意见后生效",
    },
    NotificationKind: {
        NotificationKind.REMINDER: "催办提醒",
        NotificationKind.OVERDUE: "超期提醒",
        NotificationKind.ESCALATION: "超期督办",
        NotificationKind.TERM_REMINDER: "换届提醒",
        NotificationKind.TERM_EXPIRED: "超期未换届",
        NotificationKind.SIGN: "待会签",
        NotificationKind.TRANSFER: "转办",
        NotificationKind.ADDED: "加签",
        NotificationKind.COPY: "抄送",
        NotificationKind.URGE: "催办",
        NotificationKind.TAKEN_BACK: "拿回",
        NotificationKind.DELEGATION: "委托",
        NotificationKind.TIMER: "到期提醒",
        NotificationKind.RETURNED: "已退回",
        NotificationKind.APPROVED: "已批复",
        NotificationKind.REJECTED: "不予批准",
        NotificationKind.COMPLETED: "已办结",
        NotificationKind.URGED: "已催办",
    },
    OrgType: {
        OrgType.WORK_COMMITTEE: "党委（工委）",
        OrgType.COMMITTEE: "基层党委",
        OrgType.GENERAL_BRANCH: "党总支",
        OrgType.BRANCH: "党支部",
    },
    Role: {
        Role.SECRETARY: "书记",
        Role.DEPUTY_SECRETARY: "副书记",
        Role.COMMITTEE_MEMBER: "委员",
        Role.HANDLER: "承办人",
        Role.LEADER: "分管领导",
        Role.AUDITOR: "纪检/巡察",
        Role.DISCIPLINE: "纪检干部",
        Role.ADMIN: "系统管理员",
    },
}

#: ``{value: title}`` tables, for code that looks a stored word up (``ROLES.get(role, role)``).
ORG_TYPES: dict[str, str] = OrgType.titles()
ROLES: dict[str, str] = Role.titles()


def title_of(enum: type[_Titled], value: str | None, default: str = "") -> str:
    """The Chinese title of a stored ``value`` of ``enum``; ``default`` (or the value) for an unknown one."""
    if value is None:
        return default
    try:
        return enum(value).title
    except ValueError:
        return default or value
