"""Issue 18.3: evidence size, the authority's storage quota, throttles, and JSON errors for large bodies."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from cases.models import Evidence
from config.api.throttles import UploadThrottle, WriteThrottle
from tests.cases.factories import record_evidence
from tests.cases.test_evidence import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def test_evidence_over_the_maximum_size_is_413_and_stores_nothing(as_member, case, settings, media_root):
    settings.EVIDENCE_MAX_BYTES = 100
    response = upload(as_member, case, b"x" * 101)
    assert response.status_code == 413 and "file" in response.json(), response.content
    assert not Evidence.objects.exists()
    assert not list(media_root.rglob("*.png"))
    assert upload(as_member, case, b"x" * 100).status_code == 201


def test_an_upload_over_the_authority_quota_is_409(as_member, case, settings):
    settings.AUTHORITY_STORAGE_QUOTA_BYTES = 150
    record_evidence(case, content=b"y" * 100)
    response = upload(as_member, case, b"x" * 60)
    assert response.status_code == 409 and "file" in response.json(), response.content
    assert Evidence.objects.count() == 1
    assert upload(as_member, case, b"x" * 50).status_code == 201


def test_writes_are_throttled_per_user(as_regulator, monkeypatch):
    monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", {"write": "2/min", "upload": "1/min"})
    codes = [as_regulator.post("/api/v1/agencies/", {"name": f"A{i}", "kind": "mcn"}).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    assert as_regulator.get("/api/v1/agencies/").status_code == 200  # reads are not throttled


def test_uploads_are_throttled_per_user(as_member, case, monkeypatch):
    monkeypatch.setattr(UploadThrottle, "THROTTLE_RATES", {"write": "100/min", "upload": "1/min"})
    assert upload(as_member, case, b"one").status_code == 201
    assert upload(as_member, case, b"two").status_code == 429
    assert Evidence.objects.count() == 1


def test_a_body_over_the_limit_gets_the_api_json_error(as_regulator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "kind": "mcn"})
    response = as_regulator.post("/api/v1/agencies/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_large"
    form = as_regulator.post(
        "/api/v1/agencies/", f"name={'x' * 2000}&kind=mcn", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 413 and form.json()["code"] == "too_large"
