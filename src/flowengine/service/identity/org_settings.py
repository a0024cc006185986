"""Per-organization settings of each procedure, for administrators in the browser.

An organization may set, for one procedure, any setting the definition declares (``settings:`` in the
YAML); what it does not set it inherits from the nearest organization above it that does, else the
definition's default (:func:`flowengine.service.requests.flow.effective_settings` reads them the same way
when a request starts or acts). Each value is validated against the shape of the setting's default
(:mod:`flowengine.definitions.setting_values`); a change is one ``org_settings`` event on the ``admin``
audit chain with every value before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from flowengine.definitions.model import WorkflowDefinition
from flowengine.definitions.setting_values import (
    Input,
    day_settings,
    form_values,
    in_words,
    inputs,
    parse,
    setting_title,
)
from flowengine.errors import NotFound, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import Organization
from flowengine.service.catalog import Catalog
from flowengine.service.identity.admins import admin_event, require_admin
from flowengine.vocabulary import ORG_TYPES, AuditKind


@dataclass(frozen=True)
class SettingRow:
    name: str
    title: str
    description: str
    default: str  # in words
    inherited: str  # the value without this organization's own (in words)
    inherited_from: str | None  # the organization it comes from (None: the definition's default)
    own: str | None  # this organization's value in words (None: not set here)
    inputs: tuple[Input, ...]
    values: Mapping[str, str]  # the inputs' texts
    days: bool  # a deadline or timer counts in it (whole days, at least one)


@dataclass(frozen=True)
class ProcedureSettings:
    workflow: str
    title: str
    version: int
    rows: tuple[SettingRow, ...]


@dataclass(frozen=True)
class OrgSettingsView:
    org_id: int
    org_name: str
    org_type: str
    procedures: tuple[ProcedureSettings, ...]


class OrgSettings:
    def __init__(self, db: Database, catalog: Catalog) -> None:
        self.db = db
        self.catalog = catalog

    def _org(self, s: Any, org_id: int) -> tuple[Organization, list[Organization]]:
        org = s.get(Organization, org_id)
        if org is None:
            raise NotFound(f"组织 {org_id} 不存在。")
        ids = [int(x) for x in org.path.strip("/").split("/")[:-1] if x]
        rows = (
            {o.id: o for o in s.scalars(select(Organization).where(Organization.id.in_(ids)))} if ids else {}
        )
        return org, [rows[i] for i in ids if i in rows]

    def view(
        self,
        admin_id: int,
        org_id: int,
        *,
        typed: Mapping[str, Mapping[str, str]] | None = None,
    ) -> OrgSettingsView:
        """Every procedure's settings as this organization has them; ``typed`` keeps a refused form's input."""
        with self.db.read() as s:
            require_admin(s, admin_id)
            org, ancestors = self._org(s, org_id)
            procedures = tuple(
                self._procedure(d, org, ancestors, (typed or {}).get(d.name))
                for d in sorted(self.catalog.current.values(), key=lambda d: d.title)
                if d.settings
            )
            return OrgSettingsView(org.id, org.name, ORG_TYPES.get(org.type, org.type), procedures)

    def _procedure(
        self,
        d: WorkflowDefinition,
        org: Organization,
        ancestors: list[Organization],
        typed: Mapping[str, str] | None,
    ) -> ProcedureSettings:
        own = dict((org.settings or {}).get(d.name) or {})
        days = day_settings(d)
        rows = []
        for name, sd in d.settings.items():
            inherited, source = sd.default, None
            for a in ancestors:  # root first: the nearest organization that sets it wins
                theirs = ((a.settings or {}).get(d.name) or {}).get(name)
                if theirs is not None:
                    inherited, source = theirs, a.name
            mine = own.get(name)
            rows.append(
                SettingRow(
                    name=name,
                    title=setting_title(sd),
                    description=sd.description,
                    default=in_words(sd.default),
                    inherited=in_words(inherited),
                    inherited_from=source,
                    own=in_words(mine) if mine is not None else None,
                    inputs=tuple(inputs(sd)),
                    values=(
                        {k: v for k, v in typed.items() if k.startswith(f"s-{name}")}
                        if typed is not None
                        else form_values(sd, mine)
                    ),
                    days=name in days,
                )
            )
        return ProcedureSettings(d.name, d.title, d.version, tuple(rows))

    def save(
        self,
        admin_id: int,
        org_id: int,
        workflow: str,
        form: Mapping[str, str],
        now: dt.datetime,
        client_addr: str | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Set the organization's own values of ``workflow``'s settings (an empty setting inherits).

        Returns the changes ``{setting: {"from": old, "to": new}}`` (empty when nothing changed: no event).
        Every wrong input is named (ValidationFailed, keyed by input name); nothing is changed then.
        """
        definition = self.catalog.current.get(workflow)
        if definition is None:
            raise NotFound(f"没有名为“{workflow}”的流程。")
        days = day_settings(definition)
        errors: dict[str, str] = {}
        new: dict[str, Any] = {}
        for name, sd in definition.settings.items():
            value, wrong = parse(sd, form, days=name in days)
            for field, message in wrong.items():
                label = next((i.label for i in inputs(sd) if i.field == field), "")
                errors[field] = f"{setting_title(sd)}{('（' + label + '）') if label else ''}：{message}"
            if value is not None:
                new[name] = value
        with self.db.write() as s:
            admin = require_admin(s, admin_id)
            org, _ = self._org(s, org_id)
            if errors:
                raise ValidationFailed(errors, f"“{definition.title}”的设置有误，未保存")
            all_settings = dict(org.settings or {})
            old = dict(all_settings.get(workflow) or {})
            kept = {k: v for k, v in old.items() if k not in definition.settings}  # of another version
            changes = {
                name: {"from": old.get(name), "to": new.get(name)}
                for name in definition.settings
                if old.get(name) != new.get(name)
            }
            if not changes:
                return {}
            merged = {**kept, **new}
            if merged:
                all_settings[workflow] = merged
            else:
                all_settings.pop(workflow, None)
            org.settings = all_settings
            words = "；".join(
                f"{setting_title(definition.settings[n])}："
                f"{in_words(c['from']) if c['from'] is not None else '沿用'} → "
                f"{in_words(c['to']) if c['to'] is not None else '沿用'}"
                for n, c in changes.items()
            )
            admin_event(
                s,
                admin,
                AuditKind.ORG_SETTINGS,
                now,
                org_id=org.id,
                comment=f"修改“{org.name}”的“{definition.title}”设置：{words}",
                data={"workflow": workflow, "version": definition.version, "changes": changes},
                client_addr=client_addr,
            )
            return changes


__all__ = ["OrgSettings", "OrgSettingsView", "ProcedureSettings", "SettingRow"]
