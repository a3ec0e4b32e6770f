from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth.models import User

from core.identifiers import uscc_check_character
from ledger.choices import AgencyKind, InfluencerKind, Platform, SnapshotSource
from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount


def make_uscc(n: int) -> str:
    """A valid Unified Social Credit Code, distinct for each ``n``."""
    first17 = f"9111000060{n:07d}"
    return first17 + uscc_check_character(first17)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct horse battery staple")


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.MCN
    uscc = factory.Sequence(make_uscc)


class InfluencerFactory(factory.django.DjangoModelFactory[Influencer]):
    class Meta:
        model = Influencer

    display_name = factory.Sequence(lambda n: f"Blogger {n}")
    kind = InfluencerKind.PERSON
    legal_name = "王建国"
    agency = factory.SubFactory(AgencyFactory)


class AccountFactory(factory.django.DjangoModelFactory[PlatformAccount]):
    class Meta:
        model = PlatformAccount

    influencer = factory.SubFactory(InfluencerFactory)
    platform = Platform.DOUYIN
    handle = factory.Sequence(lambda n: f"handle_{n}")
    platform_uid = factory.Sequence(lambda n: f"uid{n:08d}")
    profile_url = factory.LazyAttribute(lambda a: f"https://example.invalid/{a.platform}/{a.platform_uid}")


class SnapshotFactory(factory.django.DjangoModelFactory[FollowerSnapshot]):
    class Meta:
        model = FollowerSnapshot

    account = factory.SubFactory(AccountFactory)
    captured_at = factory.Sequence(lambda n: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n))
    follower_count = 1000
    source = SnapshotSource.MANUAL
