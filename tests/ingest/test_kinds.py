"""Each kind of file goes in whole, once: natural keys, idempotence, conflicts and --update."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core import journal
from core.models import JournalEntry
from ingest.services import IngestRejected
from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount
from pricing.models import RateQuote
from reviews.models import Review
from tests.factories import InfluencerFactory, SnapshotFactory
from tests.ingest.conftest import ingest

pytestmark = pytest.mark.django_db

SNAPSHOTS = """platform,platform_uid,captured_at,follower_count,source
douyin,dy_1,2025-09-01T08:00:00+08:00,1000,import
douyin,dy_1,2025-09-02T08:00:00+08:00,1100,
kuaishou,ks_1,2025-09-01T00:00:00Z,500,manual
"""


def errors(info) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in info.value.errors]


def test_snapshots_go_in_once_and_the_batch_is_journaled(accounts):
    job = ingest("snapshots", SNAPSHOTS)
    assert (job.status, job.rows_total, job.created, job.unchanged) == ("succeeded", 3, 3, 0)
    douyin, kuaishou = accounts
    rows = list(
        FollowerSnapshot.objects.filter(account=douyin)
        .order_by("captured_at")
        .values_list("captured_at", "follower_count", "source")
    )
    assert rows == [
        (datetime(2025, 9, 1, 0, 0, tzinfo=UTC), 1000, "import"),
        (datetime(2025, 9, 2, 0, 0, tzinfo=UTC), 1100, "import"),
    ]
    assert sorted(job.account_ids) == sorted([douyin.pk, kuaishou.pk])
    journal.integrate()
    entry = JournalEntry.objects.get(object_type="ingest.batch")
    assert entry.object_id == str(job.pk) and entry.actor == "command:test"
    assert entry.changes["sha256"]["after"] == job.sha256 and len(job.sha256) == 64
    assert (entry.changes["kind"]["after"], entry.changes["created"]["after"], entry.changes["rows"]["after"]) == (
        "snapshots",
        3,
        3,
    )

    again = ingest("snapshots", SNAPSHOTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert FollowerSnapshot.objects.count() == 3


def test_a_different_value_is_a_conflict_unless_update(accounts):
    ingest("snapshots", SNAPSHOTS)
    changed = SNAPSHOTS.replace(",1100,", ",1200,")
    with pytest.raises(IngestRejected) as info:
        ingest("snapshots", changed)
    assert errors(info) == [(3, "follower_count")]
    assert "1100" in info.value.errors[0].message
    assert FollowerSnapshot.objects.get(follower_count=1100)

    job = ingest("snapshots", changed, update=True)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 2)
    assert not FollowerSnapshot.objects.filter(follower_count=1100).exists()
    assert FollowerSnapshot.objects.filter(follower_count=1200).count() == 1


def test_one_bad_row_in_the_middle_writes_nothing_and_says_where(accounts):
    lines = SNAPSHOTS.strip().split("\n")
    bad = "\n".join([*lines[:2], "douyin,dy_1,2025-09-05T08:00:00+08:00,-5,", *lines[2:]])
    with pytest.raises(IngestRejected) as info:
        ingest("snapshots", bad)
    assert errors(info) == [(3, "follower_count")]
    assert FollowerSnapshot.objects.count() == 0
    journal.integrate()
    assert not JournalEntry.objects.filter(object_type="ingest.batch").exists()


def test_every_error_kind_is_reported_with_line_and_column(accounts):
    text = """platform,platform_uid,captured_at,follower_count,source
douyin,dy_1,2025-09-01T08:00:00+08:00,1000,import
douyin,nobody,2025-09-01T08:00:00+08:00,1000,import
myspace,dy_1,2025-09-01T08:00:00+08:00,1000,import
douyin,dy_1,2025-09-01 08:00:00,many,import
douyin,dy_1,2025-09-01T08:00:00+08:00,1000,import
douyin,dy_1,2025-09-03T08:00:00+08:00,1000,imported
"""
    with pytest.raises(IngestRejected) as info:
        ingest("snapshots", text)
    assert errors(info) == [
        (3, "platform_uid"),  # unknown account
        (4, "platform"),  # unknown platform
        (5, "captured_at"),  # no offset
        (5, "follower_count"),  # not a number
        (6, "captured_at"),  # duplicate of line 2
        (7, "source"),
    ]
    assert "line 2" in info.value.errors[4].message
    assert info.value.total == 6


def test_the_error_list_is_bounded_but_counts_every_error(accounts):
    rows = "".join(f"douyin,dy_1,2025-09-01T08:00:{i % 60:02d}+08:00,x{i},\n" for i in range(250))
    with pytest.raises(IngestRejected) as info:
        ingest("snapshots", "platform,platform_uid,captured_at,follower_count,source\n" + rows)
    assert info.value.total == 250 and len(info.value.errors) == 100
    assert info.value.errors[0].line == 2 and info.value.errors[-1].line == 101


def test_an_unknown_or_missing_column_rejects_the_file(accounts):
    with pytest.raises(IngestRejected) as info:
        ingest("snapshots", "platform,platform_uid,captured_at,followers\ndouyin,dy_1,2025-09-01T08:00:00Z,1\n")
    assert errors(info) == [(1, "followers"), (1, "follower_count")]


ACCOUNTS = """platform,platform_uid,handle,profile_url,status,influencer,influencer_kind,agency
douyin,dy_9,车评老王,https://www.douyin.com/user/dy_9,active,王某某,person,星河传媒
kuaishou,ks_9,老王说车,,,王某某,,
douyin,dy_10,真相局,,banned,真相局工作室,organisation,星河传媒
"""


def test_accounts_create_their_influencers_and_agencies_once(db):
    job = ingest("accounts", ACCOUNTS)
    assert (job.created, job.unchanged) == (3, 0)
    wang = Influencer.objects.get(display_name="王某某")
    assert sorted(wang.accounts.values_list("platform_uid", flat=True)) == ["dy_9", "ks_9"]
    assert wang.agency.name == "星河传媒" and wang.kind == "person"
    assert Agency.objects.filter(name="星河传媒").count() == 1
    assert PlatformAccount.objects.get(platform_uid="dy_10").status == "banned"
    assert Influencer.objects.get(display_name="真相局工作室").kind == "organisation"

    again = ingest("accounts", ACCOUNTS)
    assert (again.created, again.unchanged) == (0, 3)
    assert (Influencer.objects.count(), Agency.objects.count(), PlatformAccount.objects.count()) == (2, 1, 3)

    renamed = ACCOUNTS.replace("老王说车", "老王讲车")
    with pytest.raises(IngestRejected) as info:
        ingest("accounts", renamed)
    assert errors(info) == [(3, "handle")]
    assert ingest("accounts", renamed, update=True).updated == 1
    assert PlatformAccount.objects.get(platform_uid="ks_9").handle == "老王讲车"


def test_a_new_account_of_an_ambiguous_influencer_is_refused(db):
    InfluencerFactory(display_name="王某某")
    InfluencerFactory(display_name="王某某")
    with pytest.raises(IngestRejected) as info:
        ingest("accounts", ACCOUNTS)
    assert errors(info) == [(2, "influencer"), (3, "influencer")]
    assert PlatformAccount.objects.count() == 0


def test_a_new_account_joins_the_one_influencer_of_that_name(db):
    existing = InfluencerFactory(display_name="王某某")
    ingest("accounts", ACCOUNTS)
    assert existing.accounts.count() == 2


REVIEWS_JSONL = """{"platform": "douyin", "platform_uid": "dy_1", "url": "https://example.invalid/v/1", "post_id": "p1", "headline": "ES6 车门打不开", "published_at": "2025-09-12T20:15:00+08:00", "duration_seconds": 48, "targets": ["蔚来 > ES6"], "views": 1250000, "engagement_captured_at": "2025-09-13T09:00:00+08:00"}

{"platform": "kuaishou", "platform_uid": "ks_1", "url": "https://example.invalid/v/2", "headline": "合集", "published_at": "2025-09-14T18:00:00+08:00", "targets": "蔚来 >ES6; XIAOMI", "undisclosed_ad": true}
"""


def test_reviews_with_targets_by_name_path(accounts, targets):
    _nio, es6, xiaomi = targets
    job = ingest("reviews", REVIEWS_JSONL, "jsonl")
    assert (job.created, job.rows_total) == (2, 2)
    first = Review.objects.get(url="https://example.invalid/v/1")
    assert list(first.targets.all()) == [es6]
    assert (first.views, first.duration_seconds, first.stance, first.post_id) == (1250000, 48, "negative", "p1")
    second = Review.objects.get(url="https://example.invalid/v/2")
    assert set(second.targets.all()) == {es6, xiaomi} and second.undisclosed_ad is True
    assert ingest("reviews", REVIEWS_JSONL, "jsonl").unchanged == 2

    changed = REVIEWS_JSONL.replace('"targets": ["蔚来 > ES6"]', '"targets": ["XIAOMI"]')
    with pytest.raises(IngestRejected) as info:
        ingest("reviews", changed, "jsonl")
    assert errors(info) == [(1, "url")]
    assert ingest("reviews", changed, "jsonl", update=True).updated == 1
    assert list(first.targets.all()) == [xiaomi]


def test_review_errors(accounts, targets):
    text = """{"platform": "douyin", "platform_uid": "dy_1", "url": "https://example.invalid/v/1", "headline": "h", "published_at": "2025-09-12T20:15:00+08:00", "targets": ["蔚来 > ES8"]}
{"platform": "douyin", "platform_uid": "dy_1", "url": "https://example.invalid/v/1", "headline": "h", "published_at": "2025-09-12T20:15:00+08:00"}
{"platform": "douyin", "platform_uid": "dy_1", "url": "not a url", "headline": "h", "published_at": "2025-09-12T20:15:00+08:00", "views": 5, "colour": "red"}
[1, 2]
"""
    with pytest.raises(IngestRejected) as info:
        ingest("reviews", text, "jsonl")
    assert errors(info) == [(1, "targets"), (2, "url"), (3, "colour"), (3, "url"), (4, "")]
    assert Review.objects.count() == 0


QUOTES = """platform,platform_uid,deliverable,tier,price,currency,price_kind,observed_on,valid_until,source_url,notes
douyin,dy_1,short_video,s1_20,18000,CNY,press_report,2025-09-12,,https://example.invalid/r,reported
douyin,dy_1,short_video,45,26000.00,CNY,press_report,2025-09-12,2025-12-31,,
kuaishou,ks_1,live_stream,,5200.5,,broker_quote,2025-09-13,,,
"""


def test_quotes_by_tier_code_or_seconds(accounts):
    job = ingest("quotes", QUOTES)
    assert job.created == 3
    douyin, kuaishou = accounts
    assert sorted(RateQuote.objects.filter(account=douyin).values_list("tier__code", "price")) == [
        ("s1_20", Decimal("18000.00")),
        ("s21_60", Decimal("26000.00")),
    ]
    stream = RateQuote.objects.get(account=kuaishou)
    assert (stream.tier, stream.price, stream.currency, stream.recorded_by) == (
        None,
        Decimal("5200.50"),
        "CNY",
        "command:test",
    )
    assert ingest("quotes", QUOTES).unchanged == 3
    assert RateQuote.objects.count() == 3


def test_quote_errors(accounts):
    text = QUOTES + "\n".join([
        "douyin,dy_1,short_video,s99,1,CNY,press_report,2025-09-12,,,",
        "douyin,dy_1,live_stream,s1_20,1,CNY,press_report,2025-09-12,,,",
        "douyin,dy_1,short_video,s1_20,1.234,CNY,press_report,2025-09-12,,,",
        "douyin,dy_1,short_video,20,18000,CNY,press_report,2025-09-12,,https://example.invalid/r,reported",
    ])  # fmt: skip
    with pytest.raises(IngestRejected) as info:
        ingest("quotes", text)
    assert errors(info) == [(5, "tier"), (6, "tier"), (7, "price"), (8, "source_url")]
    assert "line 2" in info.value.errors[3].message  # the same observation: tier 20 s is s1_20
    assert RateQuote.objects.count() == 0


def test_snapshot_follow_up_updates_figures_and_scans_anomalies(accounts, django_capture_on_commit_callbacks):
    from io import BytesIO

    from ingest.services import ingest_file

    douyin = accounts[0]
    SnapshotFactory(account=douyin, captured_at=datetime(2025, 8, 31, tzinfo=UTC), follower_count=1000)
    text = "platform,platform_uid,captured_at,follower_count\ndouyin,dy_1,2025-09-01T00:00:00Z,50000\n"
    with django_capture_on_commit_callbacks(execute=True):
        ingest_file(kind="snapshots", source=BytesIO(text.encode()), file_format="csv", actor="command:test")
    douyin.refresh_from_db()
    assert (douyin.follower_count, douyin.followers_captured_at) == (50000, datetime(2025, 9, 1, tzinfo=UTC))
    assert list(douyin.anomalies.values_list("kind", flat=True)) == ["jump"]


def test_a_column_given_twice_rejects_the_file(accounts):
    with pytest.raises(IngestRejected) as info:
        ingest(
            "snapshots",
            "platform,platform_uid,captured_at,follower_count,platform\ndouyin,dy_1,2025-09-01T00:00:00Z,1,x\n",
        )
    assert errors(info) == [(1, "platform")]


def test_overlapping_files_create_nothing_twice(accounts):
    lines = SNAPSHOTS.strip().split("\n")
    ingest("snapshots", "\n".join(lines[:3]))
    job = ingest("snapshots", "\n".join([lines[0], *lines[2:]]))
    assert (job.created, job.unchanged) == (1, 1)
    assert FollowerSnapshot.objects.count() == 3


def test_a_smear_ingested_in_bulk_is_found_as_a_campaign_by_the_follow_up(targets):
    """GIVEN three accounts' near-identical negative posts against XIAOMI within hours, ingested in one file
    WHEN the ingest's follow-up runs THEN they form one suspected campaign."""
    from ingest.followup import ingest_follow_up
    from reviews.models import Campaign
    from tests.factories import AccountFactory

    for n in range(3):
        AccountFactory(platform="douyin", platform_uid=f"dy_smear_{n}")
    text = "platform,platform_uid,url,headline,text,published_at,stance,targets\n" + "".join(
        f"douyin,dy_smear_{n},https://example.invalid/s/{n},小米汽车碰撞后车门打不开{'!' * n},"
        "车主亲历：发生碰撞后车门无法打开，救援人员只能破窗，小米汽车安全设计存在严重缺陷，大家购车前一定要三思,"
        f"2025-09-12T2{n}:00:00+08:00,negative,XIAOMI\n"
        for n in range(3)
    )
    job = ingest("reviews", text)
    assert job.created == 3 and not Campaign.objects.exists()
    ingest_follow_up(job=job)
    campaign = Campaign.objects.get()
    assert campaign.members.count() == 3


def test_quote_notes_are_never_stored_as_formulas_and_currencies_are_iso_4217(accounts):
    text = (
        "platform,platform_uid,deliverable,tier,price,currency,price_kind,observed_on,notes\n"
        'douyin,dy_1,short_video,s1_20,18000,CNY,press_report,2025-09-12,"=HYPERLINK(""http://x.invalid"")"\n'
    )
    ingest("quotes", text)
    assert RateQuote.objects.get().notes == '\'=HYPERLINK("http://x.invalid")'
    with pytest.raises(IngestRejected) as info:
        ingest("quotes", text.replace(",CNY,", ",XYZ,").replace("2025-09-12", "2025-09-13"))
    assert errors(info) == [(2, "currency")]
