"""Witnesses: heads handed outside the database, and verify_journal --against catching every rewrite.

Each tamper case is made as an attacker with write access to the database
would: with the append-only triggers disabled, every hash recomputed where the
attack allows it.
"""

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import CommandError, call_command
from django.db import connection

from core import heads, journal, tasks
from core.models import JournalEntry, JournalTreeNode, SignedTreeHead
from tests.core import rfc9162
from tests.core.test_merkle import append, leaves_from_contents

pytestmark = pytest.mark.django_db


def sql(statement: str, params: list | None = None) -> None:
    """Write as an attacker: the journal's and the heads' triggers disabled."""
    with connection.cursor() as cursor:
        for table in ("ledger_journalentry", "ledger_signedtreehead"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(statement, params or [])
        for table in ("ledger_journalentry", "ledger_signedtreehead"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def verify_against(path) -> str:
    out = StringIO()
    call_command("verify_journal", "--no-progress", "--against", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def kept_head(tmp_path):
    """A journal of 12 entries whose head a witness kept in a folder; then the journal grew by 5."""
    append(12)
    out = StringIO()
    call_command("journal_publish_head", str(tmp_path / "witness"), stdout=out)
    (path,) = (tmp_path / "witness").iterdir()
    append(5)
    assert "consistent with" in verify_against(path)
    return path


def test_publish_head_writes_the_signed_head_to_a_folder(tmp_path):
    append(3)
    call_command("journal_publish_head", str(tmp_path), stdout=StringIO())
    call_command("journal_publish_head", str(tmp_path), stdout=StringIO())  # the same head: kept once
    (path,) = tmp_path.iterdir()
    assert json.loads(path.read_text()) == heads.head_record(SignedTreeHead.objects.get())


def test_publish_head_posts_the_signed_head_to_a_url():
    received: list[dict] = []

    class Witness(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Witness)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        append(2)
        call_command("journal_publish_head", f"http://127.0.0.1:{server.server_port}/heads", stdout=StringIO())
        thread.join(timeout=10)
    finally:
        server.server_close()
    assert received == [heads.head_record(SignedTreeHead.objects.get())]


def test_publish_head_fails_loudly_when_the_witness_refuses(tmp_path):
    append(1)
    with pytest.raises(CommandError, match="could not be handed"):
        call_command("journal_publish_head", "http://127.0.0.1:9/heads", "--timeout", "1", stdout=StringIO())


def test_an_edited_entry_is_caught(kept_head):
    sql("UPDATE ledger_journalentry SET actor = 'user:someone_else' WHERE seq = 4")
    with pytest.raises(CommandError, match="broken at entry 4"):
        verify_against(kept_head)


def test_a_reordering_is_caught(kept_head):
    for old, new in ((2, 1002), (3, 2), (1002, 3)):
        sql("UPDATE ledger_journalentry SET seq = %s WHERE seq = %s", [new, old])
    with pytest.raises(CommandError, match="broken at entry 2"):
        verify_against(kept_head)


def test_a_deleted_tail_is_caught_against_the_kept_head(kept_head):
    """The chain of what remains verifies; the kept head of 12 entries does not."""
    sql("DELETE FROM ledger_journalentry WHERE seq > 10")
    sql("DELETE FROM ledger_signedtreehead")
    assert journal.verify().ok
    with pytest.raises(CommandError, match="the journal has only 10 entries"):
        verify_against(kept_head)


def full_rewrite(from_seq: int, *, keep_cache: bool = False) -> None:
    """Rewrite entry ``from_seq`` and recompute every hash after it, so that the chain verifies again."""
    journal.integrate()
    entries = list(JournalEntry.objects.filter(seq__gte=from_seq - 1).order_by("seq"))
    previous = entries[0].hash if from_seq > 1 else journal.GENESIS_HASH
    for entry in entries[1:] if from_seq > 1 else entries:
        if entry.seq == from_seq:
            entry.changes = {"name": {"before": None, "after": "never happened"}}
        entry.prev_hash = previous
        entry.hash = previous = journal.entry_hash(entry)
        entry.leaf_hash = journal.entry_leaf_hash(entry)
        sql(
            "UPDATE ledger_journalentry SET changes = %s, prev_hash = %s, hash = %s, leaf_hash = %s WHERE seq = %s",
            [json.dumps(entry.changes), entry.prev_hash, entry.hash, entry.leaf_hash, entry.seq],
        )
    if not keep_cache:
        sql("DELETE FROM ledger_journaltreenode")  # and the ledger's cache of the old tree
    sql("DELETE FROM ledger_signedtreehead")  # and the heads the ledger kept


def test_a_full_rewrite_with_recomputed_hashes_is_caught_only_against_the_kept_head(kept_head):
    full_rewrite(2)
    out = StringIO()
    call_command("verify_journal", "--no-progress", stdout=out)  # the database alone cannot tell
    assert "Journal intact: 17 entries" in out.getvalue()
    with pytest.raises(CommandError, match="first 12 entries have another root"):
        verify_against(kept_head)


def test_a_full_rewrite_is_caught_by_the_proofs(kept_head):
    """The consistency proof the (rewritten) ledger serves does not lead from the kept root to its new root."""
    kept = json.loads(kept_head.read_text())
    full_rewrite(2)
    latest = heads.head_record(heads.head_sign())  # the ledger signs whatever it holds now
    proof = heads.consistency_proof(first=kept["tree_size"], second=latest["tree_size"])
    assert not rfc9162.verify_consistency(
        kept["tree_size"],
        latest["tree_size"],
        bytes.fromhex(kept["root_hash"]),
        bytes.fromhex(latest["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    assert proof["first_root"] != kept["root_hash"]


def test_a_rewrite_behind_a_stale_cache_is_caught_too(kept_head):
    """An attacker who leaves the ledger's subtree cache of the old tree alone, so that the
    roots the ledger computes still look right: verify_journal recomputes from the entries."""
    heads.root_hash(17)
    assert JournalTreeNode.objects.filter(level=4, index=0).exists()  # the first 16 leaves, cached
    full_rewrite(2, keep_cache=True)
    with pytest.raises(CommandError, match="another root"):
        verify_against(kept_head)


def test_a_forged_kept_head_is_refused(kept_head, tmp_path):
    """A head that was never signed by the ledger's key, for the rewritten log, proves nothing."""
    full_rewrite(2)
    forged = dict(json.loads(kept_head.read_text()))
    forged["root_hash"] = rfc9162.mth(leaves_from_contents()[:12]).hex()  # matches the rewritten log
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    message = json.dumps(
        {k: forged[k] for k in ("root_hash", "timestamp", "tree_size")}, sort_keys=True, separators=(",", ":")
    ).encode()
    forged["signature"] = base64.b64encode(forger.sign(message)).decode()
    forged["key_id"] = hashlib.sha256(raw).hexdigest()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="signature does not verify"):
        verify_against(path)


def test_a_forged_head_in_the_database_is_caught_without_any_kept_head():
    append(4)
    heads.head_sign()
    sql(
        "INSERT INTO ledger_signedtreehead (tree_size, root_hash, timestamp, signature, key_id) "
        "SELECT 4, root_hash, timestamp, %s, key_id FROM ledger_signedtreehead",
        [base64.b64encode(b"\0" * 64).decode()],
    )
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("verify_journal", "--no-progress", stdout=StringIO())
    assert tasks.verify_journal()["bad_heads"] == [4]


def test_verify_journal_checks_heads_with_a_given_public_key(kept_head, settings):
    public = heads.public_key_record()["public_key"]
    settings.JOURNAL_SIGNING_KEY = ""  # a witness's machine holds no private key
    out = StringIO()
    call_command("verify_journal", "--no-progress", "--against", str(kept_head), "--public-key", public, stdout=out)
    assert f"consistent with {kept_head}" in out.getvalue()
    with pytest.raises(CommandError, match="no public key"):
        verify_against(kept_head)
