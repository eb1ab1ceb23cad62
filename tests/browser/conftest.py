"""The browser suite: Debian's Chromium, driven by Playwright (pytest-playwright's fixtures), against
pytest-django's live server, which runs in a thread of this process (so `mail.outbox` and `settings`
are shared with it). One browser for the session, a fresh context (cookies, storage) per test.

Only `make test-browser` runs it: pytest.ini's norecursedirs leaves this folder out unless it is named.
Every test fails on a console error (a CSP violation is one), an uncaught exception, a dialog or an
unexpected 4xx/5xx answer (`browser_errors`).
Chromium is never downloaded: `CHROMIUM` names the binary, /usr/bin/chromium by default
(`apt-get install chromium`). axe-core comes from npm (`npm ci`, package-lock.json).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Page

# pytest.ini turns the plugin off (-p no:playwright) for the other suites; this suite's conftest is loaded at start-up
# (its folder is named on the command line), where it may still load plugins.
pytest_plugins = ["pytest_playwright.pytest_playwright"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    # The machine has no internet: no update checks, sync, or QUIC probes flooding refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.exit(f"No Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)", returncode=2)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Where `page.goto("/")` goes."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


@pytest.fixture
def context(new_context):
    context = new_context()
    context.set_default_timeout(10_000)  # the live server answers in milliseconds: fail fast, not after 30 s
    return context


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    # Playwright's sync API marks an asyncio loop as running in this thread between its calls, and Django then
    # refuses ORM calls from here ("async context"). Nothing here is async: the test's own ORM calls are safe.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _live_site(settings, live_server):
    """Links in mail point at the live server; the cache starts empty (it outlives each test's database)."""
    settings.SITE_URL = live_server.url
    # A person takes longer than the policy's 3 seconds to write a comment; a test types faster.
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "MIN_SECONDS_TO_POST": 0}
    cache.clear()
    yield
    cache.clear()


class BrowserErrors:
    """Everything the pages of some browser contexts reported going wrong: console errors (a CSP violation
    is one), uncaught exceptions, dialogs (alert, confirm, prompt: dismissed) and 4xx/5xx answers."""

    def __init__(self):
        self.console, self.exceptions, self.dialogs, self.failed_requests = [], [], [], []
        self.expected_statuses = set()

    def watch(self, context):
        context.on("page", self._watch_page)
        return context

    def _watch_page(self, page):
        page.on("console", lambda message: message.type == "error" and self.console.append(message.text))
        page.on("pageerror", lambda error: self.exceptions.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.status} {response.request.method} {response.url}")

    def expected(self, status):
        """The test meant to get a `status` answer, and checked it: it (and the console's note of it, which may
        come later) is no problem."""
        assert any(line.startswith(f"{status} ") for line in self.failed_requests), f"no {status} answer was seen"
        self.failed_requests = [line for line in self.failed_requests if not line.startswith(f"{status} ")]
        self.expected_statuses.add(status)

    def reported(self):
        problems = {
            "console": [
                text
                for text in self.console
                if not any(f"status of {status} " in text for status in self.expected_statuses)
            ],
            "exceptions": self.exceptions,
            "dialogs": self.dialogs,
            "failed_requests": self.failed_requests,
        }
        return {kind: lines for kind, lines in problems.items() if lines}


@pytest.fixture
def browser_errors(context):
    """Watches every page of the test's context (and of any context passed to `watch`); the test fails if one
    reported a problem. A test that expects a 4xx answer takes it out of `failed_requests` after checking it."""
    errors = BrowserErrors()
    errors.watch(context)
    yield errors
    assert errors.reported() == {}, f"the browser reported problems: {errors.reported()}"


@pytest.fixture
def page(context, browser_errors) -> Page:
    return context.new_page()


def sign_in(page, username, password):
    """Fill and send the admin's sign-in form on `page`."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def axe_violations(page, *, impacts=("serious", "critical")):
    """Run axe-core (the npm package's axe.min.js) in `page`; its violations of the given impacts, as lines.

    Playwright evaluates the script through the DevTools protocol, which the page's CSP (no inline script)
    does not govern, and nothing of it is added to the page's HTML."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test-browser does)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — at "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def screenshot_path(name):
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
