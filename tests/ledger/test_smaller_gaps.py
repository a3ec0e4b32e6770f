"""Issue 18.7: ISO 4217 codes, resident IDs however written, no-store, CSP, verdict_url null."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction

from ledger.identifiers import contains_resident_id
from ledger.models import Influencer
from pricing.models import RateQuote
from reviews.services import claim_verdict_set
from tests.factories import AccountFactory, InfluencerFactory
from tests.pricing.factories import QuoteFactory
from tests.reviews.factories import ClaimFactory

pytestmark = pytest.mark.django_db

RESIDENT_ID = "11010519491231002X"


def fullwidth(text: str) -> str:
    """``text`` with its ASCII digits and letters written full-width (U+FF10...)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.mark.parametrize("currency", ["XYZ", "ABC", "cny"])
def test_a_currency_outside_iso_4217_is_400(as_regulator, currency):
    payload = {
        "account": AccountFactory().pk,
        "deliverable": "short_video",
        "tier": "s21_60",
        "price": "26000.00",
        "price_kind": "press_report",
        "observed_on": "2025-09-12",
        "currency": currency,
    }
    response = as_regulator.post("/api/v1/quotes/", payload)
    assert response.status_code == 400 and "currency" in response.data, response.data
    assert not RateQuote.objects.exists()
    order = {
        "account": AccountFactory().pk,
        "client_name": "A PR contractor",
        "deliverable": "short_video",
        "tier": "s21_60",
        "agreed_price": "95000.00",
        "ordered_on": "2025-09-14",
        "currency": currency,
    }
    response = as_regulator.post("/api/v1/orders/", order)
    assert response.status_code == 400 and "currency" in response.data, response.data


def test_the_database_refuses_a_currency_outside_iso_4217():
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteFactory(currency="XYZ")
    assert QuoteFactory(currency="USD").currency == "USD"


@pytest.mark.parametrize(
    "text",
    [
        RESIDENT_ID,
        "ID 110105 19491231 002X, seen at the office",
        "110105-1949-1231-002x",
        "身份证号" + fullwidth(RESIDENT_ID),
        fullwidth("110105 19491231 002X"),
    ],
)
def test_resident_ids_are_found_however_they_are_written(text):
    assert contains_resident_id(text)


def test_a_number_that_fails_the_check_is_not_a_resident_id():
    assert not contains_resident_id("110105 19491231 0021")


def test_legal_name_refuses_a_resident_id(as_regulator):
    response = as_regulator.post(
        "/api/v1/influencers/",
        {"display_name": "Blogger", "kind": "person", "legal_name": fullwidth(RESIDENT_ID)},
    )
    assert response.status_code == 400 and "legal_name" in response.data, response.data
    assert not Influencer.objects.exists()


def test_authenticated_api_responses_are_never_stored(as_analyst, api):
    InfluencerFactory()
    response = as_analyst.get("/api/v1/influencers/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_case_data_responses_are_never_stored(api, superuser):
    api.force_authenticate(superuser)
    assert "no-store" in api.get("/api/v1/cases/")["Cache-Control"]


def _inline_scripts(html: str) -> list[str]:
    """<script> elements without src that a browser would run (JSON data blocks are not run)."""
    found = []
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        if "src=" in attrs or "application/json" in attrs:
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


def test_the_admin_and_the_api_docs_work_under_the_csp(client, superuser):
    """Scripts only from this site, no inline script; the admin's Alpine.js alone may evaluate its directives."""
    home = client.get("/")
    assert "unsafe-eval" not in home["Content-Security-Policy"]
    login = client.get("/admin/login/")
    csp = login["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert _inline_scripts(login.content.decode()) == []
    client.force_login(superuser)
    for url in ["/admin/", "/admin/cases/case/add/", "/admin/ledger/influencer/"]:
        page = client.get(url)
        assert page.status_code == 200 and "Content-Security-Policy" in page
        html = page.content.decode()
        assert _inline_scripts(html) == [], url
        sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
        assert sources and all(src.startswith(("/static/", "/admin/jsi18n/")) for src in sources), url  # no CDN
        stylesheets = re.findall(r'<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', html)
        assert stylesheets and all(href.startswith("/static/") for href in stylesheets), url
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "Content-Security-Policy" in docs
    html = docs.content.decode()
    assert _inline_scripts(html) == []
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources)  # served by this site, no CDN
    for src in sources:
        if src.startswith("/static/"):  # drf-spectacular-sidecar's files, found by collectstatic
            assert finders.find(src.removeprefix("/static/")), src
        else:  # the Swagger UI's start-up script, a file of its own under this CSP
            response = client.get(src)
            assert response.status_code == 200 and b"SwaggerUIBundle" in response.content, src


def test_an_unset_verdict_url_is_null(as_analyst):
    claim = ClaimFactory()
    assert as_analyst.get(f"/api/v1/claims/{claim.pk}/").json()["verdict_url"] is None
    claim_verdict_set(claim=claim, verdict="false", verdict_on=date(2025, 9, 20), verdict_by="Court")
    assert as_analyst.get(f"/api/v1/claims/{claim.pk}/").json()["verdict_url"] is None
    claim_verdict_set(
        claim=claim,
        verdict="false",
        verdict_on=date(2025, 9, 20),
        verdict_by="Court",
        verdict_url="https://x.invalid/v",
    )
    assert as_analyst.get(f"/api/v1/claims/{claim.pk}/").json()["verdict_url"] == "https://x.invalid/v"
