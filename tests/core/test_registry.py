"""How apps plug into core: core finds each project app's module by name, in INSTALLED_APPS order."""

from decimal import Decimal

from core.numbers import digits
from core.registry import app_modules


def test_history_sources_come_from_every_project_app_that_has_them():
    assert [m.__name__ for m in app_modules("history")] == [
        "ledger.history",
        "pricing.history",
        "reviews.history",
        "cases.history",
        "risk.history",
    ]


def test_the_api_collects_every_project_apps_urls_and_no_third_party_ones():
    assert [m.__name__ for m in app_modules("api.urls", core=True)] == [
        "core.api.urls",  # the journal
        "ledger.api.urls",
        "pricing.api.urls",
        "parties.api.urls",
        "reviews.api.urls",
        "cases.api.urls",
        "ingest.api.urls",
        "risk.api.urls",
        "exports.api.urls",
    ]


def test_core_takes_part_only_where_asked():
    assert "core.api.urls" not in [m.__name__ for m in app_modules("api.urls")]
    assert "core.history" not in [m.__name__ for m in app_modules("history")]  # the engine, not a source


def test_demo_data_comes_from_the_apps_demo_modules_in_dependency_order():
    assert [m.__name__ for m in app_modules("demo")] == ["pricing.demo", "reviews.demo", "cases.demo"]


def test_digits_counts_before_and_after_the_point_without_trailing_zeros():
    assert digits(Decimal("18000.50")) == (5, 1)
    assert digits(Decimal("0.001")) == (0, 3)
    assert digits(Decimal("1E+3")) == (4, 0)
