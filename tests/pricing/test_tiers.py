"""Duration tiers: default data, resolution of a length, and tiers that never overlap."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pricing.models import DurationTier
from tests.pricing.factories import tier

pytestmark = pytest.mark.django_db


def test_default_tiers_are_listed_with_their_codes(as_analyst):
    response = as_analyst.get("/api/v1/tiers/")
    assert response.status_code == 200
    assert response.data["results"] == [
        {"code": "s1_20", "label": "1-20 s", "min_seconds": 1, "max_seconds": 20},
        {"code": "s21_60", "label": "21-60 s", "min_seconds": 21, "max_seconds": 60},
        {"code": "s61_plus", "label": "61 s and over", "min_seconds": 61, "max_seconds": None},
    ]
    assert as_analyst.get("/api/v1/tiers/s21_60/").data["max_seconds"] == 60


@pytest.mark.parametrize(
    ("seconds", "code"),
    [(1, "s1_20"), (20, "s1_20"), (21, "s21_60"), (60, "s21_60"), (61, "s61_plus"), (3600, "s61_plus")],
)
def test_resolve_finds_the_tier_containing_a_length(as_analyst, seconds, code):
    response = as_analyst.get("/api/v1/tiers/resolve/", {"seconds": seconds})
    assert response.status_code == 200
    assert response.data["code"] == code


def test_resolve_at_zero_seconds_is_404_no_tier(as_analyst):
    response = as_analyst.get("/api/v1/tiers/resolve/", {"seconds": 0})
    assert response.status_code == 404
    assert "0 s" in str(response.data["detail"])


@pytest.mark.parametrize("value", ["abc", "4.5", "-1", ""])
def test_resolve_refuses_what_is_not_a_length_with_400_on_seconds(as_analyst, value):
    response = as_analyst.get("/api/v1/tiers/resolve/", {"seconds": value})
    assert response.status_code == 400
    assert "seconds" in response.data


def test_resolve_without_seconds_is_400(as_analyst):
    response = as_analyst.get("/api/v1/tiers/resolve/")
    assert response.status_code == 400
    assert "seconds" in response.data


def test_tiers_need_view_permission(api, outsider):
    assert api.get("/api/v1/tiers/").status_code == 401
    api.force_authenticate(outsider)
    assert api.get("/api/v1/tiers/").status_code == 403
    assert api.get("/api/v1/tiers/resolve/?seconds=5").status_code == 403


def test_tiers_are_read_only_in_the_api(api, superuser):
    api.force_authenticate(superuser)
    response = api.post("/api/v1/tiers/", {"code": "x", "label": "x", "min_seconds": 100})
    assert response.status_code == 405
    assert DurationTier.objects.count() == 3


# --- never overlapping ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(15, 25), (20, 20), (1, 3600), (100, None), (61, 61), (59, 70)],
)
def test_model_validation_refuses_an_overlapping_tier_on_every_database(lo, hi):
    new = DurationTier(code="clash", label="clash", min_seconds=lo, max_seconds=hi)
    with pytest.raises(ValidationError) as info:
        new.full_clean()
    assert "min_seconds" in info.value.message_dict


def test_model_validation_accepts_a_tier_in_a_gap():
    t = tier("s61_plus")
    t.min_seconds, t.max_seconds = 61, 120
    t.full_clean()  # an existing tier does not clash with itself
    t.save()
    DurationTier(code="s121_plus", label="121 s and over", min_seconds=121, max_seconds=None).full_clean()


@pytest.mark.parametrize(("lo", "hi"), [(15, 25), (100, None), (60, 61)])
def test_postgres_refuses_overlapping_tiers_in_the_database(lo, hi):
    """GIVEN the default tiers WHEN a row with an overlapping range is written behind validation
    THEN the exclusion constraint refuses it."""
    with pytest.raises(IntegrityError, match="tier_ranges_do_not_overlap"), transaction.atomic():
        DurationTier.objects.create(code="clash", label="clash", min_seconds=lo, max_seconds=hi)
    assert DurationTier.objects.count() == 3


def test_postgres_refuses_an_overlapping_update():
    with pytest.raises(IntegrityError), transaction.atomic():
        DurationTier.objects.filter(code="s1_20").update(max_seconds=30)
    assert tier("s1_20").max_seconds == 20


@pytest.mark.parametrize(("lo", "hi"), [(0, 0), (5000, 4000)])
def test_tier_bounds_are_checked_by_the_database(lo, hi):
    with pytest.raises(IntegrityError), transaction.atomic():
        DurationTier.objects.create(code="bad", label="bad", min_seconds=lo, max_seconds=hi)
    assert DurationTier.objects.count() == 3
