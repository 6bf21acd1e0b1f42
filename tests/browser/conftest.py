"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

A new page needs one line: add its path to ``PAGES`` in ``test_pages.py``. Every page there is opened
at a phone and a desktop width, checked for a visible heading, horizontal scrolling and console
errors, screenshotted into ``artifacts/screenshots/`` and run through axe-core.

Chromium comes from the system (``apt-get install chromium``), never from ``playwright install``;
axe-core comes from npm into ``var/node/`` (``make test`` fetches it). Locally a missing piece
skips these tests with the reason; in CI (``CI=true``) it fails them, so they cannot silently vanish.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from minipack_web.catalog.services import catalog_load_bundled

# Playwright's sync API runs an asyncio loop in the test thread, and Django refuses ORM calls from
# a thread with a running loop. The fixtures' queries (loading the catalog, the flush after each
# test) are plain synchronous code, so the guard is a false alarm here. Set at import, before any
# test opens a connection; it only relaxes that one check.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MINIPACK_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the live server: no update checks, component downloads or sync traffic.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# name -> (width, height); the name is the test id and part of the screenshot's file name.
VIEWPORTS = {"375": (375, 812), "1280": (1280, 900)}

# axe impacts that fail a test; "minor" and "moderate" ones are left to review.
FAILING_IMPACTS = ("serious", "critical")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str) -> None:
    """Skip locally, fail in CI: a browser layer that skips in CI tests nothing."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run; each test gets its own context and page."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def bundled_catalog(transactional_db: None) -> None:
    """The bundled catalog, committed so the live server's thread sees it; flushed after the test."""
    catalog_load_bundled()


@pytest.fixture(params=sorted(VIEWPORTS, key=int))
def viewport(request: pytest.FixtureRequest) -> str:
    """The viewport's name ("375" or "1280"); override with ``@pytest.mark.parametrize("viewport", ["1280"])``."""
    return request.param


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions the page raised; filled by ``page``."""
    return []


# Chromium logs each Content-Security-Policy violation as a console error already; this names the blocked
# directive too, in one line a failing test prints. Init scripts come from the browser, so the CSP allows them.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


@pytest.fixture
def page(browser: Browser, viewport: str, console_errors: list[str]) -> Iterator[Page]:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()


@pytest.fixture
def visit(page: Page, live_server, bundled_catalog: None) -> Callable[[str], Page]:
    """Open a path on the live server, with the bundled catalog loaded, and check it answered 200."""

    def go(path: str) -> Page:
        response = page.goto(live_server.url + path, wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == 200, f"{path} answered {response.status}"
        return page

    return go


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Run axe-core in the page; fail listing every serious or critical violation."""
    if not AXE_JS.exists():
        _missing(f"{AXE_JS.relative_to(ROOT)} not found: run `make test`, or npm install --prefix var/node axe-core@4")

    def check(page: Page) -> None:
        # Evaluated by the browser, not added as a <script>: the page's CSP rightly refuses inline scripts.
        page.evaluate(AXE_JS.read_text())
        results = page.evaluate("axe.run()")
        bad = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
        assert not bad, f"axe found {len(bad)} serious or critical violation(s) on {page.url}:\n" + _format_violations(
            bad
        )

    return check


@pytest.fixture
def screenshot(viewport: str) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot as ``artifacts/screenshots/<name>-<viewport>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
        path = SCREENSHOTS / f"{slug}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
