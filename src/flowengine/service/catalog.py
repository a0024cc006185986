"""The loaded workflow definitions, and their versions as recorded in the database.

Files in the workflows folder are the current versions, together with the YAML that procedure packages
carry themselves (a plug-in's own definitions; a file of the same name in the workflows folder wins, so a
deployment can pin or upgrade a plug-in's definition without touching the plug-in). Every version ever loaded is stored with its source and
hash, so an instance keeps running on the version it started with after a new one is deployed. Changing a
file without raising its ``version`` is refused: the stored source of a version is part of the audit
record and must never silently change under running requests.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from flowengine.definitions.loader import load_file, load_text
from flowengine.definitions.model import WorkflowDefinition
from flowengine.errors import DefinitionError, DefinitionProblem, NotFound
from flowengine.persistence.models import WorkflowDefinitionRow
from flowengine.registry import Registry, discover
from flowengine.service import audit


def definition_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.glob("*.yaml") if not x.name.startswith(".")))
        else:
            files.append(p)
    return files


def validate_paths(
    paths: list[Path], registry: Registry | None = None, extra: list[Path] | None = None
) -> tuple[list[WorkflowDefinition], list[DefinitionProblem]]:
    """Load every file and return what loaded plus every problem of every file (for the CLI).

    ``extra`` files (those procedure packages carry) are loaded after ``paths``, and skipped when a file
    of ``paths`` already defined their name.
    """
    vocab = (registry or discover()).vocabulary
    loaded: list[WorkflowDefinition] = []
    problems: list[DefinitionProblem] = []
    seen: dict[str, str] = {}
    own = definition_files(paths)
    for f in [*own, *(extra or [])]:
        try:
            d = load_file(f, vocab)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if d.name in seen and f not in own:
            continue  # the workflows folder defines it: the deployment's copy wins over the package's
        if d.name in seen:
            problems.append(
                DefinitionProblem(str(f), 1, "name", f"workflow {d.name!r} is also defined in {seen[d.name]}")
            )
            continue
        seen[d.name] = str(f)
        loaded.append(d)
    return loaded, problems


class Catalog:
    def __init__(self, workflows_dir: Path, registry: Registry | None = None) -> None:
        self.workflows_dir = workflows_dir
        self.registry = registry or discover()
        loaded, problems = validate_paths([workflows_dir], self.registry, self.registry.definition_files())
        if problems:
            raise DefinitionError(problems)
        self.current: dict[str, WorkflowDefinition] = {d.name: d for d in loaded}
        self._versions: dict[tuple[str, int], WorkflowDefinition] = {d.key: d for d in loaded}
        self._row_ids: dict[tuple[str, int], int] = {}
        self._by_id: dict[int, WorkflowDefinition] = {}
        self._lock = threading.Lock()

    def sync(self, session: Session, now: dt.datetime) -> list[WorkflowDefinition]:
        """Record current definitions in the database; returns the ones newly recorded."""
        new = []
        for d in self.current.values():
            row = session.scalar(
                select(WorkflowDefinitionRow).where(
                    WorkflowDefinitionRow.name == d.name, WorkflowDefinitionRow.version == d.version
                )
            )
            if row is None:
                row = WorkflowDefinitionRow(
                    name=d.name,
                    version=d.version,
                    title=d.title,
                    source=d.source,
                    sha256=d.sha256,
                    loaded_at=now,
                )
                session.add(row)
                session.flush()
                audit.append(
                    session,
                    at=now,
                    kind="definition_load",
                    action=d.name,
                    data={"name": d.name, "version": d.version, "sha256": d.sha256, "file": d.file},
                )
                new.append(d)
            elif row.sha256 != d.sha256:
                raise DefinitionError(
                    [
                        DefinitionProblem(
                            d.file,
                            1,
                            "version",
                            f"{d.name} version {d.version} is already recorded with different content; "
                            f"raise 'version' to {d.version + 1} to publish the change (running requests keep the old one)",
                        )
                    ]
                )
            self._row_ids[d.key] = row.id
        return new

    def latest(self, name: str) -> WorkflowDefinition:
        try:
            return self.current[name]
        except KeyError:
            raise NotFound(f"没有名为“{name}”的流程。") from None

    def row_id(self, session: Session, definition: WorkflowDefinition) -> int:
        rid = self._row_ids.get(definition.key)
        if rid is None:
            rid = session.scalar(
                select(WorkflowDefinitionRow.id).where(
                    WorkflowDefinitionRow.name == definition.name,
                    WorkflowDefinitionRow.version == definition.version,
                )
            )
            if rid is None:
                raise NotFound(
                    f"流程“{definition.title}”第 {definition.version} 版尚未登记，请先运行 flowengine db upgrade。"
                )
            self._row_ids[definition.key] = rid
        return rid

    def by_id(self, session: Session, definition_id: int) -> WorkflowDefinition:
        """The definition stored under ``definition_id``; rows never change, so the answer is cached."""
        d = self._by_id.get(definition_id)
        if d is None:
            row = session.get(WorkflowDefinitionRow, definition_id)
            if row is None:
                raise NotFound(f"流程定义 {definition_id} 不存在。")
            d = self._by_id[definition_id] = self.by_row(row)
        return d

    def by_row(self, row: WorkflowDefinitionRow) -> WorkflowDefinition:
        """The definition an instance runs on (parsed from the stored source for older versions)."""
        key = (row.name, row.version)
        d = self._versions.get(key)
        if d is None or d.sha256 != row.sha256:
            with self._lock:
                d = load_text(row.source, f"<stored {row.name} v{row.version}>", self.registry.vocabulary)
                self._versions[key] = d
        return d
