"""Every API operation, enumerated from the URL conf, against every role, with the expected answer.

The operations come from drf-spectacular's enumerator over the URL conf (the same
list the OpenAPI schema is built from), not from a hand-written list: a new
endpoint that has no entry in ``RULES`` fails this test until someone decides
who may call it.

Answers are compared as classes: ``ok`` (the request got past authentication,
permissions and object visibility: 2xx, or 400/409 for the deliberately empty
bodies of writes), or the exact refusal (401, 403, 404). 5xx is never expected.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from drf_spectacular.generators import EndpointEnumerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.models import LegalAction
from core import journal
from core.models import JournalEntry
from ingest.models import IngestJob
from ledger.models import FollowerAnomaly
from ledger.services import snapshot_record
from parties.services import party_create
from pricing.models import MarketBenchmark, RateQuote
from pricing.services import benchmarks_recompute
from reviews.models import Campaign
from reviews.services import claim_verdict_set, payment_record
from tests.cases.factories import AuthorityFactory, CaseFactory, LegalActionFactory, record_evidence
from tests.factories import AccountFactory, AgencyFactory, UserFactory
from tests.pricing.factories import QuoteFactory
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "analyst", "other_regulator", "owner", "admin")

# The expected answer of each role, in the order of ROLES.
PUBLIC = ("ok",) * 6
READ = ("401", "403", "ok", "ok", "ok", "ok")  # ledger, pricing, reviews: every group reads
REGULATOR_READ = ("401", "403", "403", "ok", "ok", "ok")  # lists filtered to what each may see
WRITE = ("401", "403", "403", "ok", "ok", "ok")
ADMIN_ONLY = ("401", "403", "403", "403", "403", "ok")
CASE = ("401", "403", "403", "404", "ok", "ok")  # one case's data: hidden from other authorities
CASE_LEGAL_ACTION = ("401", "403", "404", "404", "ok", "ok")  # analysts see caseless ones only
OWN_TOKEN = ("401", "ok", "ok", "ok", "ok", "ok")  # any signed-in user

RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/api/docs/"): PUBLIC,
    ("GET", "/api/schema/"): PUBLIC,
    ("POST", "/api/v1/auth/revoke/"): OWN_TOKEN,
    ("POST", "/api/v1/auth/revoke-all/"): OWN_TOKEN,
    # ledger
    ("GET", "/api/v1/agencies/"): READ,
    ("POST", "/api/v1/agencies/"): WRITE,
    ("GET", "/api/v1/agencies/{pk}/"): READ,
    ("PUT", "/api/v1/agencies/{pk}/"): WRITE,
    ("PATCH", "/api/v1/agencies/{pk}/"): WRITE,
    ("DELETE", "/api/v1/agencies/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/influencers/"): READ,
    ("POST", "/api/v1/influencers/"): WRITE,
    ("GET", "/api/v1/influencers/{pk}/"): READ,
    ("PUT", "/api/v1/influencers/{pk}/"): WRITE,
    ("PATCH", "/api/v1/influencers/{pk}/"): WRITE,
    ("DELETE", "/api/v1/influencers/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/influencers/{pk}/history/"): READ,
    ("GET", "/api/v1/accounts/"): READ,
    ("POST", "/api/v1/accounts/"): WRITE,
    ("GET", "/api/v1/accounts/{pk}/"): READ,
    ("PUT", "/api/v1/accounts/{pk}/"): WRITE,
    ("PATCH", "/api/v1/accounts/{pk}/"): WRITE,
    ("DELETE", "/api/v1/accounts/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/accounts/{pk}/followers/"): READ,
    ("GET", "/api/v1/accounts/{pk}/rate-card/"): READ,
    ("POST", "/api/v1/accounts/{pk}/refresh/"): WRITE,
    ("GET", "/api/v1/accounts/{pk}/refreshes/"): READ,
    ("GET", "/api/v1/snapshots/"): READ,
    ("POST", "/api/v1/snapshots/"): WRITE,
    ("GET", "/api/v1/snapshots/{pk}/"): READ,
    ("GET", "/api/v1/anomalies/"): READ,
    ("GET", "/api/v1/anomalies/{pk}/"): READ,
    ("GET", "/api/v1/journal/"): REGULATOR_READ,
    ("GET", "/api/v1/journal/{pk}/"): REGULATOR_READ,
    ("GET", "/api/v1/journal/head/"): REGULATOR_READ,
    # pricing
    ("GET", "/api/v1/tiers/"): READ,
    ("GET", "/api/v1/tiers/{code}/"): READ,
    ("GET", "/api/v1/tiers/resolve/"): READ,
    ("GET", "/api/v1/quotes/"): READ,
    ("POST", "/api/v1/quotes/"): WRITE,
    ("GET", "/api/v1/quotes/{pk}/"): READ,
    ("PATCH", "/api/v1/quotes/{pk}/"): WRITE,
    ("GET", "/api/v1/benchmarks/"): READ,
    ("GET", "/api/v1/benchmarks/{pk}/"): READ,
    # reviews
    ("GET", "/api/v1/targets/"): READ,
    ("POST", "/api/v1/targets/"): WRITE,
    ("GET", "/api/v1/targets/{pk}/"): READ,
    ("PUT", "/api/v1/targets/{pk}/"): WRITE,
    ("PATCH", "/api/v1/targets/{pk}/"): WRITE,
    ("DELETE", "/api/v1/targets/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/reviews/"): READ,
    ("POST", "/api/v1/reviews/"): WRITE,
    ("GET", "/api/v1/reviews/{pk}/"): READ,
    ("PUT", "/api/v1/reviews/{pk}/"): WRITE,
    ("PATCH", "/api/v1/reviews/{pk}/"): WRITE,
    ("DELETE", "/api/v1/reviews/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/claims/"): READ,
    ("POST", "/api/v1/claims/"): WRITE,
    ("GET", "/api/v1/claims/{pk}/"): READ,
    ("PUT", "/api/v1/claims/{pk}/"): WRITE,
    ("PATCH", "/api/v1/claims/{pk}/"): WRITE,
    ("DELETE", "/api/v1/claims/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/claims/{pk}/claimreview/"): READ,
    ("POST", "/api/v1/claims/{pk}/verdict/"): WRITE,
    ("GET", "/api/v1/orders/"): READ,
    ("POST", "/api/v1/orders/"): WRITE,
    ("GET", "/api/v1/orders/{pk}/"): READ,
    ("PUT", "/api/v1/orders/{pk}/"): WRITE,
    ("PATCH", "/api/v1/orders/{pk}/"): WRITE,
    ("DELETE", "/api/v1/orders/{pk}/"): ADMIN_ONLY,
    ("POST", "/api/v1/orders/{pk}/transition/"): WRITE,
    ("GET", "/api/v1/payments/"): READ,
    ("POST", "/api/v1/payments/"): WRITE,
    ("GET", "/api/v1/payments/{pk}/"): READ,
    # cases
    ("GET", "/api/v1/authorities/"): READ,
    ("POST", "/api/v1/authorities/"): ADMIN_ONLY,
    ("GET", "/api/v1/authorities/{pk}/"): READ,
    ("PUT", "/api/v1/authorities/{pk}/"): ADMIN_ONLY,
    ("PATCH", "/api/v1/authorities/{pk}/"): ADMIN_ONLY,
    ("DELETE", "/api/v1/authorities/{pk}/"): ADMIN_ONLY,
    ("GET", "/api/v1/cases/"): REGULATOR_READ,
    ("POST", "/api/v1/cases/"): WRITE,
    ("GET", "/api/v1/cases/{pk}/"): CASE,
    ("PUT", "/api/v1/cases/{pk}/"): CASE,
    ("PATCH", "/api/v1/cases/{pk}/"): CASE,
    ("GET", "/api/v1/cases/{pk}/bundle/"): CASE,
    ("GET", "/api/v1/cases/{pk}/notes/"): CASE,
    ("POST", "/api/v1/cases/{pk}/notes/"): CASE,
    ("POST", "/api/v1/cases/{pk}/transition/"): CASE,
    ("GET", "/api/v1/legal-actions/"): READ,
    ("POST", "/api/v1/legal-actions/"): WRITE,
    ("GET", "/api/v1/legal-actions/{pk}/"): CASE_LEGAL_ACTION,
    ("PUT", "/api/v1/legal-actions/{pk}/"): CASE,
    ("PATCH", "/api/v1/legal-actions/{pk}/"): CASE,
    ("DELETE", "/api/v1/legal-actions/{pk}/"): ("401", "403", "403", "403", "403", "ok"),
    ("GET", "/api/v1/evidence/"): REGULATOR_READ,
    ("POST", "/api/v1/evidence/"): WRITE,
    ("GET", "/api/v1/evidence/{pk}/"): CASE,
    ("GET", "/api/v1/evidence/{pk}/download/"): CASE,
    # parties and the money graph
    ("GET", "/api/v1/parties/"): READ,
    ("POST", "/api/v1/parties/"): WRITE,
    ("GET", "/api/v1/parties/duplicates/"): READ,
    ("GET", "/api/v1/parties/{pk}/"): READ,
    ("PUT", "/api/v1/parties/{pk}/"): WRITE,
    ("PATCH", "/api/v1/parties/{pk}/"): WRITE,
    ("POST", "/api/v1/parties/{pk}/aliases/"): WRITE,
    ("POST", "/api/v1/parties/{pk}/merge/"): WRITE,
    ("POST", "/api/v1/parties/{pk}/split/"): WRITE,
    ("GET", "/api/v1/parties/{pk}/graph/"): READ,
    # campaigns, risk scores
    ("GET", "/api/v1/campaigns/"): READ,
    ("GET", "/api/v1/campaigns/{pk}/"): READ,
    ("POST", "/api/v1/campaigns/{pk}/transition/"): WRITE,
    ("GET", "/api/v1/accounts/{pk}/risk/"): READ,
    ("GET", "/api/v1/orders/{pk}/risk/"): READ,
    # exports (FollowTheMoney, STIX): whoever may see the record; without ?format= the answer is 400
    ("GET", "/api/v1/influencers/{pk}/export/"): READ,
    ("GET", "/api/v1/cases/{pk}/export/"): CASE,
    ("GET", "/api/v1/campaigns/{pk}/export/"): READ,
    ("GET", "/api/v1/parties/{pk}/export/"): READ,
    # bulk ingest: the add permission of the kind; a job is its creator's (and the admins')
    ("POST", "/api/v1/ingest/{kind}/"): WRITE,
    ("GET", "/api/v1/ingest/jobs/{pk}/"): ("401", "404", "404", "404", "ok", "ok"),
    # the journal's signed heads, key and proofs: verification data, for every signed-in user
    ("GET", "/api/v1/journal/heads/"): OWN_TOKEN,
    ("GET", "/api/v1/journal/heads/latest/"): OWN_TOKEN,
    ("GET", "/api/v1/journal/key/"): OWN_TOKEN,
    ("GET", "/api/v1/journal/proofs/inclusion/"): OWN_TOKEN,
    ("GET", "/api/v1/journal/proofs/consistency/"): OWN_TOKEN,
}


def operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the URL conf serves, as the OpenAPI schema lists them."""
    return sorted(
        {(method, path) for path, _regex, method, _callback in EndpointEnumerator().get_api_endpoints()},
        key=lambda op: (op[0] == "DELETE", op[1], op[0]),  # deletions last: they remove the objects
    )


def answer_class(status: int) -> str:
    if status in (401, 403, 404, 405):
        return str(status)
    if status >= 500:
        return f"server error {status}"
    return "ok"  # 2xx, or 400/409: past every access check, refused for its (empty) body


@pytest.fixture
def world(db):
    """One object of every kind; a case (with its legal action and evidence) owned by ``owner``'s authority."""
    users = {
        "outsider": UserFactory(),
        "analyst": UserFactory(),
        "other_regulator": UserFactory(),
        "owner": UserFactory(),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    users["analyst"].groups.add(Group.objects.get(name="analyst"))
    for name in ("other_regulator", "owner"):
        users[name].groups.add(Group.objects.get(name="regulator"))
    AuthorityFactory(members=[users["other_regulator"]])
    case = CaseFactory(authority=AuthorityFactory(members=[users["owner"]]))
    account = AccountFactory(influencer__agency=AgencyFactory())
    t0 = datetime(2025, 9, 1, tzinfo=UTC)
    snapshot = snapshot_record(account=account, captured_at=t0, follower_count=1000)
    snapshot_record(account=account, captured_at=t0 + timedelta(days=1), follower_count=900_000)
    for i in range(3):
        QuoteFactory(account=account, observed_on=date.today() - timedelta(days=i + 1))
    benchmarks_recompute()
    review = ReviewFactory(account=account, targets=[TargetFactory()])
    claim = ClaimFactory(reviews=[review])
    claim_verdict_set(claim=claim, verdict="false", verdict_on=date(2025, 9, 20), verdict_by="Court")
    order = OrderFactory(account=account)
    journal.integrate()
    ids = {
        "agencies": account.influencer.agency_id,
        "influencers": account.influencer_id,
        "accounts": account.pk,
        "snapshots": snapshot.pk,
        "anomalies": FollowerAnomaly.objects.values_list("pk", flat=True).first(),
        "journal": JournalEntry.objects.values_list("pk", flat=True).first(),
        "tiers": "s1_20",
        "quotes": RateQuote.objects.values_list("pk", flat=True).first(),
        "benchmarks": MarketBenchmark.objects.values_list("pk", flat=True).first(),
        "targets": review.targets.first().pk,
        "reviews": review.pk,
        "claims": claim.pk,
        "orders": order.pk,
        "parties": party_create(name="Bluewhale PR").pk,
        "payments": payment_record(order=order, amount=Decimal("10.00"), paid_on=date(2025, 9, 20), channel="cash").pk,
        "authorities": case.authority_id,
        "cases": case.pk,
        "legal-actions": LegalActionFactory(case=case).pk,
        "evidence": record_evidence(case).pk,
        "campaigns": Campaign.objects.create(
            first_published_at=t0, last_published_at=t0 + timedelta(hours=5), similarity=Decimal("0.9")
        ).pk,
        "ingest": IngestJob.objects.create(
            kind="snapshots", file_format="csv", actor="user:owner", created_by=users["owner"]
        ).pk,
    }
    assert all(value is not None for value in ids.values()), ids
    return users, ids


def request(users: dict, ids: dict, role: str, method: str, path: str) -> int:
    client = APIClient()
    if role != "anonymous":
        _instance, token = AuthToken.objects.create(user=users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    resource = path.split("/")[3] if path.startswith("/api/v1/") else ""
    url = path.replace("{pk}", str(ids.get(resource, 0))).replace("{code}", str(ids.get(resource, "")))
    url = url.replace("{kind}", "snapshots")
    if url.endswith("/tiers/resolve/"):
        url += "?platform=douyin&deliverable=short_video&seconds=30"
    body_format = "multipart" if resource == "evidence" else "json"
    return getattr(client, method.lower())(url, {}, format=body_format).status_code


def test_every_operation_has_a_rule():
    missing = [op for op in operations() if op not in RULES]
    assert missing == [], "give these operations a rule in RULES (who may call them?)"
    stale = [op for op in RULES if op not in set(operations())]
    assert stale == [], "these rules name operations that no longer exist"


def test_every_role_gets_the_expected_answer_from_every_operation(world, settings):
    settings.PLATFORM_DEFAULT_URL = "http://127.0.0.1:9"  # a refresh fails fast, recorded, without a platform
    users, ids = world
    wrong = []
    for method, path in operations():
        expected = RULES.get((method, path))
        if expected is None:
            continue  # reported by test_every_operation_has_a_rule
        for role, want in zip(ROLES, expected, strict=True):
            got = answer_class(request(users, ids, role, method, path))
            if got != want:
                wrong.append(f"{method} {path} as {role}: expected {want}, got {got}")
    assert wrong == []


def test_other_authorities_never_see_the_case_in_lists(world):
    """The lists answer 200 to every regulator, but a case's data only to those who may see it."""
    users, ids = world
    for path, key in [
        ("/api/v1/cases/", "cases"),
        ("/api/v1/evidence/", "evidence"),
        ("/api/v1/legal-actions/", "legal-actions"),
    ]:
        for role, visible in [("other_regulator", False), ("owner", True), ("admin", True)]:
            client = APIClient()
            client.force_authenticate(users[role])
            listed = [item["id"] for item in client.get(path).json()["results"]]
            assert (ids[key] in listed) is visible, (path, role)
    assert LegalAction.objects.filter(pk=ids["legal-actions"], case_id=ids["cases"]).exists()
