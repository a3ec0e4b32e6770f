"""Fixtures of the browser suite: Debian's chromium driven by Playwright against Django's live server.

The suite is kept apart from the main one: its tests carry the ``browser`` marker, which the
project's pytest options leave out, and ``make test-browser`` runs them (``-m browser``).
``scripts/install-browser.sh`` installs the browser (Debian's ``chromium``, never one that
Playwright downloads); ``BROWSER_EXECUTABLE`` names another binary.

Screenshots of each step go to ``artifacts/screenshots/`` (emptied at the start of a run), with
``index.tsv``: per screenshot, the page, its width, the links checked, the seconds and the problems.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command

from cases.models import Case, Evidence
from core import journal
from core.models import JournalEntry
from ledger.models import Influencer
from reviews import demo as reviews_demo
from reviews.models import Order
from tests.browser.pages import MAX_PAGE_WIDTH, GuardedPage

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DEFAULT_EXECUTABLE = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_executable() -> str:
    path = os.environ.get("BROWSER_EXECUTABLE") or DEFAULT_EXECUTABLE
    if not (shutil.which(path) or Path(path).is_file()):
        pytest.fail(f"no browser at {path}: install Debian's chromium with scripts/install-browser.sh", pytrace=False)
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """artifacts/screenshots/, emptied of an earlier run's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("*.png"), SCREENSHOTS / "index.tsv"]:
        old.unlink(missing_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def live_server(request) -> Iterator:
    """pytest-django's live server, which serves static files as runserver does but, like the production
    server, no media files: a page that links to a file under MEDIA_URL links to a 404 here too.

    (Django's live server thread wraps its handler in ``_MediaFilesHandler`` when it starts; the
    patch lasts only while it starts.)
    """
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with mock.patch("django.test.testcases._MediaFilesHandler", lambda handler: handler):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium(browser_executable: str) -> Iterator:
    """One headless chromium for the run.

    Playwright's synchronous API keeps an asyncio event loop in this thread, and Django
    refuses database queries from a thread with a running loop; this test process's
    queries (fixtures and assertions) are synchronous all the same, so the guard is
    lifted here, for the browser suite only, while the browser runs.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_executable, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(chromium, live_server, screenshots) -> Iterator:
    """Opens guarded pages, each in a fresh browser profile at the widest viewport a page may use.

    ``open_page(locale, prefix)``: the browser asks for ``locale`` (Accept-Language) and the
    screenshots are named ``<prefix>-NN-<step>.png``.
    """
    contexts, pages = [], []
    link_statuses: dict[str, int] = {}  # the same user's links answer alike in either language

    def open_(locale: str = "en-US", prefix: str = "en") -> GuardedPage:
        context = chromium.new_context(
            viewport={"width": MAX_PAGE_WIDTH, "height": 900}, locale=locale, accept_downloads=True
        )
        contexts.append(context)
        page = GuardedPage(
            context.new_page(),
            base_url=live_server.url,
            screenshots=screenshots,
            prefix=prefix,
            link_statuses=link_statuses,
        )
        pages.append(page)
        return page

    yield open_
    for context in contexts:
        context.close()
    with (screenshots / "index.tsv").open("a", encoding="utf-8") as index:
        index.writelines(step.line() + "\n" for page in pages for step in page.steps)


@dataclass(frozen=True)
class DemoStory:
    """The demo ledger's records that the story visits."""

    influencer: Influencer
    order: Order
    case: Case
    evidence: Evidence
    journal_entry: JournalEntry


@pytest.fixture
def demo_story(transactional_db) -> DemoStory:
    """The demo ledger (``seed_demo``): the blogger Lao K, his black order, the CAC case and its evidence."""
    call_command("seed_demo", stdout=StringIO())
    case = Case.objects.get(reference="CAC-2025-0001")
    order = reviews_demo.demo_order()
    assert order is not None
    journal.integrate()  # the sequencer turns the demo's queued changes into journal entries
    return DemoStory(
        influencer=Influencer.objects.get(accounts__platform="douyin", accounts__platform_uid="dy_60000001"),
        order=order,
        case=case,
        evidence=case.evidence.get(),
        journal_entry=JournalEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .order_by("seq")
        .first(),
    )


@dataclass(frozen=True)
class Login:
    username: str
    password: str


@pytest.fixture
def regulator_login(demo_story: DemoStory) -> Login:
    """A regulator of the case's authority, made as an operator makes one: ``create_regulator``, which
    prints the password it generated."""
    out = StringIO()
    call_command(
        "create_regulator", "regulator", "--authority", str(demo_story.case.authority_id), stdout=out, stderr=StringIO()
    )
    return Login(username="regulator", password=out.getvalue().strip())
