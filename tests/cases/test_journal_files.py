"""verify_journal checks every evidence file against its recorded SHA-256 (cases registers the check)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core import journal
from tests.cases.factories import record_evidence

pytestmark = pytest.mark.django_db


def test_an_altered_or_missing_evidence_file_fails_verify_journal(case, media_root):
    kept = record_evidence(case, b"rate card 18000 / 26000 / 38000 CNY", name="rate-card.txt")
    altered = record_evidence(case, b"screenshot bytes", name="screenshot.png")
    lost = record_evidence(case, b"video bytes", name="video.mp4")
    out = StringIO()
    call_command("verify_journal", "--no-progress", stdout=out)
    assert "every file its hash" in out.getvalue()
    assert journal.verify_files() == []

    (media_root / altered.file.name).write_bytes(b"swapped")
    (media_root / lost.file.name).unlink()
    found = {(m.table, m.object_id, m.field, m.table_value) for m in journal.verify_files()}
    assert found == {
        ("cases_evidence", str(altered.pk), "file", "evidence_altered"),
        ("cases_evidence", str(lost.pk), "file", "evidence_missing"),
    }
    with pytest.raises(CommandError, match=f"table cases_evidence row {altered.pk} field file") as failure:
        call_command("verify_journal", "--no-progress", stdout=StringIO())
    assert f"row {kept.pk} " not in str(failure.value)
