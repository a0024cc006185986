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
import re
import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flowengine.definitions.loader import load_file, load_text
from flowengine.definitions.model import WorkflowDefinition
from flowengine.errors import DefinitionError, DefinitionProblem, NotFound
from flowengine.persistence.db import Database
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


#: How often a process looks for a version another process activated (seconds).
REFRESH_SECONDS = 5.0


def _line_of(source: str, key: str) -> int | None:
    """The line of a top-level ``key:`` in a YAML text."""
    for i, line in enumerate(source.splitlines(), start=1):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return i
    return None


class Catalog:
    def __init__(self, workflows_dir: Path, registry: Registry | None = None) -> None:
        self.workflows_dir = workflows_dir
        self.registry = registry or discover()
        loaded, problems = validate_paths([workflows_dir], self.registry, self.registry.definition_files())
        if problems:
            raise DefinitionError(problems)
        self._current: dict[str, WorkflowDefinition] = {d.name: d for d in loaded}
        self._versions: dict[tuple[str, int], WorkflowDefinition] = {d.key: d for d in loaded}
        self._row_ids: dict[tuple[str, int], int] = {}
        self._by_id: dict[int, WorkflowDefinition] = {}
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._checked = 0.0

    @property
    def current(self) -> dict[str, WorkflowDefinition]:
        """The version of each procedure that new requests start on: the highest recorded, whether it came
        from the workflows folder or was activated in the browser (another process's activation is seen
        within :data:`REFRESH_SECONDS`)."""
        if self._db is not None and time.monotonic() - self._checked > REFRESH_SECONDS:
            with self._db.read() as s:
                self.adopt(s)
        return self._current

    def attach(self, db: Database) -> None:
        """Watch ``db`` for versions activated by another process (see :attr:`current`)."""
        self._db = db

    def adopt(self, session: Session) -> list[WorkflowDefinition]:
        """Make the highest recorded version of each procedure its current one (a version activated in the
        browser is stored in the database only); returns the definitions that became current."""
        self._checked = time.monotonic()
        top = dict(
            session.execute(
                select(WorkflowDefinitionRow.name, func.max(WorkflowDefinitionRow.version)).group_by(
                    WorkflowDefinitionRow.name
                )
            ).all()
        )
        changed = []
        for name, version in top.items():
            mine = self._current.get(name)
            if mine is None or version <= mine.version:
                continue
            row = session.scalar(
                select(WorkflowDefinitionRow).where(
                    WorkflowDefinitionRow.name == name, WorkflowDefinitionRow.version == version
                )
            )
            if row is None:
                continue
            try:
                d = self.by_row(row)
            except DefinitionError:
                continue  # recorded by a newer release this process cannot read: keep what it runs
            self._current[name] = d
            self._row_ids[d.key] = row.id
            changed.append(d)
        return changed

    def check_new_version(self, source: str, filename: str) -> WorkflowDefinition:
        """A new version of a running procedure, validated fully — or DefinitionError with every problem,
        each with ``filename:line`` (and the YAML path). It must name a procedure already running and raise
        its version; running requests keep theirs."""
        d = load_text(source, filename, self.registry.vocabulary)
        running = self.current.get(d.name)
        if running is None:
            raise DefinitionError(
                [
                    DefinitionProblem(
                        filename,
                        _line_of(source, "name"),
                        "name",
                        f"没有正在运行的流程“{d.name}”：这里只能上传已有流程的新版本"
                        f"（现有：{'、'.join(sorted(self.current))}）",
                    )
                ]
            )
        if d.version <= running.version:
            raise DefinitionError(
                [
                    DefinitionProblem(
                        filename,
                        _line_of(source, "version"),
                        "version",
                        f"版本号须大于正在运行的第 {running.version} 版（改为 {running.version + 1}）；"
                        "运行中的申请保留各自的版本",
                    )
                ]
            )
        return d

    def record(self, session: Session, d: WorkflowDefinition, now: dt.datetime) -> int:
        """Record ``d`` (checked by :meth:`check_new_version`); :meth:`install` it once committed. Returns its
        row id. Refused if that version was recorded meanwhile."""
        exists = session.scalar(
            select(WorkflowDefinitionRow.id).where(
                WorkflowDefinitionRow.name == d.name, WorkflowDefinitionRow.version == d.version
            )
        )
        if exists is not None:
            raise DefinitionError(
                [DefinitionProblem(d.file, None, "version", f"第 {d.version} 版已经存在，请提高版本号")]
            )
        row = WorkflowDefinitionRow(
            name=d.name, version=d.version, title=d.title, source=d.source, sha256=d.sha256, loaded_at=now
        )
        session.add(row)
        session.flush()
        return row.id

    def install(self, d: WorkflowDefinition, row_id: int) -> None:
        """Make a recorded version current in this process: the next request starts on it."""
        with self._lock:
            self._versions[d.key] = d
            self._row_ids[d.key] = row_id
            if d.name not in self._current or self._current[d.name].version < d.version:
                self._current[d.name] = d

    def sync(self, session: Session, now: dt.datetime) -> list[WorkflowDefinition]:
        """Record current definitions in the database; returns the ones newly recorded."""
        new = []
        for d in list(self._current.values()):
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
