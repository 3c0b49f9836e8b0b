"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

Skipped, with the reason shown, when Chromium, Playwright or axe-core is missing. axe-core comes from
its npm package: `AXE_CORE_JS=/path/to/axe.min.js`, or `npm install --no-save axe-core` at the root.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BANGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_js() -> Path:
    candidates = [os.environ.get("AXE_CORE_JS"), ROOT / "node_modules/axe-core/axe.min.js"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.skip(
        "accessibility check skipped: axe-core not found "
        "(set AXE_CORE_JS or run `npm install --no-save axe-core` at the repository root)"
    )


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe(axe_js):
    """axe(page) → the serious and critical violations on the page (an empty list is a pass)."""

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(axe_js))
        violations = page.evaluate("async () => (await axe.run()).violations")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]

    return run


@pytest.fixture
def shots():
    """Where to write screenshots for a human to look at (BANGBAN_SCREENSHOTS), or None."""
    directory = os.environ.get("BANGBAN_SCREENSHOTS")
    if not directory:
        return None
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    return path
