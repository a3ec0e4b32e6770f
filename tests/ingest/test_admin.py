"""The admin: upload a file, see the job's progress and its row errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ingest.models import IngestJob
from ledger.models import FollowerSnapshot
from tests.ingest.test_api import user_with
from tests.ingest.test_kinds import SNAPSHOTS

pytestmark = pytest.mark.django_db


def upload(client, text: str, kind: str = "snapshots"):
    data = {"kind": kind, "file": SimpleUploadedFile("s.csv", text.encode(), content_type="text/csv")}
    return client.post(reverse("admin:ingest_ingestjob_add"), data)


def test_upload_runs_a_job_and_its_page_shows_the_counts(
    client, superuser, accounts, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    assert client.get(reverse("admin:ingest_ingestjob_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, SNAPSHOTS)
    job = IngestJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:ingest_ingestjob_change", args=[job.pk]
    )
    assert (job.status, job.created) == ("succeeded", 3)
    assert FollowerSnapshot.objects.count() == 3
    assert client.get(response["Location"]).status_code == 200


def test_row_errors_are_listed_on_the_job_page(client, superuser, accounts, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, SNAPSHOTS.replace("dy_1", "dy_404", 1))
    page = client.get(response["Location"]).content.decode()
    assert 'id="ingest-errors"' in page and "line 2, platform_uid" in page
    assert FollowerSnapshot.objects.count() == 0


def test_a_user_may_upload_only_the_kinds_they_may_add(client, accounts):
    user = user_with("add_followersnapshot")
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = upload(client, "platform,platform_uid\n", kind="reviews")
    assert response.status_code == 200 and not IngestJob.objects.exists()
    outsider = user_with("view_review")
    outsider.is_staff = True
    outsider.save()
    client.force_login(outsider)
    assert client.get(reverse("admin:ingest_ingestjob_add")).status_code == 403
