"""The procedure packages flowengine knows, found without flowengine naming any of them.

A procedure is a package: its YAML (in the workflows folder, or carried by the package itself), its named
rules with their typed parameters, its document composers, its supervision metrics, its upgrades of older
stored versions and its demo data. Each package exposes one :class:`Procedure` object, and is found

* through the ``flowengine.procedures`` entry-point group (how flowengine registers its own packages, and
  how an installed third-party package registers itself), and
* in the folders of the path setting (``FLOWENGINE_PROCEDURES_PATH``): every sub-folder with an
  ``__init__.py`` defining ``procedure`` is one, for a deployment's own procedures without packaging.

The engine, the service and the web ask the :class:`Registry`; none of them imports a procedure package.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flowengine.config import Settings
from flowengine.definitions.loader import RuleBook, Vocabulary
from flowengine.definitions.params import Param
from flowengine.documents.model import DocumentContext, OfficialDocument
from flowengine.engine.checks import COMMON, RuleSet
from flowengine.engine.rules import common as _common  # noqa: F401  (registers the common rules)
from flowengine.errors import ConfigurationError
from flowengine.metrics import Metric
from flowengine.vocabulary import ORG_TYPES, ROLES

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "flowengine.procedures"

Composer = Callable[[DocumentContext], OfficialDocument]
#: Takes the plain data of a stored definition version written in an older language, returns it current.
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
#: Seeds a procedure's demo requests through the demo's seeder (see :mod:`flowengine.demo`).
DemoSeed = Callable[[Any], None]


@dataclass(frozen=True)
class Procedure:
    """Everything one procedure package contributes. Only ``name`` and ``title`` are required."""

    name: str
    title: str
    rules: RuleSet = field(default_factory=lambda: RuleSet("empty"))
    #: Procedure-wide parameters the package's rules read; each definition gives their values.
    params: Mapping[str, Param] = field(default_factory=dict)
    #: Document composers by the definition's document key.
    composers: Mapping[str, Composer] = field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()
    #: Upgrades of stored definitions by (definition name, version), for versions older than the language.
    upgrades: Mapping[tuple[str, int], Upgrade] = field(default_factory=dict)
    #: YAML files the package carries (a plug-in's own definitions); the workflows folder wins on a name.
    definition_files: tuple[Path, ...] = ()
    demo: DemoSeed | None = None
    #: Where the code lives (set by discovery; shown to administrators).
    origin: str = ""


class Registry:
    """The procedures found, and the rule books and vocabulary the loader and the engine use."""

    def __init__(self, procedures: Iterable[Procedure]) -> None:
        self.procedures: dict[str, Procedure] = {}
        for p in procedures:
            if p.name in self.procedures:
                raise ConfigurationError(
                    f"两个流程包同名“{p.name}”：{self.procedures[p.name].origin} 与 {p.origin}，请删除或改名其中一个。"
                )
            self.procedures[p.name] = p
        self._books: dict[str, RuleBook] = {}
        self._vocabulary = Vocabulary(
            roles=tuple(ROLES),
            org_types=tuple(ORG_TYPES),
            books=self.book,
            packages=tuple(self.procedures),
            key=(id(self), tuple(sorted(self.procedures))),
        )

    def book(self, package: str) -> RuleBook:
        """The rules a definition of ``package`` may use: the common ones and the package's own."""
        book = self._books.get(package)
        if book is None:
            p = self.procedures.get(package)
            if p is None:
                book = RuleBook("", dict(COMMON.checks), dict(COMMON.predicates), dict(COMMON.effects))
            else:
                book = RuleBook(
                    p.name,
                    {**COMMON.checks, **p.rules.checks},
                    {**COMMON.predicates, **p.rules.predicates},
                    {**COMMON.effects, **p.rules.effects},
                    dict(p.params),
                    dict(p.upgrades),
                )
            self._books[package] = book
        return book

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocabulary

    def procedure(self, package: str) -> Procedure | None:
        return self.procedures.get(package)

    def composer(self, package: str, document: str) -> Composer | None:
        p = self.procedures.get(package)
        return p.composers.get(document) if p else None

    def metrics(self) -> list[tuple[Procedure, Metric]]:
        return [(p, m) for p in self.procedures.values() for m in p.metrics]

    def definition_files(self) -> list[Path]:
        return [f for p in self.procedures.values() for f in p.definition_files]


def _from_entry_points() -> list[Procedure]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        found.append(_checked(obj, f"entry point {ep.name} = {ep.value}"))
    return found


def _checked(obj: Any, origin: str) -> Procedure:
    if not isinstance(obj, Procedure):
        raise ConfigurationError(
            f"{origin} 不是流程包（应为 flowengine.registry.Procedure，实为 {type(obj).__name__}）。"
        )
    return Procedure(**{**obj.__dict__, "origin": obj.origin or origin})


def _from_folder(folder: Path) -> list[Procedure]:
    found = []
    if not folder.is_dir():
        raise ConfigurationError(f"流程包目录 {folder} 不存在（FLOWENGINE_PROCEDURES_PATH）。")
    for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file()):
        module_name = f"flowengine_local_procedures.{sub.name}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(
                module_name, sub / "__init__.py", submodule_search_locations=[str(sub)]
            )
            if spec is None or spec.loader is None:
                raise ConfigurationError(f"无法载入流程包 {sub}。")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception:
                del sys.modules[module_name]
                raise
        procedure = getattr(module, "procedure", None)
        if procedure is None:
            log.warning("%s has no `procedure`; skipped", sub)
            continue
        found.append(_checked(procedure, str(sub)))
    return found


_cache: dict[tuple[str, ...], Registry] = {}
_lock = threading.Lock()


def discover(paths: Sequence[Path] | None = None) -> Registry:
    """The registry of every procedure from the entry points and from ``paths`` (cached per ``paths``);
    without ``paths``, the folders of the path setting (``FLOWENGINE_PROCEDURES_PATH``)."""
    if paths is None:
        paths = Settings.from_env().procedures_path
    key = tuple(str(Path(p).resolve()) for p in paths)
    registry = _cache.get(key)
    if registry is None:
        with _lock:
            registry = _cache.get(key)
            if registry is None:
                procedures = _from_entry_points()
                for folder in key:
                    procedures.extend(_from_folder(Path(folder)))
                registry = _cache[key] = Registry(procedures)
    return registry


def vocabulary(paths: Sequence[Path] | None = None) -> Vocabulary:
    """The loader's vocabulary with every procedure of :func:`discover`."""
    return discover(paths).vocabulary
