"""The small hierarchy of errors every layer raises and every entry point translates.

Messages are written for the person who has to act on them: a secretary filling a form, an
administrator fixing a YAML file, a script author reading an API response. The UI speaks Chinese, so
messages meant for end users are Chinese; messages about definitions and configuration are addressed to
administrators and name the file, line and YAML path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class FlowEngineError(Exception):
    """Base of every error flowengine raises on purpose; anything else is a bug."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong in a workflow definition file, located well enough to fix it."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        at = f" ({self.path})" if self.path else ""
        return f"{where}{at}: {self.message}"


class DefinitionError(FlowEngineError):
    """A workflow definition is invalid; carries *all* problems found, not just the first."""

    code = "definition_invalid"

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotFound(FlowEngineError):
    code = "not_found"


class PermissionDenied(FlowEngineError):
    code = "forbidden"


class ValidationFailed(FlowEngineError):
    """Form data is invalid. ``errors`` maps a field path (``candidates[2].name``) to a message."""

    code = "validation_failed"

    def __init__(self, errors: Mapping[str, str], message: str = "表单填写有误，请按提示修改。") -> None:
        self.errors = dict(errors)
        self.summary = message
        detail = "；".join(f"{k}：{v}" for k, v in self.errors.items())
        super().__init__(f"{message}（{detail}）" if detail else message)


@dataclass(frozen=True)
class CheckFailure:
    check: str
    reason: str
    field: str | None = None


class CheckFailed(FlowEngineError):
    """A named rule of the procedure refused the action; every failing rule is listed."""

    code = "check_failed"

    def __init__(self, failures: Sequence[CheckFailure]) -> None:
        self.failures = list(failures)
        super().__init__("；".join(f.reason for f in self.failures))


class StaleVersion(FlowEngineError):
    """Someone acted on the request after the caller loaded it; nothing was changed."""

    code = "stale_version"

    def __init__(self, instance_id: int, expected: int, actual: int, state_title: str = "") -> None:
        self.instance_id = instance_id
        self.expected = expected
        self.actual = actual
        now = f"，当前状态为“{state_title}”" if state_title else ""
        super().__init__(
            f"该申请已被他人处理（您看到的是第 {expected} 版，现为第 {actual} 版{now}），"
            "本次操作未生效，请刷新后查看最新状态。"
        )


class InvalidAction(FlowEngineError):
    """The action does not exist or is not possible in the instance's current state."""

    code = "invalid_action"


class ConfigurationError(FlowEngineError):
    code = "configuration_error"
