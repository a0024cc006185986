"""The test suite's own layout: shared helpers live in ``tests/support/``, fixtures in ``conftest.py`` files,
and no module imports a test module or a conftest.

Importing a test module runs it a second time under another name (its tests collected again wherever it
is imported into, its module-level setup done twice) and ties unrelated tests together; importing a
conftest bypasses pytest, which loads conftests itself. Every file under ``tests/`` is parsed, not imported,
so a forbidden import is found even where it sits inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT

TESTS = ROOT / "tests"


def _package_of(path: Path, root: Path) -> list[str]:
    """The dotted package a file under ``root/tests`` belongs to, as parts: tests/web/x.py → tests, web."""
    return list(path.relative_to(root).with_suffix("").parts[:-1])


def _absolute(node: ast.ImportFrom, package: list[str]) -> str:
    """The module a ``from … import`` names, with a relative one (``from .x``, ``from ..``) resolved."""
    if not node.level:
        return node.module or ""
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported(tree: ast.AST, package: list[str]) -> Iterator[tuple[int, str]]:
    """Each module a file imports, with its line: ``from a import b`` names ``a`` and ``a.b`` (``b`` may be a
    module); ``importlib.import_module("…")`` and ``__import__("…")`` with a literal name count too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            yield node.lineno, module
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{module}.{alias.name}" if module else alias.name
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__"))
            )
        ):
            yield node.lineno, node.args[0].value


def _forbidden(module: str, test_modules: set[str]) -> str | None:
    """Why importing ``module`` breaks the rule, or None."""
    parts = module.split(".")
    if "conftest" in parts:
        return "a conftest module"
    if parts[0] == "tests" and any(p.startswith("test_") for p in parts[1:]):
        return "a test module"
    if parts[0].startswith("test_") and parts[0] in test_modules:
        return "a test module"  # the same file reached through sys.path instead of the package
    return None


def layout_violations(root: Path) -> list[str]:
    """``file:line imports …`` for every forbidden import in ``root/tests/**/*.py``, one per import."""
    files = sorted((root / "tests").rglob("*.py"))
    test_modules = {f.stem for f in files if f.stem.startswith("test_")}
    out = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found: dict[int, list[str]] = {}
        for line, module in sorted(_imported(tree, _package_of(path, root))):
            why = _forbidden(module, test_modules)
            seen = found.setdefault(line, [])
            if why and not any(module.startswith(f"{m}.") for m in seen):  # from tests.conftest import A, B
                seen.append(module)
                out.append(f"{path.relative_to(root)}:{line} imports {module} ({why})")
    return out


def test_no_module_imports_a_test_module_or_a_conftest() -> None:
    found = layout_violations(ROOT)
    assert not found, (
        "shared helpers and constants belong in tests/support/, fixtures in conftest.py; "
        "these imports break that:\n" + "\n".join(found)
    )


def test_the_shared_helpers_are_a_package() -> None:
    assert (TESTS / "support" / "__init__.py").is_file()
    assert not (TESTS / "support.py").exists()


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("tests/web/test_a.py", "from tests.web.conftest import Browser\n", "tests.web.conftest"),
        ("tests/web/test_a.py", "import tests.conftest\n", "tests.conftest"),
        ("tests/web/test_a.py", "from tests.service.test_act import GOOD\n", "tests.service.test_act"),
        ("tests/web/test_a.py", "import tests.service.test_act as act\n", "tests.service.test_act"),
        ("tests/web/test_a.py", "from tests.service import test_act\n", "tests.service.test_act"),
        ("tests/web/test_a.py", "from . import conftest\n", "tests.web.conftest"),
        ("tests/web/test_a.py", "from .test_b import X\n", "tests.web.test_b"),
        ("tests/web/test_a.py", "from ..service.test_act import GOOD\n", "tests.service.test_act"),
        ("tests/web/test_a.py", "def f():\n    from tests.conftest import ROOT\n", "tests.conftest"),
        ("tests/web/test_a.py", "import conftest\n", "conftest"),
        ("tests/web/test_a.py", "from test_b import X\n", "test_b"),
        ("tests/web/test_a.py", 'importlib.import_module("tests.web.test_b")\n', "tests.web.test_b"),
        (
            "tests/support/x.py",
            "from tests.workflows.test_shipped import Y\n",
            "tests.workflows.test_shipped",
        ),
    ],
)
def test_every_form_of_a_forbidden_import_is_found(
    tmp_path: Path, where: str, source: str, expected: str
) -> None:
    """The check itself: each way of writing the import is caught, with the file and the line."""
    for name in ("tests/__init__.py", "tests/web/__init__.py", "tests/web/test_b.py", where):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    (tmp_path / where).write_text(source, encoding="utf-8")
    line = source.count("\n", 0, source.index("import")) + 1
    found = layout_violations(tmp_path)
    assert found and all(v.startswith(f"{where}:{line} ") for v in found), found
    assert any(f" imports {expected} " in v for v in found), found


@pytest.mark.parametrize(
    "source",
    [
        "from tests.support import Clock, World\n",
        "from tests.support.web import Browser, snapshot\n",
        "import tests.support.paths\n",
        "from .helpers import snapshot\n",
        "from . import contest\n",
        "from flowengine.service import Services\n",
    ],
)
def test_imports_of_support_modules_pass(tmp_path: Path, source: str) -> None:
    (tmp_path / "tests" / "web").mkdir(parents=True)
    (tmp_path / "tests" / "web" / "test_a.py").write_text(source, encoding="utf-8")
    assert layout_violations(tmp_path) == []
