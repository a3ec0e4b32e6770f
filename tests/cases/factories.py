from __future__ import annotations

from datetime import UTC, date, datetime

import factory
from django.core.files.base import ContentFile

from cases import services
from cases.choices import AuthorityKind, LegalActionKind, LegalActionStatus
from cases.models import Authority, Case, Evidence, LegalAction

CAPTURED_AT = datetime(2025, 9, 12, 4, 0, tzinfo=UTC)


class AuthorityFactory(factory.django.DjangoModelFactory[Authority]):
    class Meta:
        model = Authority
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Authority {n}")
    kind = AuthorityKind.REGULATOR

    @factory.post_generation
    def members(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.members.add(*extracted)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CAC-2025-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Case {n}")
    authority = factory.SubFactory(AuthorityFactory)
    opened_on = date(2025, 9, 15)


class LegalActionFactory(factory.django.DjangoModelFactory[LegalAction]):
    class Meta:
        model = LegalAction

    kind = LegalActionKind.LAWSUIT
    case = None
    plaintiff = "NIO"
    court_or_authority = "District People's Court"
    filed_on = date(2025, 10, 20)
    status = LegalActionStatus.FILED


def record_evidence(case: Case, content: bytes = b"captured bytes", name: str = "capture.txt", **kwargs) -> Evidence:
    """Evidence recorded through the service, as the API and admin do."""
    return services.evidence_record(
        case=case, file=ContentFile(content, name=name), captured_at=kwargs.pop("captured_at", CAPTURED_AT), **kwargs
    )
