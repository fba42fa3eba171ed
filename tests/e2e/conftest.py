"""The browser: Debian's Chromium driven by Playwright, against the portal served on a free
port (the test tool's own browser download does not work here, and is not needed).

Every context a test opens (through the `page` fixture or `browser.new_context()`) is watched for
Content-Security-Policy violations, as the page's `securitypolicyviolation` events and as the
console errors Chromium writes for them; a test during which any occurred fails at teardown."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import ServerThread
from tests.e2e.screens import PHONE

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these Chromium keeps calling Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Runs in every document before its own scripts: each violation is handed to the test's watcher.
# (Also kept in window.__cspViolations, which a test may wait on.)
_REPORT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile,
    line: event.lineNumber, sample: event.sample, page: document.location.href,
  };
  window.__cspViolations.push(violation);
  window.__reportCspViolation(violation);
});
"""


class CspWatch:
    """The CSP violations reported in the contexts it watches since the current test began."""

    def __init__(self):
        self.violations: list[str] = []

    def watch(self, context) -> None:
        context.expose_binding("__reportCspViolation", self._on_event)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", self._on_console)

    def _on_event(self, _source, violation: dict) -> None:
        self.violations.append(
            f"{violation['page']}: {violation['directive']} blocked {violation['blocked'] or '(inline)'}"
            f" at {violation['source']}:{violation['line']} {violation['sample'] or ''}".rstrip())

    def _on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")


class WatchedBrowser:
    """The session's browser, whose every new context is watched for CSP violations."""

    def __init__(self, browser, csp_watch: CspWatch):
        self._browser, self._csp_watch = browser, csp_watch

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        self._csp_watch.watch(context)
        return context

    def new_page(self, **options):
        raise NotImplementedError("open a context (browser.new_context()) so that its pages are watched")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def portal_server(harvested_app):
    with ServerThread(harvested_app) as server:
        yield server


@pytest.fixture(scope="session")
def csp_watch() -> CspWatch:
    return CspWatch()


@pytest.fixture(scope="session")
def browser(csp_watch):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield WatchedBrowser(browser, csp_watch)
        browser.close()


@pytest.fixture(autouse=True)
def no_csp_violation(csp_watch):
    """Fails the test, at its teardown, if the browser reported any CSP violation meanwhile (set up
    before `page`, so torn down after it: the page's last reports are in)."""
    csp_watch.violations.clear()
    yield csp_watch
    found, csp_watch.violations[:] = list(csp_watch.violations), []
    if found:
        pytest.fail("Content-Security-Policy violations in the browser:\n  " + "\n  ".join(found))


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()



@pytest.fixture()
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()
