"""A regulator walks the ledger's story in a real browser (Debian's chromium), in English and in Chinese.

GIVEN the demo ledger and a regulator of the case's authority
WHEN they log in, open the dashboard and the blogger, go by the admin's links to his orders,
     his black order and its case, download the evidence and the case bundle from the case
     page, read the journal entry that recorded the case (which links back to it), and open the
     firm that ordered the smear, its money graph redrawn three steps out
THEN no request answers 400 or more, the console shows no error, no page is wider than
     1,440 px, no link on a page is broken, and the two downloads are the real files.
Each step leaves a full-page screenshot in artifacts/screenshots/ (en-01-login.png, ...,
zh-hans-11-party-graph.png).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from reviews.models import Order
from tests.browser.conftest import DemoStory, Login
from tests.browser.pages import AdminSite, GuardedPage

pytestmark = pytest.mark.browser

LANGUAGES = [("en-US", "en"), ("zh-CN", "zh-hans")]  # (the browser's locale, the screenshots' prefix)
STEPS = [
    "login",
    "dashboard",
    "influencer",
    "influencer-orders",
    "order",
    "case",
    "evidence-download",
    "case-bundle",
    "journal-entry",
    "party",
    "party-graph",
]


def walk(admin: AdminSite, story: DemoStory, login: Login, workdir: Path) -> None:
    """The story, step by step, from record to record by the admin's links; the downloads are checked byte
    for byte."""
    admin.log_in(username=login.username, password=login.password)
    admin.dashboard()
    admin.change_page(story.influencer, "influencer")
    admin.follow_to_list(Order, "influencer-orders", shows=str(story.order))
    admin.follow(story.order, "order")
    admin.follow(story.case, "case", shows=story.case.title)

    # The evidence as recorded: the case page's link downloads the file's own bytes.
    _, evidence_bytes, evidence_name = admin.download_link(
        reverse("evidence-download", args=[story.evidence.pk]), "evidence-download"
    )
    with story.evidence.file.open("rb") as stored:
        assert evidence_bytes == stored.read()
    assert evidence_name == story.evidence.file_name

    # The case bundle, from the case page's link: a zip whose own verify.py accepts it, with the same evidence.
    _, bundle_bytes, bundle_name = admin.download_link(reverse("case-bundle", args=[story.case.pk]), "case-bundle")
    assert bundle_name == f"{story.case.reference}-bundle.zip"
    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        assert "verify.py" in names
        assert [bundle.read(n) for n in names if n.startswith("evidence/")] == [evidence_bytes]
        bundle.extractall(workdir)
    verified = subprocess.run([sys.executable, "verify.py"], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "bundle verified" in verified.stdout

    # The journal entry that recorded the case, which links back to it.
    admin.change_page(story.journal_entry, "journal-entry", shows=story.case.reference)
    assert admin.links_to(story.case), "the journal entry does not link to the case it records"

    # The firm that ordered the smear, and whom its money reached, three steps out.
    admin.change_page(story.order.client, "party")
    admin.draw_money_graph("party-graph", depth=3)


def test_a_regulator_walks_the_story(open_page, demo_story, regulator_login, tmp_path):
    pages: list[GuardedPage] = []
    for locale, prefix in LANGUAGES:
        page = open_page(locale=locale, prefix=prefix)
        pages.append(page)
        with translation.override(prefix):  # the names the pages show, in the page's language
            walk(AdminSite(page), demo_story, regulator_login, tmp_path / prefix)
        assert [step.name for step in page.steps] == STEPS
        assert all(step.screenshot.stat().st_size > 0 for step in page.steps)

    problems = [problem for page in pages for problem in page.problems()]
    assert not problems, "problems a regulator meets:\n  " + "\n  ".join(problems)
