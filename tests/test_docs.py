"""Nothing cites what the repository lacks: every file named in the code, the tests and the docs
exists, every decision cited by number has its record, and every section cited of the architecture
and domain pages (`docs/architecture.md`, `docs/domain.md`) is a heading there.

A citation is read as it is written: a path with a directory and an extension, a capitalised bare
name with `.md`, `decision NNNN` (or `decisions NNNN and NNNN`), a section name in double quotes right
after one of the two pages. A path is found from the repository's root, from `src/`, `src/bangban/`
(module paths such as `cases/workflow.py`), the templates and static folders, `tests/`, or the citing
file's own folder; a module path also names the package of that name (an `actions.py` that became an
`actions/` package is still there).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bangban"
SEARCHED = ("src", "tests", "docs")
SUFFIXES = {".py", ".md", ".html", ".txt", ".js", ".css"}
SKIPPED_DIRS = {"vendor", "locale", "__pycache__", "migrations"}
BASES = (
    ROOT,
    ROOT / "src",
    PACKAGE,
    PACKAGE / "templates",
    *sorted(PACKAGE.glob("*/templates")),  # an app's own templates (`kernel/widgets/select.html`)
    PACKAGE / "static",
    ROOT / "tests",
)

EXTENSIONS = "md|py|toml|txt|html|js|css|sh|json"
#: `docs/guide.md`, `cases/actions.py`, `tests/pages.py`: a directory, a name, an extension.
PATH = re.compile(
    rf"(?<![\w/.:<>{{*-])((?:[\w.-]+/)+[\w-]+(?:\.[\w-]+)*\.(?:{EXTENSIONS}))(?![\w/])"
)
#: A capitalised bare page name: `README.md`, and the two pages this repository once cited bare.
BARE = re.compile(r"(?<![\w/.-])([A-Z][A-Z_]+\.md)\b")
DECISION = re.compile(r"\bdecisions?\s+(\d{4}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*/\s*)\d{4})*)")
SECTION = re.compile(
    r"docs/(architecture|domain)\.md`?\s*\(?\"([^\"\n]+)\"((?:\s*(?:,|;|and|or)\s*\"[^\"\n]+\")*)"
)
#: Paths that are not the repository's: what a developer installs beside it, Django's admin static
#: files and its own templates, what a running deployment writes.
OUTSIDE = ("node_modules/", ".venv/", "admin/", "django/", "var/")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def sources() -> list[Path]:
    found = [ROOT / "README.md"]
    for top in SEARCHED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
                and not any(part.endswith(".egg-info") for part in path.parts)
            ):
                found.append(path)
    return found


def citations(pattern: re.Pattern) -> list[tuple[Path, int, re.Match]]:
    """Every match of `pattern` in the searched files, with the file and the line."""
    found = []
    for path in sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in pattern.finditer(text):
            found.append((path, text.count("\n", 0, match.start()) + 1, match))
    return found


def exists(cited: str, citing: Path) -> bool:
    for base in (*BASES, citing.parent):
        target = base / cited
        if target.exists():
            return True
        if cited.endswith(".py") and (target.with_suffix("") / "__init__.py").exists():
            return True
    return False


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_every_cited_file_exists():
    missing = [
        f"{where(path, line)} cites {match.group(1)}"
        for pattern in (PATH, BARE)
        for path, line, match in citations(pattern)
        if not match.group(1).startswith(OUTSIDE) and not exists(match.group(1), path)
    ]
    assert not missing, "\n".join(missing)


def test_every_cited_decision_has_its_record():
    records = {path.name[:4] for path in (ROOT / "docs" / "decisions").glob("[0-9]*.md")}
    missing = [
        f"{where(path, line)} cites decision {number}"
        for path, line, match in citations(DECISION)
        for number in re.findall(r"\d{4}", match.group(1))
        if number not in records
    ]
    assert not missing, "\n".join(missing)


@cache
def headings(page: str) -> frozenset[str]:
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    return frozenset(heading.replace("`", "") for heading in HEADING.findall(text))


@pytest.mark.parametrize("page", ["architecture", "domain"])
def test_the_project_explains_itself(page):
    """The architecture and domain pages are the repository's own, not a folder beside it."""
    assert len(headings(page)) >= 5


def test_every_cited_section_is_a_heading():
    missing = []
    for path, line, match in citations(SECTION):
        page = match.group(1)
        names = [match.group(2), *re.findall(r"\"([^\"\n]+)\"", match.group(3))]
        missing += [
            f'{where(path, line)} cites docs/{page}.md "{name}"'
            for name in names
            if name not in headings(page)
        ]
    assert not missing, "\n".join(missing)
