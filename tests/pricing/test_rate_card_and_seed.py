"""The rate card of an account, and the demo data's figures."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import journal
from core.models import JournalEntry
from ledger.models import PlatformAccount
from pricing.models import MarketBenchmark, RateQuote
from tests.factories import AccountFactory, SnapshotFactory
from tests.pricing.factories import QuoteFactory, tier

pytestmark = pytest.mark.django_db


def test_rate_card_has_the_latest_quote_per_deliverable_tier_and_price_kind(as_analyst):
    account = AccountFactory()
    SnapshotFactory(account=account, captured_at=datetime(2025, 1, 1, tzinfo=UTC), follower_count=600_000)
    QuoteFactory(account=account, tier=tier("s1_20"), price=Decimal("15000"), observed_on=date(2025, 3, 1))
    latest = QuoteFactory(account=account, tier=tier("s1_20"), price=Decimal("18000"), observed_on=date(2025, 9, 12))
    seized = QuoteFactory(
        account=account, tier=tier("s1_20"), price=Decimal("90000"), price_kind="seized_record",
        observed_on=date(2025, 2, 1),
    )  # fmt: skip
    video = QuoteFactory(account=account, tier=tier("s61_plus"), price=Decimal("38000"), observed_on=date(2025, 9, 12))
    live = QuoteFactory(account=account, deliverable="live_stream", tier=None, price=Decimal("45000"))
    QuoteFactory(tier=tier("s1_20"))  # another account's

    response = as_analyst.get(f"/api/v1/accounts/{account.pk}/rate-card/")
    assert response.status_code == 200
    assert response.data["account"] == account.pk and response.data["follower_count"] is None
    lines = {q["id"]: q for q in response.data["quotes"]}
    assert set(lines) == {latest.pk, seized.pk, video.pk, live.pk}
    assert (lines[latest.pk]["observed_on"], lines[latest.pk]["price_per_10k_followers"]) == ("2025-09-12", "300.00")
    assert lines[video.pk]["price_per_10k_followers"] == "633.33"
    assert lines[latest.pk]["market_ratio"] is None  # no benchmarks computed yet


def test_rate_card_of_an_unknown_account_is_404_and_needs_view_permission(api, as_analyst, outsider):
    assert as_analyst.get("/api/v1/accounts/999999/rate-card/").status_code == 404
    account = AccountFactory()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/accounts/{account.pk}/rate-card/").status_code == 403


def test_seed_gives_the_bloggers_per_10k_figures_and_benchmarks(as_analyst):
    """GIVEN the demo (600,000 followers on 2025-09-12) THEN 18,000 / 26,000 / 38,000 CNY are
    300.00 / 433.33 / 633.33 per 10k followers, and a seized black order is an outlier."""
    call_command("seed_demo", stdout=StringIO())
    blogger = PlatformAccount.objects.get(platform="douyin", platform_uid="dy_60000001")
    data = as_analyst.get(f"/api/v1/quotes/?account={blogger.pk}&price_kind=press_report&ordering=price").data
    assert [
        (q["tier"], q["price"], q["followers_at_observation"], q["price_per_10k_followers"]) for q in data["results"]
    ] == [
        ("s1_20", "18000.00", 600_000, "300.00"),
        ("s21_60", "26000.00", 600_000, "433.33"),
        ("s61_plus", "38000.00", 600_000, "633.33"),
    ]
    assert all(q["market_ratio"] is not None and q["is_outlier"] is False for q in data["results"])
    card = as_analyst.get(f"/api/v1/accounts/{blogger.pk}/rate-card/").data
    assert {(q["tier"], q["price_kind"]) for q in card["quotes"]} >= {
        ("s1_20", "press_report"),
        ("s61_plus", "press_report"),
    }
    bands = set(MarketBenchmark.objects.filter(platform="douyin", tier__code="s21_60").values_list("band", flat=True))
    assert bands == {"under_100k", "100k_500k", "500k_1m", "1m_5m", "5m_plus"}
    outliers = as_analyst.get("/api/v1/quotes/?is_outlier=true").data["results"]
    assert [(q["price_kind"], q["price"]) for q in outliers] == [("seized_record", "420000.00")]


def test_seed_twice_leaves_the_same_pricing_data():
    call_command("seed_demo", stdout=StringIO())
    quotes = list(RateQuote.objects.order_by("id").values_list("id", "price"))
    benchmarks = list(MarketBenchmark.objects.order_by("id").values_list("id", "median", "computed_at"))
    journal.integrate()
    entries = JournalEntry.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert list(RateQuote.objects.order_by("id").values_list("id", "price")) == quotes
    assert list(MarketBenchmark.objects.order_by("id").values_list("id", "median", "computed_at")) == benchmarks
    journal.integrate()
    assert JournalEntry.objects.count() == entries  # nothing changed, nothing journaled


# --- admin ------------------------------------------------------------------------------


def test_account_page_shows_its_rate_card_and_quote_history(client, superuser):
    client.force_login(superuser)
    account = AccountFactory()
    SnapshotFactory(account=account, captured_at=datetime(2025, 1, 1, tzinfo=UTC), follower_count=600_000)
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("26000"), observed_on=date(2025, 9, 12))
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("21000"), observed_on=date(2025, 5, 1))
    page = client.get(reverse("admin:ledger_platformaccount_change", args=[account.pk])).content.decode()
    assert "Rate card" in page and "Quote history" in page
    tables = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # the price chart shows the prices too
    assert tables.count("26,000.00") == 2  # on the rate card and in the history
    assert tables.count("21,000.00") == 1  # history only
    assert "433.33" in page


def test_quote_admin_search_filter_and_read_only_observation(client, superuser):
    client.force_login(superuser)
    mine = QuoteFactory(account=AccountFactory(handle="laok_shuoche", platform="douyin"), price_kind="press_report")
    QuoteFactory(account=AccountFactory(handle="someone_else", platform="weibo"))
    url = reverse("admin:pricing_ratequote_changelist")
    page = client.get(url, {"q": "laok"}).content.decode()
    assert "laok_shuoche" in page and "someone_else" not in page
    page = client.get(url, {"account__platform__exact": "weibo"}).content.decode()
    assert "someone_else" in page and "laok_shuoche" not in page
    assert '?kind=quotes" class="import-link">Import from a file<' in client.get(url).content.decode()
    change = client.get(reverse("admin:pricing_ratequote_change", args=[mine.pk])).content.decode()
    assert 'name="price"' not in change and 'name="notes"' in change


def test_adding_a_quote_in_the_admin_goes_through_the_service(client, superuser):
    client.force_login(superuser)
    account = AccountFactory()
    form = {
        "account": account.pk,
        "deliverable": "short_video",
        "tier": tier("s1_20").pk,
        "price": "18000",
        "currency": "CNY",
        "price_kind": "press_report",
        "observed_on": "2025-09-12",
    }
    assert client.post(reverse("admin:pricing_ratequote_add"), {**form, "tier": ""}).status_code == 200  # refused
    assert not RateQuote.objects.exists()
    assert client.post(reverse("admin:pricing_ratequote_add"), form).status_code == 302
    assert RateQuote.objects.get().recorded_by == f"user:{superuser.username}"


def test_benchmarks_are_read_only_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:pricing_marketbenchmark_changelist")).status_code == 200
    assert client.get(reverse("admin:pricing_marketbenchmark_add")).status_code == 403
