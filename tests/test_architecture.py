"""The order of the apps holds (docs/decisions/0041-one-kernel.md): each app imports only the apps
below it, the kernel imports no app, and no app imports another app's private name.

The order itself is the import-linter contracts in pyproject.toml (`[tool.importlinter]`), run here
on this checkout's `src/`; the private names are found by reading every module with `ast`.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "bangban"
#: The apps and the kernel, each a package of its own for the private-name rule.
APPS = {"kernel", "network", "workdays", "messaging", "staff", "catalog", "cases", "portal"}


def lint_imports() -> subprocess.CompletedProcess:
    """`lint-imports` of the venv running the tests, on this checkout (not an installed copy)."""
    script = Path(sys.executable).with_name("lint-imports")
    if not script.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(  # noqa: S603 - our own venv's script, fixed arguments
        [str(script), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_apps_import_only_apps_below_them_and_the_kernel_none():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout, result.stdout


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app(module: str) -> str | None:
    """The app (or the kernel) a module belongs to; None for the top-level modules (bangban.api,
    urls, errors, settings, cli, wsgi), which may import anything."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "bangban" and parts[1] in APPS:
        return parts[1]
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Where `module` (its text `source`) uses a private name of another app: `from other import
    _name`, an import of a private module of another app, or `other_module._name`."""
    importer = _app(module)
    if importer is None:
        return []
    found = []
    other_modules: set[str] = set()  # local names bound to another app's modules
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            imported = _app(target)
            if imported is None or imported == importer:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if any(_private(part) for part in full.split(".")):
                    found.append(f"{module}:{node.lineno} imports {full}")
                else:
                    other_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported = _app(alias.name)
                if imported is None or imported == importer:
                    continue
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{module}:{node.lineno} imports {alias.name}")
                elif alias.asname:
                    other_modules.add(alias.asname)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in other_modules
            and _private(node.attr)
        ):
            found.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_app_imports_another_apps_private_name():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += private_imports(
            path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py"
        )
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from bangban.network.api import _refuse_unknown_query", "bangban.cases.api"),
        ("from bangban.staff.spreadsheets import _as_text", "bangban.catalog.spreadsheets"),
        ("from bangban.kernel.api import _private", "bangban.network.api"),
        (
            "from bangban.cases import actions\nactions._serves_at(None, None)",
            "bangban.portal.views",
        ),
        ("import bangban.network._hidden", "bangban.staff.views"),
        ("from ..network.access import _cache", "bangban.staff.views"),
    ],
)
def test_the_private_name_check_finds_a_private_import(source, module):
    assert private_imports(source, module)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from .actions import _check_day", "bangban.workdays.api"),  # within an app
        ("from bangban.cases.actions import _serves_at", "bangban.api"),  # a top-level module
        (
            "from bangban.kernel.spreadsheets import as_text as _as_text",
            "bangban.cases.spreadsheets",
        ),
        ("from __future__ import annotations", "bangban.kernel.api"),
    ],
)
def test_the_private_name_check_lets_these_be(source, module):
    assert not private_imports(source, module)
