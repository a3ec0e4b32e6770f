"""POST /api/v1/ingest/{kind}/ answers 202 with a job; only users who may add the kind's rows may ingest."""

from __future__ import annotations

import gzip

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from ingest.models import IngestJob
from ledger.models import FollowerSnapshot
from tests.factories import UserFactory
from tests.ingest.test_kinds import SNAPSHOTS

pytestmark = pytest.mark.django_db


def user_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def loader(api):
    api.force_authenticate(user_with("add_followersnapshot"))
    return api


def test_multipart_upload_queues_a_job_that_ingests_the_file(loader, accounts, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("snapshots.csv", SNAPSHOTS.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = loader.post("/api/v1/ingest/snapshots/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert response.data["status"] == "queued" and response.data["kind"] == "snapshots"
    job = loader.get(response.data["url"])
    assert job.status_code == 200
    assert (job.data["status"], job.data["rows_total"], job.data["created"], job.data["errors"]) == (
        "succeeded",
        3,
        3,
        [],
    )
    assert FollowerSnapshot.objects.count() == 3
    assert IngestJob.objects.get().actor.startswith("user:")


def test_raw_gzip_body_with_its_content_type(loader, accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = loader.post(
            "/api/v1/ingest/snapshots/?file_format=csv",
            gzip.compress(SNAPSHOTS.encode()),
            content_type="application/gzip",
        )
    assert response.status_code == 202, response.content
    assert loader.get(response.data["url"]).data["created"] == 3


def test_a_bad_file_fails_its_job_with_row_errors(loader, accounts, django_capture_on_commit_callbacks):
    bad = SNAPSHOTS.replace(",1100,", ",-1,")
    with django_capture_on_commit_callbacks(execute=True):
        response = loader.post("/api/v1/ingest/snapshots/", bad.encode(), content_type="text/csv")
    job = loader.get(response.data["url"]).data
    assert (job["status"], job["error_count"], job["created"]) == ("failed", 1, 0)
    assert job["errors"] == [{"line": 3, "column": "follower_count", "message": "At least 0."}]
    assert FollowerSnapshot.objects.count() == 0


def test_only_users_with_the_add_permission_of_the_kind(api, accounts):
    csv = SNAPSHOTS.encode()
    assert api.post("/api/v1/ingest/snapshots/", csv, content_type="text/csv").status_code == 401
    api.force_authenticate(user_with("add_review", "view_followersnapshot"))
    assert api.post("/api/v1/ingest/snapshots/", csv, content_type="text/csv").status_code == 403
    assert api.post("/api/v1/ingest/nothing/", csv, content_type="text/csv").status_code == 404
    assert not IngestJob.objects.exists()


def test_bad_requests_are_400_and_write_nothing(loader):
    response = loader.post("/api/v1/ingest/snapshots/", b"", content_type="text/csv")
    assert response.status_code == 400 and "file" in response.data
    response = loader.post("/api/v1/ingest/snapshots/", b"x", content_type="application/octet-stream")
    assert response.status_code == 400 and "file" in response.data
    upload = SimpleUploadedFile("s.xlsx", b"PK", content_type="application/octet-stream")
    response = loader.post("/api/v1/ingest/snapshots/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.data  # snapshots are not read from XLSX
    assert not IngestJob.objects.exists()


def test_a_job_is_seen_by_its_creator_only(loader, api, accounts):
    response = loader.post("/api/v1/ingest/snapshots/", SNAPSHOTS.encode(), content_type="text/csv")
    other = user_with("add_followersnapshot")
    api.force_authenticate(other)
    assert api.get(response.data["url"]).status_code == 404
    api.force_authenticate(user_with("view_ingestjob"))
    assert api.get(response.data["url"]).status_code == 200
