"""The browser suite's harness: a guarded page that notes every problem a person would meet, and the admin's pages.

``GuardedPage`` wraps one Playwright page. From the moment it is made it listens to the browser:
every response of 400 or more (the page, its scripts, styles, images and anything they fetch),
every request the browser could not complete, every console error and every uncaught script
error is noted as a problem of the current step. ``step()`` then checks what can only be seen
on the finished page: its width at the 1,440 px viewport, and that each link on it answers
(a link to a file that 404s is a broken page too), and saves a full-page screenshot.

``AdminSite`` holds the story's pages. Every address comes from ``reverse()``, so a page
that moves or a new admin theme changes the suite in one place.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Download, Page, Request, Response

MAX_PAGE_WIDTH = 1440  # px: the viewport; a page wider than it scrolls sideways
# Generous: on a loaded 2-core machine the admin's first pages take seconds each; a hung page still fails.
TIMEOUT_MS = 90_000
_LINK_SKIP = re.compile(r"^(#|javascript:|mailto:|tel:|data:)", re.IGNORECASE)


@dataclass
class StepRecord:
    """One step of a walk: its screenshot, the page it shows, and the problems met on it."""

    name: str
    screenshot: Path
    url: str = ""
    width: int = 0  # px, 0 for a step that stayed on the page before (a download)
    seconds: float = 0.0  # since the step before: loading, checking and the screenshot
    links_checked: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line of the screenshots' index."""
        width = f"{self.width} px" if self.width else "same page"
        problems = "; ".join(self.problems) or "no problem"
        return (
            f"{self.screenshot.name}\t{self.url}\t{width}\t{self.links_checked} new links\t"
            f"{self.seconds:.1f} s\t{problems}"
        )


class GuardedPage:
    """A Playwright page that notes HTTP errors, failed requests, console errors and over-wide pages per step."""

    def __init__(
        self,
        page: Page,
        *,
        base_url: str,
        screenshots: Path,
        prefix: str = "",
        max_width: int = MAX_PAGE_WIDTH,
        link_statuses: dict[str, int] | None = None,
    ) -> None:
        self.page = page
        self.prefix = prefix
        self.base_url = base_url.rstrip("/")
        self.screenshots = screenshots
        self.max_width = max_width
        self.steps: list[StepRecord] = []
        self._pending: list[str] = []  # problems noted since the last step
        self._downloading: set[str] = set()  # addresses whose navigation ends in a download, not a page
        # address -> status of the links checked so far; walks of one run may share it
        self._checked_links: dict[str, int] = {} if link_statuses is None else link_statuses
        self._clock = time.monotonic()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    # --- what the browser reports while a page loads ---------------------------------------------

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self._pending.append(f"HTTP {response.status} {response.request.method} {self._short(response.url)}")

    def _on_request_failed(self, request: Request) -> None:
        # A link that downloads a file ends its navigation with ERR_ABORTED: the browser saves
        # the file instead of showing a page. Any other failure is a problem.
        if request.url in self._downloading and request.failure == "net::ERR_ABORTED":
            return
        self._pending.append(f"request failed ({request.failure}) {request.method} {self._short(request.url)}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or ""
            self._pending.append(f"console error: {message.text}" + (f" ({self._short(where)})" if where else ""))

    def _on_page_error(self, error: Any) -> None:
        self._pending.append(f"script error: {error}")

    def _short(self, url: str) -> str:
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    # --- steps -----------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def visit(self, path: str) -> Response | None:
        """Open a page of the site (a path from reverse()) and wait until it and all it loads are done."""
        response = self.page.goto(self.url(path), wait_until="load")
        self.settle()
        return response

    def settle(self) -> None:
        """Wait until the page has loaded and the network is quiet (late scripts and images included)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")

    def step(self, name: str, *, new_page: bool = True) -> StepRecord:
        """Close a step: check the page's width and links, save its screenshot, keep its problems.

        ``new_page=False`` for a step that stayed on the page of the step before (a download):
        that page's width and links were checked then.
        """
        self.settle()
        prefix = f"{self.prefix}-" if self.prefix else ""
        record = StepRecord(name=name, screenshot=self.screenshots / f"{prefix}{len(self.steps) + 1:02d}-{name}.png")
        record.url = self._short(self.page.url)
        if new_page:
            record.width = self._width()
            if record.width > self.max_width:
                self._pending.append(f"page is {record.width} px wide (more than {self.max_width} px)")
            self._check_tabs()
            record.links_checked = self._check_links()
        self._screenshot(record.screenshot)
        record.problems, self._pending = self._pending, []
        now = time.monotonic()
        record.seconds, self._clock = now - self._clock, now
        self.steps.append(record)
        return record

    def _width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def _check_tabs(self) -> None:
        """A page in tabs (the admin theme's ``#tabs-items``: the record, then its inlines) is as wide as its
        widest tab: open each, measure, and come back to the first."""
        tabs = self.page.locator('#tabs-items a[href^="#"]').filter(visible=True)
        for n in range(1, tabs.count()):
            tab = tabs.nth(n)
            tab.click()
            width = self._width()
            if width > self.max_width:
                title = " ".join(tab.inner_text().split())
                self._pending.append(f"page is {width} px wide on its tab {title!r} (more than {self.max_width} px)")
        if tabs.count() > 1:
            tabs.first.click()

    def _screenshot(self, path: Path) -> None:
        """The whole page, taken with a viewport as tall as the page, so that fixed and sticky parts (the
        sidebar, the save bar) stand where a person sees them rather than over the middle of the page."""
        viewport = self.page.viewport_size
        height = self.page.evaluate("document.documentElement.scrollHeight")
        if viewport and height > viewport["height"]:
            self.page.set_viewport_size({"width": viewport["width"], "height": height})
            self.page.screenshot(path=str(path), full_page=True)
            self.page.set_viewport_size(viewport)
        else:
            self.page.screenshot(path=str(path), full_page=True)

    def _check_links(self) -> int:
        """Every link of this site on the page answers below 400 (redirects are not followed).

        Each address is fetched once (per walk, or per run when the walks share ``link_statuses``), with the
        page's cookies; returns how many were new.
        """
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        here = self.page.url
        known = len(self._checked_links)
        for href in dict.fromkeys(hrefs):
            if not href or _LINK_SKIP.match(href):
                continue
            target = urljoin(here, href).split("#", 1)[0]
            if urlsplit(target).netloc != urlsplit(self.base_url).netloc:
                continue
            if target not in self._checked_links:
                response = self.page.context.request.get(target, max_redirects=0, fail_on_status_code=False)
                self._checked_links[target] = response.status
                response.dispose()
            if self._checked_links[target] >= 400:
                self._pending.append(
                    f"link {href!r} answers HTTP {self._checked_links[target]} (on {self._short(here)})"
                )
        return len(self._checked_links) - known

    @contextmanager
    def downloading(self, path: str) -> Iterator[list[Download]]:
        """Expect the action inside to download ``path``; the list it yields then holds the download."""
        self._downloading.add(self.url(path))
        got: list[Download] = []
        with self.page.expect_download() as info:
            yield got
        got.append(info.value)
        if info.value.failure():
            self._pending.append(f"download of {path} failed: {info.value.failure()}")

    def problems(self) -> list[str]:
        """Every problem of the walk so far, each with its step ('prefix/step: problem')."""
        prefix = f"{self.prefix}/" if self.prefix else ""
        return [f"{prefix}{step.name}: {problem}" for step in self.steps for problem in step.problems]


class AdminSite:
    """The admin as a regulator uses it: each method opens one page of the story and returns it checked."""

    def __init__(self, guard: GuardedPage) -> None:
        self.guard = guard
        self.page = guard.page

    def log_in(self, *, username: str, password: str) -> StepRecord:
        """Open the admin as a person does, be sent to its login page, log in, and come back to the admin."""
        self.guard.visit(reverse("admin:index"))
        assert urlsplit(self.page.url).path == reverse("admin:login"), f"login: not asked to log in at {self.page.url}"
        record = self.guard.step("login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("[type=submit]")
        self.guard.settle()
        assert urlsplit(self.page.url).path == reverse("admin:index"), f"login did not reach the admin: {self.page.url}"
        return record

    def dashboard(self) -> StepRecord:
        self.guard.visit(reverse("admin:index"))
        return self.guard.step("dashboard")

    @staticmethod
    def change_url(obj: Any) -> str:
        opts = obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def change_page(self, obj: Any, name: str, *, shows: str | None = None) -> StepRecord:
        """Open the admin page of one object by its address; it shows the object's name (and ``shows``)."""
        self.guard.visit(self.change_url(obj))
        return self._arrived_at(obj, name, shows)

    def follow(self, obj: Any, name: str, *, shows: str | None = None) -> StepRecord:
        """Click the current page's link to the admin page of ``obj``, as a person goes from record to record."""
        link = self._link_to(self.change_url(obj), name)
        with self.page.expect_navigation():
            link.click()
        self.guard.settle()
        return self._arrived_at(obj, name, shows)

    def follow_to_list(self, model: Any, name: str, *, shows: str) -> StepRecord:
        """Click the current page's link to a filtered list of ``model`` (its related records); it shows ``shows``."""
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        links = self.page.locator(f'a[href^="{path}?"]').filter(visible=True)
        assert links.count() > 0, f"{name}: no link to a filtered list {path}?... on {self.page.url}"
        with self.page.expect_navigation():
            links.first.click()
        self.guard.settle()
        assert urlsplit(self.page.url).path == path, f"{name}: at {self.page.url}"
        assert shows in self.page.locator("body").inner_text(), f"{name}: {shows!r} is not on {self.page.url}"
        return self.guard.step(name)

    def draw_money_graph(self, name: str, *, depth: int) -> StepRecord:
        """On a party's page, redraw its money graph ``depth`` steps out with the filters above it."""
        filters = self.page.locator("#money-graph-filters")
        filters.locator("select[name=depth]").select_option(str(depth))
        with self.page.expect_navigation():
            filters.locator("[type=submit]").click()
        self.guard.settle()
        assert f"depth={depth}" in self.page.url, f"{name}: at {self.page.url}"
        assert self.page.locator("#money-graph svg [data-node]").count() > 0, f"{name}: no graph on {self.page.url}"
        return self.guard.step(name)

    def links_to(self, obj: Any) -> bool:
        """Whether the current page has a visible link to the admin page of ``obj``."""
        path = self.change_url(obj)
        return self.page.locator(f'a[href="{path}"], a[href^="{path}?"]').filter(visible=True).count() > 0

    def _arrived_at(self, obj: Any, name: str, shows: str | None) -> StepRecord:
        assert urlsplit(self.page.url).path == self.change_url(obj), f"{name}: at {self.page.url}"
        text = self.page.locator("body").inner_text()
        for expected in filter(None, [str(obj), shows]):
            assert expected in text, f"{name}: {expected!r} is not on {self.page.url}"
        return self.guard.step(name)

    def _link_to(self, path: str, name: str) -> Any:
        """The first visible link on the page to ``path`` (its query string aside)."""
        links = self.page.locator(f'a[href="{path}"], a[href^="{path}?"]').filter(visible=True)
        assert links.count() > 0, f"{name}: no link to {path} on {self.page.url}"
        return links.first

    def download_link(self, path: str, name: str) -> tuple[StepRecord, bytes, str]:
        """Click the link to ``path`` on the current page; the file's bytes and suggested name."""
        link = self._link_to(path, name)
        with self.guard.downloading(path) as got:
            link.click()
        saved = got[0]
        data = Path(saved.path()).read_bytes()
        return self.guard.step(name, new_page=False), data, saved.suggested_filename
