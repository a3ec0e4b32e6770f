"""Demo cases (called by ``manage.py seed_demo``): a CAC case against the demo blogger and a carmaker's lawsuit.

The case links the blogger's black order and his two videos from the reviews demo.

Idempotent: rows are matched on natural keys, the case moves on only from
``open``, and its evidence file is stored once.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from cases import services
from cases.choices import AuthorityKind, CaseStatus, LegalActionKind, LegalActionStatus
from cases.models import Authority, Case, LegalAction
from ledger.models import PlatformAccount
from reviews import demo as reviews_demo
from reviews.models import Review

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN = (
    "Special rectification action against online misconduct in the automotive industry "
    "(six departments incl. MIIT and CAC, September-December 2025)"
)
EVIDENCE_TEXT = """\
Capture record (demo)
Account: douyin dy_60000001 (laok_shuoche), 600,000 followers
Captured: 2025-09-12 12:00 Asia/Shanghai
Rate card as quoted to an undercover inquiry, per video by length:
  1-20 s   18,000 CNY
  21-60 s  26,000 CNY
  over 60 s 38,000 CNY
Offer includes "negative content" about a named rival brand on request.
"""


def seed(*, command) -> None:
    """Add the demo authority, case, evidence and lawsuit (the ledger part must be loaded)."""
    with transaction.atomic():
        blogger = PlatformAccount.objects.select_related("influencer__agency").get(
            platform="douyin", platform_uid="dy_60000001"
        )
        influencer = blogger.influencer
        authority, _ = Authority.objects.update_or_create(
            name="Cyberspace Administration of China (国家互联网信息办公室)",
            defaults={"kind": AuthorityKind.REGULATOR},
        )
        case, _ = Case.objects.update_or_create(
            reference="CAC-2025-0001",
            defaults={
                "title": "Paid defamatory car reviews offered by Lao K on Cars",
                "authority": authority,
                "opened_on": date(2025, 9, 15),
                "campaign": CAMPAIGN,
                "summary": (
                    "The blogger's Douyin account quoted 18,000 / 26,000 / 38,000 CNY per video and offered "
                    "negative content about a rival brand. Opened during the special rectification action."
                ),
            },
        )
        case.influencers.set([influencer])
        case.accounts.set(list(influencer.accounts.all()))
        case.agencies.set([influencer.agency] if influencer.agency else [])
        order = reviews_demo.demo_order()
        case.orders.set([order] if order else [])
        case.reviews.set(list(Review.objects.filter(url__in=reviews_demo.demo_review_urls(), account=blogger)))
        if case.status == CaseStatus.OPEN:
            services.case_note_add(case=case, text="Rate card captured by an undercover inquiry; see the evidence.")
            services.case_transition(
                case=case, status=CaseStatus.INVESTIGATING, reason="Rate card and offer of negative content captured."
            )
        if not case.evidence.exists():
            services.evidence_record(
                case=case,
                file=ContentFile(EVIDENCE_TEXT.encode("utf-8"), name="dy_60000001-rate-card-2025-09-12.txt"),
                captured_at=datetime.combine(date(2025, 9, 12), time(12, 0), tzinfo=SHANGHAI),
                source_url="https://example.invalid/douyin/dy_60000001",
                description="Transcript of the rate card quoted to an undercover inquiry.",
            )
        lawsuit, _ = LegalAction.objects.update_or_create(
            kind=LegalActionKind.LAWSUIT,
            plaintiff="NIO (蔚来)",
            case=None,
            filed_on=date(2025, 10, 20),
            defaults={
                "court_or_authority": "District People's Court (demo)",
                "defendants_text": "The operator of the Douyin account laok_shuoche (dy_60000001).",
                "hearing_on": date(2026, 1, 15),
                "status": LegalActionStatus.AWAITING_HEARING,
                "outcome": "",
                "amount": Decimal("5000000.00"),
            },
        )
        lawsuit.defendant_influencers.set([influencer])
        lawsuit.defendant_accounts.set([blogger])
    command.stdout.write(
        gettext("  cases: %(reference)s (%(status)s) with %(evidence)d evidence; 1 lawsuit")
        % {"reference": case.reference, "status": case.get_status_display(), "evidence": case.evidence.count()}
    )
