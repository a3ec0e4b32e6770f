"""A regulator walks the ledger's story in a real browser (Debian's chromium), in English and in Chinese.

GIVEN the demo ledger and a regulator of the case's authority
WHEN they log in and open the dashboard, the blogger, his black order, the case, download
     the evidence and the case bundle, and read the journal entry that recorded the case
THEN no request answers 400 or more, the console shows no error, no page is wider than
     1,440 px, no link on a page is broken, and the two downloads are the real files.
Each step leaves a full-page screenshot in artifacts/screenshots/ (en-01-login.png, ...).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.conftest import REGULATOR_PASSWORD, DemoStory
from tests.browser.pages import AdminSite, GuardedPage

pytestmark = pytest.mark.browser

LANGUAGES = [("en-US", "en"), ("zh-CN", "zh-hans")]  # (the browser's locale, the screenshots' prefix)
STEPS = ["login", "dashboard", "influencer", "order", "case", "evidence-download", "case-bundle", "journal-entry"]

# Defects of today's admin that issue #17 fixes elsewhere (the admin's new theme). Each must still
# occur: once one is fixed, this test fails until its line is removed.
KNOWN_DEFECTS: dict[str, str] = {
    r"console error: Executing inline event handler violates .*script-src": (
        "the language switcher's onchange (templates/admin/base_site.html) is refused by the CSP"
    ),
    r"/(influencer|case): page is \d+ px wide": "inlines push the influencer and case pages wider than 1,440 px",
    r"/case: link '/media/[^']+' answers HTTP 404": "the evidence's FILE link goes to /media/, never served",
}


def walk(admin: AdminSite, story: DemoStory, username: str, workdir: Path) -> None:
    """The story, step by step; the downloads are checked byte for byte."""
    admin.log_in(username=username, password=REGULATOR_PASSWORD)
    admin.dashboard()
    admin.change_page(story.influencer, "influencer")
    admin.change_page(story.order, "order")
    admin.change_page(story.case, "case", shows=story.case.title)

    # The evidence as recorded: the case page's link downloads the file's own bytes.
    _, evidence_bytes, evidence_name = admin.download_link(
        reverse("evidence-download", args=[story.evidence.pk]), "evidence-download"
    )
    with story.evidence.file.open("rb") as stored:
        assert evidence_bytes == stored.read()
    assert evidence_name == story.evidence.file_name

    # The case bundle: a zip whose own verify.py accepts it, holding the same evidence file.
    _, bundle_bytes, bundle_name = admin.download(reverse("case-bundle", args=[story.case.pk]), "case-bundle")
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

    admin.change_page(story.journal_entry, "journal-entry", shows=story.case.reference)


def test_a_regulator_walks_the_story(open_page, demo_story, regulator_login, tmp_path):
    pages: list[GuardedPage] = []
    for locale, prefix in LANGUAGES:
        page = open_page(locale=locale, prefix=prefix)
        pages.append(page)
        walk(AdminSite(page), demo_story, regulator_login.username, tmp_path / prefix)
        assert [step.name for step in page.steps] == STEPS
        assert all(step.screenshot.stat().st_size > 0 for step in page.steps)

    problems = [problem for page in pages for problem in page.problems()]
    unknown = [p for p in problems if not any(re.search(known, p) for known in KNOWN_DEFECTS)]
    assert not unknown, "problems a regulator meets:\n  " + "\n  ".join(unknown)
    fixed = [reason for known, reason in KNOWN_DEFECTS.items() if not any(re.search(known, p) for p in problems)]
    assert not fixed, "fixed, so remove from KNOWN_DEFECTS:\n  " + "\n  ".join(fixed)
