"""Signed tree heads: the key, the signed message as documented, the API, append-only storage."""

import base64
import hashlib
import json
import stat
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core import heads, journal, tasks
from core.models import JournalEntry, SignedTreeHead
from tests.core import rfc9162
from tests.core.test_merkle import append, leaves_from_contents

pytestmark = pytest.mark.django_db


def documented_check(head: dict, key: dict) -> bool:
    """Check a head as docs/journal.md tells anyone to, without the project's code."""
    message = json.dumps(
        {"root_hash": head["root_hash"], "timestamp": head["timestamp"], "tree_size": head["tree_size"]},
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    try:
        public.verify(base64.b64decode(head["signature"]), message)
    except Exception:
        return False
    return True


def test_latest_head_is_signed_over_the_documented_message(as_analyst):
    append(5)
    key = as_analyst.get("/api/v1/journal/key/").json()
    assert set(key) == {"key_id", "algorithm", "public_key"} and key["algorithm"] == "ed25519"
    assert len(base64.b64decode(key["public_key"])) == 32
    assert key["key_id"] == hashlib.sha256(base64.b64decode(key["public_key"])).hexdigest()

    response = as_analyst.get("/api/v1/journal/heads/latest/")
    assert response.status_code == 200
    head = response.json()
    assert set(head) == {"tree_size", "root_hash", "timestamp", "signature", "key_id"}
    assert head["tree_size"] == 5 and head["key_id"] == key["key_id"]
    assert head["root_hash"] == rfc9162.mth(leaves_from_contents()).hex()
    assert head["timestamp"].endswith("+00:00")
    assert documented_check(head, key)
    assert not documented_check({**head, "tree_size": 4}, key)
    assert not documented_check({**head, "root_hash": "0" * 64}, key)


def test_a_head_is_signed_only_when_the_journal_has_grown(as_analyst):
    append(2)
    first = as_analyst.get("/api/v1/journal/heads/latest/").json()
    assert as_analyst.get("/api/v1/journal/heads/latest/").json() == first
    append(1)
    second = as_analyst.get("/api/v1/journal/heads/latest/").json()
    assert second["tree_size"] == 3
    listed = as_analyst.get("/api/v1/journal/heads/").json()
    assert [h["tree_size"] for h in listed["results"]] == [3, 2]
    assert listed["results"] == [second, first]


def test_heads_list_has_a_constant_query_count(as_analyst, django_assert_max_num_queries):
    for _ in range(3):
        append(1)
        heads.head_sign()
    with django_assert_max_num_queries(6):
        response = as_analyst.get("/api/v1/journal/heads/")
    assert len(response.json()["results"]) == 3


def test_the_beat_task_signs_heads(settings):
    append(4)
    record = tasks.sign_journal_head()
    assert record["tree_size"] == 4 and SignedTreeHead.objects.count() == 1
    assert "ledger.sign_journal_head" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


def test_without_a_key_nothing_is_signed(settings, as_analyst):
    settings.JOURNAL_SIGNING_KEY = ""
    append(1)
    assert as_analyst.get("/api/v1/journal/heads/latest/").status_code == 404
    response = as_analyst.get("/api/v1/journal/key/")
    assert response.status_code == 409 and response.json()["code"] == "journal_key_missing"
    assert tasks.sign_journal_head() is None
    assert not SignedTreeHead.objects.exists()


def test_the_key_comes_from_a_file_made_by_the_command(settings, tmp_path):
    path = tmp_path / "journal-key.pem"
    out = StringIO()
    call_command("journal_create_key", str(path), stdout=out)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings.JOURNAL_SIGNING_KEY, settings.JOURNAL_SIGNING_KEY_FILE = "", str(path)
    record = heads.public_key_record()
    assert f"key_id {record['key_id']}" in out.getvalue()
    append(1)
    assert documented_check(heads.head_record(heads.head_sign()), record)
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("journal_create_key", str(path), stdout=StringIO())


def test_a_new_key_signs_a_new_head_of_the_same_tree(settings, tmp_path):
    append(1)
    old = heads.head_sign()
    path = tmp_path / "k.pem"
    call_command("journal_create_key", str(path), stdout=StringIO())
    settings.JOURNAL_SIGNING_KEY, settings.JOURNAL_SIGNING_KEY_FILE = "", str(path)
    new = heads.head_sign()
    assert new.pk != old.pk and new.tree_size == old.tree_size and new.key_id != old.key_id


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_signedtreehead SET tree_size = 99",
        "DELETE FROM ledger_signedtreehead",
        "TRUNCATE ledger_signedtreehead",
    ],
)
def test_the_database_refuses_to_change_signed_heads(sql):
    append(1)
    heads.head_sign()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # as in production: the suite disabled this trigger on its throw-away database
            cursor.execute("ALTER TABLE ledger_signedtreehead ENABLE TRIGGER ledger_tree_head_no_truncate")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert SignedTreeHead.objects.get().tree_size == 1
    journal.integrate()
    assert JournalEntry.objects.count() == 1
    assert journal.verify().ok
