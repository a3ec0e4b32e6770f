"""GET /api/v1/influencers/{id}/history/: events, order, filters, cursors, CSV, permissions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import journal
from core.models import JournalEntry
from tests.factories import AccountFactory, SnapshotFactory
from tests.history.conftest import utc
from tests.pricing.factories import QuoteFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver/api/v1"
CSV_COLUMNS = ["kind", "occurred_at", "account", "summary", "object_type", "object_id", "url"]


def history(api, timeline, **params):
    response = api.get(f"/api/v1/influencers/{timeline.influencer.pk}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()


def local(value) -> str:
    return timezone.localtime(value).isoformat()


def expected_events(t) -> list[dict]:
    """The whole timeline of the ``timeline`` fixture, oldest first."""
    journal.integrate()
    status_entry = JournalEntry.objects.get(
        object_type="ledger.platformaccount", object_id=str(t.douyin.pk), action="update"
    )
    change = t.case.status_changes.get()
    s = t.snapshots
    return [
        {
            "kind": "follower_change",
            "occurred_at": "2025-09-02T12:00:00+08:00",
            "account": t.kuaishou.pk,
            "summary": "laok_ks (Kuaishou): 500 followers (first count) in the week of 2025-09-01",
            "object_type": "ledger.followersnapshot",
            "object_id": s["k0902"].pk,
            "url": f"{BASE}/snapshots/{s['k0902'].pk}/",
        },
        {
            "kind": "follower_change",
            "occurred_at": "2025-09-03T12:00:00+08:00",
            "account": t.douyin.pk,
            "summary": "laok (Douyin): 1,200 followers (first count) in the week of 2025-09-01",
            "object_type": "ledger.followersnapshot",
            "object_id": s["d0903"].pk,
            "url": f"{BASE}/snapshots/{s['d0903'].pk}/",
        },
        {
            "kind": "quote",
            "occurred_at": "2025-09-05T00:00:00+08:00",
            "account": t.kuaishou.pk,
            "summary": "laok_ks (Kuaishou): quoted 26,000.00 CNY for short video 21-60 s (press report)",
            "object_type": "pricing.ratequote",
            "object_id": t.quote.pk,
            "url": f"{BASE}/quotes/{t.quote.pk}/",
        },
        {
            "kind": "anomaly",
            "occurred_at": "2025-09-08T12:00:00+08:00",
            "account": t.douyin.pk,
            "summary": "laok (Douyin): jump (day-over-day increase), "
            "+5.0% per day (+300 followers) exceeds the 1% day-over-day threshold",
            "object_type": "ledger.followeranomaly",
            "object_id": t.anomaly.pk,
            "url": f"{BASE}/anomalies/{t.anomaly.pk}/",
        },
        {
            "kind": "follower_change",
            "occurred_at": "2025-09-10T12:00:00+08:00",
            "account": t.douyin.pk,
            "summary": "laok (Douyin): 1,400 followers (+200) in the week of 2025-09-08",
            "object_type": "ledger.followersnapshot",
            "object_id": s["d0910"].pk,
            "url": f"{BASE}/snapshots/{s['d0910'].pk}/",
        },
        {
            "kind": "case_opened",
            "occurred_at": "2025-09-15T00:00:00+08:00",
            "account": None,
            "summary": "Case CAC-2025-0042 opened by CAC: Paid smears",
            "object_type": "cases.case",
            "object_id": t.case.pk,
            "url": f"{BASE}/cases/{t.case.pk}/",
        },
        {
            "kind": "legal_action",
            "occurred_at": "2025-10-20T00:00:00+08:00",
            "account": None,
            "summary": "Lawsuit by NIO: filed, 5,000,000.00 CNY",
            "object_type": "cases.legalaction",
            "object_id": t.lawsuit.pk,
            "url": f"{BASE}/legal-actions/{t.lawsuit.pk}/",
        },
        {
            "kind": "account_status",
            "occurred_at": local(status_entry.occurred_at),
            "account": t.douyin.pk,
            "summary": "laok (Douyin): status active → banned",
            "object_type": "core.journalentry",
            "object_id": status_entry.seq,
            "url": f"{BASE}/journal/{status_entry.seq}/",
        },
        {
            "kind": "case_status",
            "occurred_at": local(change.changed_at),
            "account": None,
            "summary": "Case CAC-2025-0042 moved from open to investigating",
            "object_type": "cases.casestatuschange",
            "object_id": change.pk,
            "url": f"{BASE}/cases/{t.case.pk}/",
        },
    ]


def test_every_kind_in_order(as_regulator, timeline):
    data = history(as_regulator, timeline)
    assert data == {"next": None, "previous": None, "results": expected_events(timeline)}


def test_events_at_one_instant_are_ordered_by_kind_then_id(as_regulator, timeline):
    """GIVEN a quote observed the day of another and a case opened the same day (same instant)."""
    same_day = QuoteFactory(account=timeline.douyin, observed_on=date(2025, 9, 15))
    earlier_id = QuoteFactory(account=timeline.douyin, observed_on=date(2025, 9, 5))
    results = history(as_regulator, timeline, kinds="quote,case_opened")["results"]
    assert [(e["kind"], e["object_id"]) for e in results] == [
        ("quote", timeline.quote.pk),
        ("quote", earlier_id.pk),
        ("quote", same_day.pk),
        ("case_opened", timeline.case.pk),
    ]


# --- filters ----------------------------------------------------------------------


def test_since_and_until_bound_occurred_at_inclusively(as_regulator, timeline):
    everything = expected_events(timeline)
    data = history(as_regulator, timeline, since="2025-09-05T00:00:00+08:00", until="2025-09-15T00:00:00+08:00")
    assert data["results"] == everything[2:6]


def test_kinds_filter(as_regulator, timeline):
    everything = expected_events(timeline)
    data = history(as_regulator, timeline, kinds="legal_action, quote,anomaly")
    assert data["results"] == [e for e in everything if e["kind"] in {"legal_action", "quote", "anomaly"}]


def test_kinds_of_the_reviews_app_are_empty_without_reviews(as_regulator, timeline):
    assert history(as_regulator, timeline, kinds="review,claim_verdict,order,order_status,payment")["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kinds": "quote,bribe"}, "kinds"),
        ({"kinds": ","}, "kinds"),
        ({"since": "yesterday"}, "since"),
        ({"interval": "year"}, "interval"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"since": "2025-10-01T00:00:00Z", "until": "2025-09-01T00:00:00Z"}, "until"),
    ],
)
def test_bad_parameters_answer_400_with_the_field(as_regulator, timeline, params, field):
    response = as_regulator.get(f"/api/v1/influencers/{timeline.influencer.pk}/history/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_account_filter_keeps_that_accounts_events_and_the_actions_naming_it(as_regulator, timeline):
    everything = expected_events(timeline)
    douyin = history(as_regulator, timeline, account=timeline.douyin.pk)["results"]
    assert douyin == [
        e for e in everything if e["account"] == timeline.douyin.pk or e["kind"] == "legal_action"
    ]  # the case names the influencer, not the account; the lawsuit names the douyin account
    kuaishou = history(as_regulator, timeline, account=timeline.kuaishou.pk)["results"]
    assert kuaishou == [e for e in everything if e["account"] == timeline.kuaishou.pk]


def test_account_of_another_influencer_is_400(as_regulator, timeline):
    other = AccountFactory()
    response = as_regulator.get(
        f"/api/v1/influencers/{timeline.influencer.pk}/history/", {"account": other.pk, "kinds": "quote"}
    )
    assert response.status_code == 400
    assert response.json() == {"account": ["Not an account of this influencer."]}


def test_interval_day_gives_one_follower_change_per_snapshot_day(as_regulator, timeline):
    results = history(as_regulator, timeline, kinds="follower_change", interval="day", account=timeline.douyin.pk)
    assert [(e["occurred_at"][:10], e["summary"]) for e in results["results"]] == [
        ("2025-09-01", "laok (Douyin): 1,000 followers (first count) on 2025-09-01"),
        ("2025-09-03", "laok (Douyin): 1,200 followers (+200) on 2025-09-03"),
        ("2025-09-08", "laok (Douyin): 1,500 followers (+300) on 2025-09-08"),
        ("2025-09-10", "laok (Douyin): 1,400 followers (-100) on 2025-09-10"),
    ]


def test_interval_month(as_regulator, timeline):
    results = history(as_regulator, timeline, kinds="follower_change", interval="month")["results"]
    assert [e["summary"] for e in results] == [
        "laok_ks (Kuaishou): 500 followers (first count) in 2025-09",
        "laok (Douyin): 1,400 followers (first count) in 2025-09",
    ]


# --- cursor pagination ------------------------------------------------------------


def test_pages_follow_each_other_and_go_back(as_regulator, timeline):
    everything = expected_events(timeline)
    first = history(as_regulator, timeline, page_size=4)
    assert first["results"] == everything[:4] and first["previous"] is None
    second = as_regulator.get(first["next"]).json()
    assert second["results"] == everything[4:8]
    third = as_regulator.get(second["next"]).json()
    assert third["results"] == everything[8:] and third["next"] is None
    back = as_regulator.get(third["previous"]).json()
    assert back["results"] == everything[4:8]
    assert as_regulator.get(back["previous"]).json()["results"] == everything[:4]


def test_pagination_is_stable_while_events_arrive(as_regulator, timeline):
    """GIVEN a first page read, WHEN events arrive before and after it, THEN the next page starts right after it.

    An offset would repeat an event (one arrived earlier) or skip one; the keyset cursor does neither.
    """
    everything = expected_events(timeline)
    first = history(as_regulator, timeline, page_size=3)
    assert first["results"] == everything[:3]
    early = QuoteFactory(account=timeline.douyin, observed_on=date(2025, 8, 1))  # before the first page
    late = SnapshotFactory(account=timeline.kuaishou, captured_at=utc(9, 30), follower_count=900)  # after it
    second = as_regulator.get(first["next"]).json()
    assert second["results"] == everything[3:6]
    third = as_regulator.get(second["next"]).json()
    assert [e["object_id"] for e in third["results"]] == [
        late.pk,
        everything[6]["object_id"],
        everything[7]["object_id"],
    ]
    previous = as_regulator.get(second["previous"]).json()
    assert previous["results"] == everything[:3]
    before_that = as_regulator.get(previous["previous"]).json()
    assert [e["object_id"] for e in before_that["results"]] == [early.pk]
    assert before_that["previous"] is None


def test_query_count_does_not_depend_on_page_size(as_regulator, timeline):
    for i in range(10):
        QuoteFactory(account=timeline.douyin, observed_on=date(2025, 1, 1 + i))
    path = f"/api/v1/influencers/{timeline.influencer.pk}/history/"
    as_regulator.get(path)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert len(as_regulator.get(path, {"page_size": 3}).json()["results"]) == 3
    with CaptureQueriesContext(connection) as large:
        assert len(as_regulator.get(path, {"page_size": 50}).json()["results"]) == 19
    assert len(small.captured_queries) == len(large.captured_queries)


# --- CSV --------------------------------------------------------------------------


def test_csv_has_a_bom_a_header_and_every_event(as_regulator, timeline):
    response = as_regulator.get(
        f"/api/v1/influencers/{timeline.influencer.pk}/history/", {"format": "csv", "page_size": 2}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="influencer-{timeline.influencer.pk}-history.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfkind,occurred_at,account,summary,object_type,object_id,url\r\n")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["kind", "occurred_at", "account", "summary", "object_type", "object_id", "url"]
    expected = [[str("" if e[c] is None else e[c]) for c in CSV_COLUMNS] for e in expected_events(timeline)]
    assert rows[1:] == expected  # the whole timeline, whatever the page size


def test_csv_keeps_chinese_text_and_follows_the_filters(as_regulator, timeline):
    timeline.douyin.handle = "老K说车"
    timeline.douyin.save()
    response = as_regulator.get(
        f"/api/v1/influencers/{timeline.influencer.pk}/history/",
        {"kinds": "follower_change", "account": timeline.douyin.pk},
        HTTP_ACCEPT="text/csv",
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.splitlines()[1:] == [
        f"follower_change,2025-09-03T12:00:00+08:00,{timeline.douyin.pk},"
        f'"老K说车 (Douyin): 1,200 followers (first count) in the week of 2025-09-01",'
        f"ledger.followersnapshot,{timeline.snapshots['d0903'].pk},{BASE}/snapshots/{timeline.snapshots['d0903'].pk}/",
        f"follower_change,2025-09-10T12:00:00+08:00,{timeline.douyin.pk},"
        f'"老K说车 (Douyin): 1,400 followers (+200) in the week of 2025-09-08",'
        f"ledger.followersnapshot,{timeline.snapshots['d0910'].pk},{BASE}/snapshots/{timeline.snapshots['d0910'].pk}/",
    ]


def test_csv_of_bad_parameters_is_400(as_regulator, timeline):
    response = as_regulator.get(
        f"/api/v1/influencers/{timeline.influencer.pk}/history/", {"format": "csv", "kinds": "bribe"}
    )
    assert response.status_code == 400


# --- who sees what ----------------------------------------------------------------


def test_case_events_are_hidden_from_users_who_may_not_see_the_case(api, user_in_group, timeline):
    """GIVEN a regulator who is not a member of the case's authority, THEN no event of the case, nor its actions."""
    case_action = timeline.lawsuit
    case_action.case = timeline.case
    case_action.save()
    outsider = user_in_group("regulator")
    api.force_authenticate(outsider)
    kinds = [e["kind"] for e in history(api, timeline)["results"]]
    assert kinds == ["follower_change", "follower_change", "quote", "anomaly", "follower_change", "account_status"]
    api.force_authenticate(timeline.member)
    kinds = [e["kind"] for e in history(api, timeline)["results"]]
    assert kinds.count("case_opened") == kinds.count("case_status") == kinds.count("legal_action") == 1


def test_each_kind_needs_the_view_permission_of_its_model(as_analyst, timeline):
    """The analyst group sees no journal and no cases: no account status or case events; a lawsuit without a case."""
    kinds = [e["kind"] for e in history(as_analyst, timeline)["results"]]
    assert kinds == ["follower_change", "follower_change", "quote", "anomaly", "follower_change", "legal_action"]


def test_history_needs_the_influencers_view_permission(api, outsider, timeline):
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/influencers/{timeline.influencer.pk}/history/").status_code == 403
    api.force_authenticate(None)
    assert api.get(f"/api/v1/influencers/{timeline.influencer.pk}/history/").status_code == 401


def test_unknown_influencer_is_404(as_regulator, db):
    assert as_regulator.get("/api/v1/influencers/999999/history/").status_code == 404


def test_money_in_summaries_is_exact(as_regulator, timeline):
    QuoteFactory(account=timeline.douyin, price=Decimal("18000.05"), observed_on=date(2025, 9, 6))
    results = history(as_regulator, timeline, kinds="quote")["results"]
    assert results[1]["summary"] == "laok (Douyin): quoted 18,000.05 CNY for short video 1-20 s (marketplace listing)"


def test_schema_documents_the_history_json_and_csv_and_the_follower_series(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    history_get = schema["paths"]["/api/v1/influencers/{id}/history/"]["get"]
    content = history_get["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/HistoryPage"}
    assert content["text/csv"]["schema"] == {"type": "string"}
    params = {p["name"] for p in history_get["parameters"]}
    assert {"since", "until", "kinds", "account", "interval", "cursor", "page_size", "format"} <= params
    event = schema["components"]["schemas"]["HistoryEvent"]["properties"]
    assert event["account"] == {
        "type": "integer",
        "nullable": True,
        "description": "The account the event is about, if one.",
    }
    assert schema["components"]["schemas"]["HistoryKindEnum"]["enum"][:3] == [
        "follower_change",
        "account_status",
        "anomaly",
    ]
    series = schema["paths"]["/api/v1/accounts/{id}/followers/"]["get"]["responses"]["200"]["content"]
    assert series["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/FollowerPoint"}


def test_the_timeline_follows_case_visibility_whatever_its_sql_depends_on(api, user_in_group, timeline, monkeypatch):
    """GIVEN case visibility that branches on a permission (a national supervisor sees every case)
    WHEN the supervisor, then a regulator of another authority, then the case's own regulator ask
    THEN each sees the case's events only if he may see the case: nothing is reused across users."""
    from django.contrib.auth.models import Permission, User

    from cases import selectors
    from cases.models import Case

    cases_visible_to = selectors.cases_visible_to

    def visible(user):
        if user is not None and user.has_perm("cases.change_authority"):
            return Case.objects.all()
        return cases_visible_to(user)

    monkeypatch.setattr(selectors, "cases_visible_to", visible)
    supervisor = user_in_group("regulator")
    supervisor.user_permissions.add(Permission.objects.get(codename="change_authority"))
    outsider = user_in_group("regulator")
    for user, sees in [(supervisor, True), (outsider, False), (timeline.member, True), (outsider, False)]:
        api.force_authenticate(User.objects.get(pk=user.pk))  # fresh: no cached permissions
        kinds = [e["kind"] for e in history(api, timeline)["results"]]
        assert ("case_opened" in kinds) is sees, user
        assert ("case_status" in kinds) is sees, user
