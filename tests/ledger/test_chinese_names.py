"""Chinese names and handles: found by their pinyin initials, sorted by pinyin, counted in 万."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core import numbers
from core.search import pinyin_initials
from ledger.models import Influencer
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "initials"),
    [
        ("老K说车", "lksc"),
        ("小米SU7车主", "xmsu7cz"),
        ("重庆长安", "cqca"),
        ("Lao K on Cars (老K说车)", "lksc"),
        ("Lao K on Cars", ""),
        ("", ""),
    ],
)
def test_pinyin_initials(text, initials):
    assert pinyin_initials(text) == initials


def test_initials_follow_the_name_on_every_save():
    influencer = InfluencerFactory(display_name="老K说车")
    assert Influencer.objects.get(pk=influencer.pk).search_initials == "lksc"
    influencer.display_name = "懂车老王"
    influencer.save(update_fields=["display_name"])
    assert Influencer.objects.get(pk=influencer.pk).search_initials == "dclw"
    account = AccountFactory(handle="老K说车官方号")
    agency = AgencyFactory(name="无忧传媒")
    assert (account.search_initials, agency.search_initials) == ("lkscgfh", "wycm")


def test_api_finds_chinese_names_by_initials(as_analyst):
    wanted = InfluencerFactory(display_name="老K说车")
    InfluencerFactory(display_name="懂车老王")
    InfluencerFactory(display_name="Lao K on Cars")
    for query in ("initials=LK", "initials=lksc", "search=lksc"):
        response = as_analyst.get(f"/api/v1/influencers/?{query}")
        assert response.status_code == 200
        assert [r["id"] for r in response.data["results"]] == [wanted.pk], query
    account = AccountFactory(handle="老K说车官方号")
    response = as_analyst.get("/api/v1/accounts/?initials=lksc")
    assert [r["id"] for r in response.data["results"]] == [account.pk]


def test_admin_search_finds_chinese_names_by_initials(client, superuser):
    client.force_login(superuser)
    InfluencerFactory(display_name="老K说车")
    InfluencerFactory(display_name="懂车老王")
    page = client.get(reverse("admin:ledger_influencer_changelist"), {"q": "lksc"}).content.decode()
    assert "老K说车" in page
    assert "懂车老王" not in page


def test_the_initials_filter_uses_its_index():
    InfluencerFactory(display_name="老K说车")
    sql, params = Influencer.objects.filter(search_initials__startswith="lk").values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "influencer_initials_prefix" in plan


def test_chinese_names_sort_by_pinyin(as_analyst):
    from core.search import pinyin_sort_available

    if not pinyin_sort_available():  # CI's PostgreSQL has ICU, and forbids skips
        pytest.skip("this PostgreSQL has no ICU: names sort by code point here")
    # by code point the order would be 张 (U+5F20), 李 (U+674E), 阿 (U+963F)
    for name in ("张三说车", "阿杰测车", "李四聊车"):
        InfluencerFactory(display_name=name)
    names = [r["display_name"] for r in as_analyst.get("/api/v1/influencers/").data["results"]]
    assert names == ["阿杰测车", "李四聊车", "张三说车"]
    assert list(Influencer.objects.values_list("display_name", flat=True)) == names


def test_follower_counts_in_wan_for_chinese_readers():
    with translation.override("zh-hans"):
        assert numbers.followers(600_000) == '<span title="600,000">60万</span>'
        assert numbers.followers(612_345) == '<span title="612,345">61.2万</span>'
        assert numbers.followers(123_456_789) == '<span title="123,456,789">12,345.7万</span>'
        assert numbers.followers(9_999) == "9,999"
    with translation.override("en"):
        assert numbers.followers(612_345) == "612,345"
    assert numbers.followers(None) == "—"


def test_admin_account_list_shows_wan_in_chinese(client, superuser):
    from datetime import UTC, datetime

    from ledger.services import snapshot_record

    client.force_login(superuser)
    account = AccountFactory(handle="老K说车")
    snapshot_record(account=account, captured_at=datetime(2025, 9, 12, tzinfo=UTC), follower_count=600_000)
    url = reverse("admin:ledger_platformaccount_changelist")
    assert "60万" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "600,000" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
