"""The history's compiled SQL, reused per shape of request: same SQL and parameters as the ORM, no leaks."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from cases.models import Case
from ledger import history
from ledger.choices import FollowerInterval, HistoryKind
from pricing.models import RateQuote
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.factories import AccountFactory, InfluencerFactory, UserFactory
from tests.pricing.factories import QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    history._TEMPLATES.clear()
    yield
    history._TEMPLATES.clear()


def _user(kind: str, user_in_group) -> User:
    return UserFactory(is_superuser=True) if kind == "superuser" else user_in_group(kind)


@pytest.mark.parametrize("user_kind", ["superuser", "regulator", "analyst"])
@pytest.mark.parametrize("one_account", [False, True])
@pytest.mark.parametrize("interval", [FollowerInterval.WEEK, FollowerInterval.MONTH])
def test_every_source_is_reused_with_the_sql_the_orm_compiles(
    timeline, user_in_group, user_kind, one_account, interval
):
    """GIVEN each source compiled once for the timeline's influencer and one user
    WHEN another influencer (other ids) is asked for by another user of the same shape
    THEN the reused SQL and parameters are exactly what the ORM compiles for that request.
    """
    other = InfluencerFactory()
    other_accounts = [AccountFactory(influencer=other), AccountFactory(influencer=other)]
    first_user, second_user = _user(user_kind, user_in_group), _user(user_kind, user_in_group)
    first_account = timeline.douyin.pk if one_account else None
    second_account = other_accounts[1].pk if one_account else None
    first, _ = history.scope_for(
        influencer_id=timeline.influencer.pk, user=first_user, account=first_account, interval=interval
    )
    second, _ = history.scope_for(influencer_id=other.pk, user=second_user, account=second_account, interval=interval)
    assert first.account_ids != second.account_ids and len(first.account_ids) == len(second.account_ids)

    for kind, source in history.sources().items():
        history.source_sql(source, first)
        reused = history.source_sql(source, second)
        assert history._TEMPLATES, kind
        assert all(template is not None for template in history._TEMPLATES.values()), f"{kind} is not reused"
        assert reused == history._compiled(source, second), kind
        assert reused is not None, kind


def test_a_regulator_outside_the_authority_sees_no_case_events_after_a_member_asked(api, timeline, regulator):
    """GIVEN a member of the case's authority has read the history (its SQL is cached)
    WHEN a regulator of another authority reads the same history
    THEN it sees none of the case's events, and the member still sees them.
    """
    outsider = UserFactory()
    outsider.groups.add(*regulator.groups.all())
    AuthorityFactory(name="Other", members=[outsider])
    path = f"/api/v1/influencers/{timeline.influencer.pk}/history/"
    case_kinds = {HistoryKind.CASE_OPENED, HistoryKind.CASE_STATUS}

    api.force_authenticate(timeline.member)
    member_kinds = {e["kind"] for e in api.get(path).json()["results"]}
    api.force_authenticate(outsider)
    outsider_events = api.get(path).json()["results"]
    api.force_authenticate(timeline.member)
    member_again = {e["kind"] for e in api.get(path).json()["results"]}

    assert case_kinds <= member_kinds
    assert not case_kinds & {e["kind"] for e in outsider_events}
    assert [e["object_id"] for e in outsider_events if e["kind"] == HistoryKind.LEGAL_ACTION] == [timeline.lawsuit.pk]
    assert member_again == member_kinds


def test_an_influencer_without_accounts_has_the_cases_naming_it(api, superuser):
    """GIVEN an influencer with no account, named by a case
    THEN its history answers 200 with the case's opening only.
    """
    influencer = InfluencerFactory()
    case = CaseFactory(reference="CAC-2025-0007", opened_on=date(2025, 3, 1))
    case.influencers.add(influencer)
    api.force_authenticate(superuser)

    response = api.get(f"/api/v1/influencers/{influencer.pk}/history/")

    assert response.status_code == 200, response.content
    assert [(e["kind"], e["object_id"]) for e in response.json()["results"]] == [("case_opened", case.pk)]
    assert Case.objects.count() == 1


def test_a_source_that_derives_other_values_from_the_scope_is_compiled_every_time(timeline, superuser):
    """GIVEN a source whose SQL holds a value computed from the scope (not the scope's value itself)
    THEN it is not reused: each scope gets its own compilation.
    """
    QuoteFactory(account=timeline.douyin, observed_on=date(2025, 1, 1))

    def derived(scope: history.HistoryScope):
        return history.event_rows(
            RateQuote.objects.filter(account_id__in=scope.account_ids, price__gte=scope.influencer_id + 1),
            kind=HistoryKind.QUOTE,
            at="recorded_at",
        )

    source = history.Source(
        HistoryKind.QUOTE, "pricing.ratequote", "pricing.view_ratequote", "quote-detail", derived, lambda r, c: ""
    )
    scope, _ = history.scope_for(influencer_id=timeline.influencer.pk, user=superuser)

    assert history.source_sql(source, scope) == history._compiled(source, scope)
    assert list(history._TEMPLATES.values()) == [None]
