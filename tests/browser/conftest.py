"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

Skipped, with the reason shown, when Chromium, Playwright or axe-core is missing. axe-core comes from
its npm package: `AXE_CORE_JS=/path/to/axe.min.js`, or `npm install --no-save axe-core` at the root.

Every page any browser test opens is held to the Content-Security-Policy (decision 0044): each browser
context reports the `securitypolicyviolation` events of its pages and Chromium's own "Refused to …"
messages, and a test that saw one fails, whatever it asserts itself.
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


#: Reports each violation of the Content-Security-Policy to the console, where `watch_policy` hears it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " refused " + (event.blockedURI || "inline")
    + " at " + (event.sourceFile || document.location.href) + ":" + event.lineNumber
    + (event.sample ? " (" + event.sample + ")" : ""));
});
"""
#: Violations of the Content-Security-Policy seen by the current test, from any context.
POLICY_VIOLATIONS: list[str] = []


def watch_policy(context):
    """Have every page of `context` report the Content-Security-Policy's violations."""
    context.add_init_script(REPORT_VIOLATIONS)

    def heard(message):
        text = message.text
        if text.startswith("CSP violation: ") or (
            text.startswith("Refused to") and "Content Security Policy" in text
        ):
            POLICY_VIOLATIONS.append(f"{text} [{message.page.url if message.page else '?'}]")

    context.on("console", heard)
    return context


def watched(new_context):
    """`browser.new_context`, each new context watched for violations (tests call it directly too)."""

    def new_watched_context(*args, **kwargs):
        return watch_policy(new_context(*args, **kwargs))

    return new_watched_context


@pytest.fixture(autouse=True)
def no_policy_violations():
    """Fails the test if any page it opened broke the Content-Security-Policy (an inline script, a
    style attribute or <style> element, an inline handler, eval)."""
    POLICY_VIOLATIONS.clear()
    yield
    violations = list(POLICY_VIOLATIONS)
    POLICY_VIOLATIONS.clear()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def add_style(page, css: str) -> None:
    """Add `css` to the page as a user's style sheet would (larger text, say): as a constructed style
    sheet, which the policy allows, where `page.add_style_tag` adds a <style> element it refuses."""
    page.evaluate(
        """css => {
             const sheet = new CSSStyleSheet();
             sheet.replaceSync(css);
             document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
           }""",
        css,
    )


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
        browser.new_context = watched(browser.new_context)
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
        # Evaluated through the DevTools protocol, not added as an inline <script> the page's
        # Content-Security-Policy would refuse.
        page.evaluate(axe_js.read_text(encoding="utf-8"))
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
