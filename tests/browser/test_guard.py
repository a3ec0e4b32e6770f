"""The browser suite's guard notes each kind of problem it promises to catch, and none on a clean page.

A small site of canned pages, served from this process on a free loopback port, stands in
for the ledger: no database is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.pages import MAX_PAGE_WIDTH, GuardedPage

pytestmark = pytest.mark.browser

ICON = '<link rel="icon" href="data:,">'
PAGES = {
    "/clean": f'<html><head>{ICON}</head><body><a href="/clean">here</a> <a href="#top">top</a></body></html>',
    "/wide": f'<html><head>{ICON}</head><body style="margin: 0"><div style="width: 2000px">wide</div></body></html>',
    "/missing-style": f'<html><head>{ICON}<link rel="stylesheet" href="/missing.css"></head><body></body></html>',
    "/console": f'<html><head>{ICON}<script src="/console.js"></script></head><body></body></html>',
    "/console.js": "console.error('the chart could not be drawn');",
    "/throws": f'<html><head>{ICON}<script src="/throws.js"></script></head><body></body></html>',
    "/throws.js": "null.draw();",
    "/wide-tab": (
        f'<html><head>{ICON}<script src="/tabs.js"></script></head><body style="margin: 0">'
        '<nav id="tabs-items"><a href="#general">General</a> <a href="#evidence">Evidence</a></nav>'
        '<div id="evidence" hidden><div style="width: 1900px">a long hash</div></div></body></html>'
    ),
    "/tabs.js": (
        "addEventListener('click', e => { if (e.target.hash) "
        "document.getElementById('evidence').hidden = e.target.hash !== '#evidence'; });"
    ),
    "/dead-link": f'<html><head>{ICON}</head><body><a href="/media/evidence.txt">FILE</a></body></html>',
}


class _CannedPages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path)
        self.send_response(200 if body is not None else 404)
        kind = "text/javascript" if self.path.endswith(".js") else "text/html"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def canned_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CannedPages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def guard(chromium, canned_site, tmp_path) -> Iterator[GuardedPage]:
    context = chromium.new_context(viewport={"width": MAX_PAGE_WIDTH, "height": 900})
    yield GuardedPage(context.new_page(), base_url=canned_site, screenshots=tmp_path)
    context.close()


def _problems_of(guard: GuardedPage, path: str) -> list[str]:
    guard.visit(path)
    record = guard.step(path.strip("/"))
    assert record.screenshot.stat().st_size > 0
    return record.problems


def test_a_clean_page_has_no_problem(guard):
    assert _problems_of(guard, "/clean") == []
    assert guard.steps[0].width == MAX_PAGE_WIDTH
    assert guard.steps[0].links_checked == 1  # "#top" stays on the page


def test_a_page_wider_than_the_viewport(guard):
    assert _problems_of(guard, "/wide") == [f"page is 2000 px wide (more than {MAX_PAGE_WIDTH} px)"]


def test_a_missing_stylesheet(guard):
    problems = _problems_of(guard, "/missing-style")
    assert "HTTP 404 GET /missing.css" in problems


def test_a_console_error(guard):
    assert _problems_of(guard, "/console") == ["console error: the chart could not be drawn (/console.js)"]


def test_an_uncaught_script_error(guard):
    assert _problems_of(guard, "/throws") == ["script error: Cannot read properties of null (reading 'draw')"]


def test_a_link_that_answers_404(guard):
    assert _problems_of(guard, "/dead-link") == ["link '/media/evidence.txt' answers HTTP 404 (on /dead-link)"]


def test_a_tab_wider_than_the_viewport(guard):
    """GIVEN a page whose second tab is wide THEN the guard opens it, notes it, and comes back to the first."""
    assert _problems_of(guard, "/wide-tab") == ["page is 1900 px wide on its tab 'Evidence' (more than 1440 px)"]
    assert guard.steps[0].width == MAX_PAGE_WIDTH
    assert guard.page.locator("#evidence").is_hidden()
