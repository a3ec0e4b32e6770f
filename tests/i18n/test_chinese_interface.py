"""The interface speaks the language the browser asks for, and remembers the admin's choice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from ledger.models import FollowerSnapshot
from tests.factories import AccountFactory, InfluencerFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
T0 = datetime(2025, 9, 12, 4, 0, tzinfo=UTC)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_admin_in_chinese_for_a_chinese_browser(client, superuser):
    client.force_login(superuser)
    InfluencerFactory(display_name="Lao K")
    response = client.get(reverse("admin:ledger_influencer_changelist"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert html_lang(response) == "zh-hans"
    page = response.content.decode()
    assert "选择 达人 来修改" in page  # Django's words and the project's model name, both Chinese
    assert "显示名称" in page  # a column heading: the field's verbose name
    assert "有偿测评台账" in page  # the site header
    assert "influencer" not in re.sub(r"<[^>]+>", "", page).lower()


def test_admin_in_english_for_an_english_browser(client, superuser):
    client.force_login(superuser)
    InfluencerFactory(display_name="Lao K")
    response = client.get(reverse("admin:ledger_influencer_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert html_lang(response) == "en"
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    # nothing Chinese but the name of Chinese in the language switcher
    assert CJK.findall(text.replace("简体中文", "")) == []
    assert "Select influencer to change" in text


def test_language_switcher_sticks_for_the_session(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:index")
    switcher = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'action="{reverse("set_language")}"' in switcher and 'name="language" type="hidden" value="en"' in switcher
    response = client.post(reverse("set_language"), {"language": "en", "next": url}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    # the browser still asks for Chinese; the choice made in the admin wins from now on
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Language"] == "en"
    assert html_lang(response) == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == "zh-hans"


def test_start_page_html_lang_follows_the_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert html_lang(response) == "zh-hans"
    assert "有偿测评台账" in response.content.decode()
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "en"


def test_api_error_messages_follow_accept_language(as_regulator):
    snap = SnapshotFactory(captured_at=T0, follower_count=10)
    payload = {"account": snap.account_id, "captured_at": T0.isoformat(), "follower_count": 99}
    response = as_regulator.post("/api/v1/snapshots/", payload, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    assert response.data == {"captured_at": ["该账号在此时刻已有快照。"]}
    response = as_regulator.post("/api/v1/snapshots/", payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.data == {"captured_at": ["This account already has a snapshot at this instant."]}
    assert FollowerSnapshot.objects.get().follower_count == 10


def test_conflict_messages_name_statuses_in_the_language(as_regulator, regulator):
    from tests.cases.factories import CaseFactory

    case = CaseFactory()
    case.authority.members.add(regulator)
    url = f"/api/v1/cases/{case.pk}/transition/"
    response = as_regulator.post(url, {"status": "closed", "reason": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    assert response.data["status"][0].startswith("该案件不能从“已立案”变更为“已结案”（允许的变更：已立案 → 调查中")


def test_choices_use_the_platforms_chinese_names():
    account = AccountFactory(platform="douyin")
    with translation.override("zh-hans"):
        assert account.get_platform_display() == "抖音"
    with translation.override("en"):
        assert account.get_platform_display() == "Douyin"


def test_numbers_have_thousands_separators_and_dates_chinese_forms(client, superuser):
    from django.utils import formats

    with translation.override("zh-hans"):
        assert formats.number_format(600000, force_grouping=True) == "600,000"
        assert formats.date_format(date(2025, 9, 12)) == "2025年9月12日"
    with translation.override("en"):
        assert formats.number_format(600000, force_grouping=True) == "600,000"


def test_case_reference_accepts_the_official_chinese_form():
    from tests.cases.factories import AuthorityFactory

    authority = AuthorityFactory()
    for reference in ("京网信罚〔2025〕12号", "工信部罚〔2025〕3号", "CAC-2025-0001"):
        Case.objects.create(reference=reference, title="t", authority=authority, opened_on=date(2025, 9, 1))
    assert Case.objects.count() == 3


def test_journal_names_object_types_in_the_language(client, superuser):
    client.force_login(superuser)
    InfluencerFactory(display_name="老K说车")  # journals its agency, then itself
    url = reverse("admin:core_journalentry_changelist")
    page = client.get(url, {"object_type": "ledger.influencer"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count('<tr class="data-row') == 1  # only the influencer's entry, not its agency's
    assert re.search(r'<td class="field-object_type_display[^"]*"[^>]*>达人</td>', page)
    assert "平台账号" in page  # the filter lists every journaled model by its Chinese name
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<td class="field-object_type_display[^"]*"[^>]*>Influencer</td>', page)
    assert re.search(r'<td class="field-object_type_display[^"]*"[^>]*>Agency</td>', page)


def test_start_page_switches_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert html_lang(response) == "en"
    page = response.content.decode()
    assert '<button type="submit" name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in page


def test_history_csv_header_in_the_language(as_regulator):
    influencer = InfluencerFactory()
    url = f"/api/v1/influencers/{influencer.pk}/history/"
    response = as_regulator.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("en"):  # the body is written later, still in the request's language
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "类型,发生时间,账号,摘要,对象类型,对象ID,网址"


def test_the_switcher_names_each_language_in_itself(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # one button per language, named in that language (unfold's switcher, in the user menu)
    assert re.search(r'value="zh-hans">\s*<button[^>]*>\s*简体中文 <span', page)
    assert re.search(r'value="en">\s*<button[^>]*text-primary-600[^>]*>\s*English <span', page)  # the current one
