"""Real-browser fixtures: Playwright's sync API driving Debian's Chromium against live_server.

- `browser`: one headless Chromium for every test in this package.
- `page`: a fresh browser context at 1280x900 on the live server, so `page.goto("/login/")`
  works; `phone_page`: the same at 390x844 as a touch phone; `device_page`: the test runs
  twice, on each. `open_page(name, **options)` opens more (a second person, another device);
  each page has its own context, so its own cookies. Request them as test arguments: one
  fetched with request.getfixturevalue() comes too late to switch on transactional_db.
- `screenshot(step, page=None)`: saves `test-artifacts/screenshots/<test>/<step>.png`.
- Every page keeps `page.console_log` (console messages, uncaught errors, failed and 4xx/5xx
  requests). When a test fails, each page's HTML, console log and a screenshot are saved in
  `test-artifacts/failures/<test>/`.

Locally the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

from tests.services import BASE_DIR, require_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
ARTIFACTS = BASE_DIR / "test-artifacts"
TIMEOUT_MS = 10_000

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Keep each phase's report on the test, so fixtures can tell in teardown that it failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    return any(report.failed for report in node.stash.get(_reports, {}).values())


def _safe(name: str) -> str:
    """A file or folder name from a test or step name: `test_x[phone]` -> `test_x_phone`."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium, shared by the package and closed after its last test.

    Package scope rather than session: while Playwright runs, its event loop is the running
    loop of the main thread, so Django refuses ORM calls there (SynchronousOnlyOperation) and
    asgiref's async_to_sync refuses to run. DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that
    time (the documented way for Playwright with pytest-django): the live server answers from
    its own thread, and the test's own ORM calls run between Playwright calls, never during one.
    While the loop runs, Django also gives the test thread a new database connection (asgiref's
    Local sees a new context), outside any transaction `db` opened: one more reason why browser
    tests use transactional_db.
    """
    if not CHROMIUM.exists():
        require_service(f"Chromium ({CHROMIUM}; apt-get install chromium)", False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        # Django gave the test thread its own connections while the loop ran: close them.
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def _artifact_dirs(request: pytest.FixtureRequest) -> dict[str, Path]:
    """This test's artifact folders, emptied of what an earlier run left there."""
    name = _safe(request.node.name)
    folders = {kind: ARTIFACTS / kind / name for kind in ("screenshots", "failures")}
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
    return folders


def _record_events(page: Page) -> list[str]:
    log: list[str] = []

    def on_console(message) -> None:
        where = message.location.get("url", "")
        line = message.location.get("lineNumber")
        log.append(f"[{message.type}] {message.text}" + (f" ({where}:{line})" if where else ""))

    def on_response(response) -> None:
        if response.status >= 400:
            log.append(f"[http {response.status}] {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.append(f"[pageerror] {error}"))
    page.on(
        "requestfailed",
        lambda req: log.append(f"[requestfailed] {req.method} {req.url}: {req.failure}"),
    )
    page.on("response", on_response)
    return log


@pytest.fixture
def _page_is_a_test_argument(request: pytest.FixtureRequest) -> None:
    """Fail early (before Chromium starts) for a page taken with request.getfixturevalue()."""
    if "live_server" not in request.node.fixturenames:
        pytest.fail(
            "A page taken with request.getfixturevalue() comes after the test's database "
            "transaction began, which the live server cannot see: take it as a test argument"
        )


@pytest.fixture
def open_page(
    _page_is_a_test_argument,
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server,
    transactional_db,
    _artifact_dirs,
) -> Iterator[Callable[..., Page]]:
    """`open_page(name=None, **context_options)`: a page in a new context on the live server.

    Options go to `browser.new_context` (defaults: the desktop viewport, en-GB, London time).
    Needs the live server, hence transactional_db: the server's thread sees committed data only.
    """
    opened: list[tuple[str, Page]] = []

    def open_(name: str | None = None, **options) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            **{**DESKTOP, **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.console_log = _record_events(page)
        opened.append((name or f"page{len(opened) + 1}", page))
        return page

    yield open_

    failed = _failed(request.node)
    refused = [
        f"{name}: {line}"
        for name, page in opened
        for line in page.console_log
        if "Content Security Policy" in line
    ]
    for name, page in opened:
        if failed or refused:
            _save_failure(_artifact_dirs["failures"], name, page)
        page.context.close()
    if refused:  # a script, style or image our own pages use that the policy blocks
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(refused))


def _save_failure(folder: Path, name: str, page: Page) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    log = [f"url: {page.url}", *page.console_log]
    (folder / f"{name}.console.log").write_text("\n".join(log) + "\n")
    try:
        (folder / f"{name}.html").write_text(page.content())
        page.screenshot(path=folder / f"{name}.png", full_page=True)
    except Exception as error:  # the page may have crashed: keep the log at least
        (folder / f"{name}.error.txt").write_text(f"could not save the page: {error!r}\n")


@pytest.fixture
def page(open_page) -> Page:
    """A desktop page (1280x900) in its own context on the live server."""
    return open_page("page")


@pytest.fixture
def phone_page(open_page) -> Page:
    """A phone page (390x844, mobile, touch) in its own context on the live server."""
    return open_page("phone_page", **PHONE)


@pytest.fixture(params=["desktop", "phone"])
def device_page(request: pytest.FixtureRequest, open_page) -> Page:
    """Runs the test twice: on a desktop page, then on a phone page (ids `desktop`, `phone`)."""
    return open_page(request.param, **(PHONE if request.param == "phone" else {}))


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, _artifact_dirs) -> Callable[..., Path]:
    """`screenshot(step, page=None, full_page=True)` saves `<test>/<step>.png`; returns the path.

    Without `page`, it shoots the test's `page`, `phone_page` or `device_page` fixture.
    """

    def shoot(step: str, page: Page | None = None, *, full_page: bool = True) -> Path:
        if page is None:
            names = ("page", "phone_page", "device_page")
            name = next((n for n in names if n in request.fixturenames), None)
            if name is None:
                raise TypeError("screenshot(step, page): this test has no `page` fixture")
            page = request.getfixturevalue(name)
        folder = _artifact_dirs["screenshots"]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_safe(step)}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    return shoot
