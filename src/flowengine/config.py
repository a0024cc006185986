"""Configuration from environment variables, in one place.

| variable | meaning | default |
|---|---|---|
| ``FLOWENGINE_DATABASE_URL`` | SQLAlchemy URL (``postgresql+psycopg://...`` in production) | SQLite file ``$FLOWENGINE_DATA_DIR/flowengine.sqlite3`` |
| ``FLOWENGINE_DATA_DIR`` | where the embedded database and generated files live | ``./var`` |
| ``FLOWENGINE_WORKFLOWS_DIR`` | folder of workflow YAML files | the shipped ``workflows/`` |
| ``FLOWENGINE_RULE_MODULES`` | comma-separated Python modules whose import registers extra checks | none |
| ``FLOWENGINE_CALENDAR_FILE`` | holiday file for years ``chinesecalendar`` does not know yet | none |
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """A top-level folder of the project (``workflows``, ``web``), from a checkout or an installed wheel."""
    checkout = PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "_data" / name


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    workflows_dir: Path
    rule_modules: tuple[str, ...] = field(default=())
    calendar_file: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("FLOWENGINE_DATA_DIR") or "var").resolve()
        url = env.get("FLOWENGINE_DATABASE_URL") or f"sqlite:///{data_dir / 'flowengine.sqlite3'}"
        workflows = Path(env.get("FLOWENGINE_WORKFLOWS_DIR") or shipped_dir("workflows"))
        modules = tuple(m.strip() for m in (env.get("FLOWENGINE_RULE_MODULES") or "").split(",") if m.strip())
        calendar_file = Path(env["FLOWENGINE_CALENDAR_FILE"]) if env.get("FLOWENGINE_CALENDAR_FILE") else None
        return cls(
            database_url=url,
            data_dir=data_dir,
            workflows_dir=workflows,
            rule_modules=modules,
            calendar_file=calendar_file,
        )

    def import_rule_modules(self) -> None:
        """Import deployment-specific rule modules (their import registers checks and predicates)."""
        for module in self.rule_modules:
            importlib.import_module(module)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
