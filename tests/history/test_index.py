"""The history's index (core.history): kept current from the journal's feed, rebuilt by reindex_history.

Every test of the suite also checks, when it ends, that the index is what the
sources give (``history_index_agrees`` in tests/conftest.py); the tests here
cover what that check cannot see: whose history a row is on, the filters the
index answers, the rebuild command and the page's queries.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import history, journal
from core.models import TimelineEvent
from ledger.history import influencer_history
from pricing.models import RateQuote
from reviews.choices import Verdict
from reviews.services import claim_verdict_set
from tests.cases.factories import CaseFactory
from tests.factories import AccountFactory, InfluencerFactory, SnapshotFactory
from tests.history.conftest import utc
from tests.pricing.factories import QuoteFactory
from tests.reviews.factories import ClaimFactory, ReviewFactory

pytestmark = pytest.mark.django_db

QUERIES_PER_PAGE = 6  # see test_a_page_is_a_fixed_number_of_queries


def events(api, influencer, **params) -> list[tuple[str, int]]:
    response = api.get(f"/api/v1/influencers/{influencer.pk}/history/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return [(e["kind"], e["object_id"]) for e in response.json()["results"]]


def test_every_type_a_source_reads_is_journaled_and_has_a_rule():
    """The index learns of changes from the journal's feed only: a source reading an unjournaled table, or
    a table no rule follows, would go stale without a word."""
    journaled = {journal.object_type(model) for model in journal.journaled_models()}
    read = {t for source in influencer_history.sources().values() for t in source.reads}
    assert read <= journaled
    assert influencer_history.unfollowed() == set()


def test_a_case_naming_two_influencers_is_on_both_histories(as_regulator, regulator):
    """GIVEN a case naming one influencer itself and an account of another WHEN each history is read
    THEN both show it; with ``account``, only the history of the account it names does."""
    named, other = InfluencerFactory(), InfluencerFactory()
    named_account, other_account = AccountFactory(influencer=named), AccountFactory(influencer=other)
    case = CaseFactory()
    case.authority.members.add(regulator)
    case.influencers.add(named)
    case.accounts.add(other_account)
    assert ("case_opened", case.pk) in events(as_regulator, named)
    assert ("case_opened", case.pk) in events(as_regulator, other)
    assert ("case_opened", case.pk) not in events(as_regulator, named, account=named_account.pk)
    assert ("case_opened", case.pk) in events(as_regulator, other, account=other_account.pk)
    case.accounts.remove(other_account)  # a link table's change reaches the index too
    assert ("case_opened", case.pk) not in events(as_regulator, other)


def test_an_account_moved_to_another_influencer_takes_its_events_along(as_regulator):
    before, after = InfluencerFactory(), InfluencerFactory()
    account = AccountFactory(influencer=before)
    quote = QuoteFactory(account=account, observed_on=date(2025, 9, 5))
    SnapshotFactory(account=account, captured_at=utc(9, 1))
    assert ("quote", quote.pk) in events(as_regulator, before)
    account.influencer = after
    account.save()
    assert events(as_regulator, before) == []
    assert ("quote", quote.pk) in events(as_regulator, after)
    assert "follower_change" in {kind for kind, _ in events(as_regulator, after)}


def test_a_bulk_update_reaches_the_index(as_regulator):
    """``update()`` skips the models' save, not the capture triggers: the summary shows the new price."""
    account = AccountFactory()
    for day in (1, 2, 3):
        QuoteFactory(account=account, price=Decimal("1000.00"), observed_on=date(2025, 9, day))
    RateQuote.objects.filter(account=account).update(price=Decimal("2500.00"))
    response = as_regulator.get(f"/api/v1/influencers/{account.influencer_id}/history/", {"kinds": "quote"})
    assert [e["summary"].split(" for ")[0] for e in response.json()["results"]] == [
        f"{account.handle} (Douyin): quoted 2,500.00 CNY"
    ] * 3


def test_a_claim_made_by_two_accounts_of_one_influencer_is_one_event_found_by_either(as_regulator):
    influencer = InfluencerFactory()
    first, second = AccountFactory(influencer=influencer), AccountFactory(influencer=influencer)
    claim = ClaimFactory(
        reviews=[
            ReviewFactory(account=first, published_at=utc(9, 1)),
            ReviewFactory(account=second, published_at=utc(9, 2)),
        ]
    )
    claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 9, 20), verdict_by="Piyao")
    assert events(as_regulator, influencer, kinds="claim_verdict") == [("claim_verdict", claim.pk)]
    for account in (first, second):
        assert events(as_regulator, influencer, kinds="claim_verdict", account=account.pk) == [
            ("claim_verdict", claim.pk)
        ]
    response = as_regulator.get(f"/api/v1/influencers/{influencer.pk}/history/", {"kinds": "claim_verdict"})
    assert response.json()["results"][0]["account"] == first.pk  # the earliest review's account


def test_a_read_sequences_the_changes_committed_before_it_first(as_regulator):
    account = AccountFactory()
    quote = QuoteFactory(account=account)  # queued by the capture triggers, not yet in the journal
    assert journal.queue_size() > 0
    assert ("quote", quote.pk) in events(as_regulator, account.influencer)
    assert journal.queue_size() == 0


def test_a_read_does_not_wait_for_another_sequencer(as_regulator):
    """GIVEN another sequencer at work (here: a connection holding its lock) WHEN a history is read THEN it
    answers at once with what is sequenced; the queued change appears once the sequencer is free."""
    account = AccountFactory()
    quote = QuoteFactory(account=account)
    params = connection.get_connection_params()
    conninfo = {key: params[key] for key in ("dbname", "user", "password", "host", "port") if params.get(key)}
    with psycopg.connect(**conninfo) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [journal._SEQUENCER_LOCK])  # held until commit
        assert events(as_regulator, account.influencer) == []
    assert ("quote", quote.pk) in events(as_regulator, account.influencer)


def test_reindex_history_rebuilds_the_index_and_check_reports_what_differs(as_regulator, timeline):
    shown = events(as_regulator, timeline.influencer)
    TimelineEvent.objects.filter(kind=influencer_history.rank["quote"]).delete()
    TimelineEvent.objects.filter(kind=influencer_history.rank["anomaly"]).update(note="edited")
    out = StringIO()
    with pytest.raises(CommandError, match="differs from its sources in 3 rows"):
        call_command("reindex_history", "--check", "--no-progress", stdout=out)
    assert "influencer quote: 1 rows missing, 0 rows not from the source" in out.getvalue()
    assert "influencer anomaly: 1 rows missing, 1 rows not from the source" in out.getvalue()  # the edited row

    call_command("reindex_history", "--no-progress", stdout=StringIO())
    call_command("reindex_history", "--check", "--no-progress", stdout=(out := StringIO()))
    assert "influencer quote: 0 rows missing, 0 rows not from the source" in out.getvalue()
    assert events(as_regulator, timeline.influencer) == shown


def test_a_page_is_a_fixed_number_of_queries(as_regulator, timeline):
    """The influencer, its accounts, whether the journal's queue holds changes (none: the sequencer is not
    run), the one query on the index, and the request's transaction (2 savepoints): the same with 10 events
    more."""
    path = f"/api/v1/influencers/{timeline.influencer.pk}/history/"
    as_regulator.get(path)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as before:
        as_regulator.get(path)
    for day in range(1, 11):
        QuoteFactory(account=timeline.douyin, observed_on=date(2025, 1, day))
    journal.integrate()
    with CaptureQueriesContext(connection) as after:
        as_regulator.get(path)
    reads = [q["sql"] for q in after.captured_queries if "core_timelineevent" in q["sql"]]
    assert len(reads) == 1
    assert not [q for q in after.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(after.captured_queries) == len(before.captured_queries) == QUERIES_PER_PAGE


def agrees() -> bool:
    journal.integrate()
    return history.differences() == {}


def test_new_snapshots_rebuild_only_the_periods_from_their_week_or_month(monkeypatch):
    """GIVEN an account with a snapshot every other day for three months WHEN snapshots are added at the end,
    in the past (across a month's end inside a week) and deleted THEN the follower rows are rebuilt from the
    earliest week or month start they touch, and the index stays what the whole series gives."""
    account = AccountFactory()
    snapshots = [
        SnapshotFactory(account=account, captured_at=utc(7, 1) + timedelta(days=day), follower_count=1000 + day)
        for day in range(0, 92, 2)
    ]
    assert agrees()
    rebuilt = []
    reindex = influencer_history.reindex
    monkeypatch.setattr(
        influencer_history, "reindex", lambda *a, **kw: rebuilt.append((kw.get("since"), reindex(*a, **kw)))
    )
    SnapshotFactory(account=account, captured_at=utc(10, 1), follower_count=5000)  # a refresh: the newest
    assert agrees()
    ((since, written),) = [(since, written) for since, written in rebuilt if since is not None]
    assert since == utc(10, 1) and 0 < written["follower_change"] < 40  # of about 80 rows: from the week's start
    assert all("follower_change" not in written for since, written in rebuilt if since is None)  # anomalies: whole
    SnapshotFactory(account=account, captured_at=utc(8, 31, 10), follower_count=3)  # a late import, mid-week
    assert agrees()
    snapshots[30].delete()  # a period's last count goes
    assert agrees()
    assert events_of(account) == events_of(account, rebuilt_whole=True)


def events_of(account, *, rebuilt_whole: bool = False) -> list[tuple]:
    if rebuilt_whole:
        influencer_history.reindex([account.influencer_id])
    rows = TimelineEvent.objects.filter(subject=account.influencer_id, kind=influencer_history.rank["follower_change"])
    return sorted(rows.values_list("variant", "object_id", "occurred_at", "number", "delta"))
