"""Evidence: hashed while it streams to storage, never altered afterwards, checked before every download."""

import base64
import hashlib
import os
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cases import services
from cases.models import Evidence
from core.errors import ConflictError
from tests.cases.factories import CAPTURED_AT, record_evidence

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def upload(api, case, content: bytes, name: str = "capture.png", **extra):
    payload = {
        "case": case.pk,
        "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        "captured_at": "2025-09-12T12:00:00+08:00",
        "source_url": "https://example.invalid/douyin/dy_60000001",
        "description": "Screenshot of the rate card.",
        **extra,
    }
    return api.post("/api/v1/evidence/", payload, format="multipart")


def test_upload_records_hash_size_type_and_who(as_member, case, member, media_root):
    content = b"\x89PNG\r\n\x1a\n" + b"rate card" * 100
    response = upload(as_member, case, content)
    assert response.status_code == 201, response.data
    data = response.data
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["size"] == len(content)
    assert data["media_type"] == "image/png"  # from the name, not the client's claim
    assert data["captured_by"] == member.pk
    assert data["captured_at"] == "2025-09-12T12:00:00+08:00"
    assert data["file_name"] == "capture.png"
    assert data["download_url"].endswith(f"/api/v1/evidence/{data['id']}/download/")
    assert "file" not in data
    evidence = Evidence.objects.get(pk=data["id"])
    assert (media_root / evidence.file.name).read_bytes() == content
    assert evidence.file.name.startswith(f"evidence/{case.pk}/")


def test_a_multi_megabyte_upload_is_hashed_in_chunks_as_it_is_stored(as_member, case, media_root, monkeypatch):
    """GIVEN a 6 MB upload (Django spools it to a temporary file) WHEN it is recorded
    THEN its hash is right and storage read it in chunks of at most CHUNK_SIZE, never whole."""
    content = os.urandom(6 * MB + 123)
    reads: list[int] = []
    sources: list[type] = []
    original_read = services._HashingFile.read

    def spy(self, size=-1):
        data = original_read(self, size)
        reads.append(len(data))
        sources.append(type(self.file))
        return data

    monkeypatch.setattr(services._HashingFile, "read", spy)
    response = upload(as_member, case, content, name="video.mp4")
    assert response.status_code == 201, response.data
    assert response.data["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.data["size"] == len(content) and response.data["media_type"] == "video/mp4"
    assert set(sources) == {TemporaryUploadedFile}
    assert max(reads) <= services.CHUNK_SIZE < len(content)
    assert sum(reads) == len(content)
    evidence = Evidence.objects.get(pk=response.data["id"])
    assert hashlib.sha256((media_root / evidence.file.name).read_bytes()).hexdigest() == evidence.sha256


def test_recording_a_large_file_uses_bounded_memory(case, tmp_path, capsys):
    """GIVEN a 32 MB spooled upload WHEN evidence_record stores it THEN Python's peak allocation
    during the call stays far below the file size (the file is never held in memory)."""
    size = 32 * MB
    upload_file = TemporaryUploadedFile("big.bin", "application/octet-stream", size, None)
    digest = hashlib.sha256()
    block = os.urandom(MB)
    for _ in range(size // MB):
        upload_file.write(block)
        digest.update(block)
    upload_file.seek(0)
    tracemalloc.start()
    try:
        evidence = services.evidence_record(case=case, file=upload_file, captured_at=CAPTURED_AT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload_file.close()
    assert (evidence.sha256, evidence.size) == (digest.hexdigest(), size)
    with capsys.disabled():
        print(f"\n  evidence_record of {size // MB} MB: peak traced allocation {peak / MB:.2f} MB")
    assert peak < 4 * MB


@pytest.mark.parametrize(
    ("extra", "content", "field"),
    [
        ({"captured_at": "2999-01-01T00:00:00+08:00"}, b"x", "captured_at"),
        ({"captured_at": "yesterday"}, b"x", "captured_at"),
        ({"source_url": "not a url"}, b"x", "source_url"),
        ({}, b"", "file"),
    ],
)
def test_bad_uploads_are_400_with_the_field_and_store_nothing(as_member, case, media_root, extra, content, field):
    response = upload(as_member, case, content, **extra)
    assert response.status_code == 400 and field in response.data, response.data
    assert not Evidence.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_no_evidence_is_added_to_a_closed_case(as_member, case, media_root):
    from cases.services import case_transition

    case_transition(case=case, status="investigating", reason="x")
    case_transition(case=case, status="closed", reason="x")
    response = upload(as_member, case, b"late")
    assert response.status_code == 409 and "case" in response.data
    assert not Evidence.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_evidence_needs_the_add_permission(api, case, user_in_group):
    analyst = user_in_group("analyst")
    case.authority.members.add(analyst)
    api.force_authenticate(analyst)
    assert upload(api, case, b"x").status_code == 403
    assert not Evidence.objects.exists()


# --- never altered ----------------------------------------------------------------


def test_api_refuses_to_change_or_delete_evidence(as_member, case, superuser, api):
    evidence = record_evidence(case, b"original")
    url = f"/api/v1/evidence/{evidence.pk}/"
    before = Evidence.objects.values().get(pk=evidence.pk)
    api.force_authenticate(superuser)
    assert api.patch(url, {"description": "edited", "sha256": "0" * 64}).status_code == 405
    assert api.put(url, {"description": "edited"}).status_code == 405
    assert api.delete(url).status_code == 405
    assert Evidence.objects.values().get(pk=evidence.pk) == before


def test_admin_shows_evidence_read_only_and_refuses_changes(client, case, superuser):
    evidence = record_evidence(case, b"original")
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    assert evidence.sha256 in page.content.decode() and 'name="description"' not in page.content.decode()
    response = client.post(reverse("admin:cases_evidence_change", args=[evidence.pk]), {"description": "edited"})
    assert response.status_code == 403
    response = client.post(reverse("admin:cases_evidence_delete", args=[evidence.pk]), {"post": "yes"})
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.description == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_evidence SET sha256 = repeat('0', 64)",
        "UPDATE cases_evidence SET size = size + 1",
        "UPDATE cases_evidence SET file = 'evidence/other.txt'",
        "DELETE FROM cases_evidence",
    ],
)
def test_postgres_refuses_to_alter_recorded_evidence(case, sql):
    evidence = record_evidence(case, b"original")
    with (
        pytest.raises(DatabaseError, match="evidence is permanent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Evidence.objects.values_list("sha256", "size", "file").get(pk=evidence.pk) == (
        hashlib.sha256(b"original").hexdigest(),
        8,
        evidence.file.name,
    )


def test_postgres_lets_the_description_be_corrected(case):
    evidence = record_evidence(case, b"original")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_evidence SET description = 'typo fixed' WHERE id = %s", [evidence.pk])
    assert Evidence.objects.get(pk=evidence.pk).description == "typo fixed"


# --- download -------------------------------------------------------------------


def test_download_streams_the_file_with_its_digest(as_member, case):
    content = b"captured rate card " * 1000
    evidence = record_evidence(case, content, name="rate card.txt")
    response = as_member.get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "text/plain"
    assert 'filename="rate_card.txt"' in response["Content-Disposition"]
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode()}:"


def test_download_refuses_a_file_whose_bytes_changed(as_member, case, media_root):
    evidence = record_evidence(case, b"original bytes")
    (media_root / evidence.file.name).write_bytes(b"doctored bytes")
    response = as_member.get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert response.status_code == 409
    assert "no longer matches its recorded SHA-256" in response.data["detail"]
    assert response.data["code"] == "evidence_altered"


def test_download_refuses_a_missing_file(as_member, case, media_root):
    evidence = record_evidence(case, b"original bytes")
    (media_root / evidence.file.name).unlink()
    response = as_member.get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert response.status_code == 409 and response.data["code"] == "evidence_missing"


def test_verify_service_passes_intact_evidence_and_names_a_missing_file(case):
    evidence = record_evidence(case, b"intact")
    assert services.evidence_verify(evidence=evidence) is None
    evidence.file.storage.delete(evidence.file.name)
    with pytest.raises(ConflictError, match="missing from storage") as err:
        services.evidence_verify(evidence=evidence)
    assert err.value.code == "evidence_missing"
