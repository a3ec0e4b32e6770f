"""The case bundle proves its journal entries against a signed tree head, and verify.py catches rewrites."""

import base64
import hashlib
import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core import heads, journal
from core.models import JournalEntry, SignedTreeHead
from tests.cases.test_bundle import fetch_bundle, full_case  # noqa: F401 - the fixture
from tests.core import rfc9162

pytestmark = pytest.mark.django_db

FIELDS = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "changes", "prev_hash")


def verify(folder, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "verify.py", *args], cwd=folder, capture_output=True, text=True, check=False)  # noqa: S603 - our own script


def canonical(entry: dict) -> bytes:
    body = {k: entry[k] for k in FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_message(head: dict) -> bytes:
    return json.dumps(
        {k: head[k] for k in ("root_hash", "timestamp", "tree_size")}, sort_keys=True, separators=(",", ":")
    ).encode()


@pytest.fixture
def bundle_folder(as_member, full_case, tmp_path):  # noqa: F811 - the imported fixture
    case, *_ = full_case
    folder = tmp_path / "bundle"
    fetch_bundle(as_member, case).extractall(folder)
    return folder


def load(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = json.loads((folder / "journal/entries.json").read_text())
    proofs = json.loads((folder / "journal/proofs.json").read_text())
    return manifest, entries, proofs


def save(folder, manifest, entries, proofs) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    (folder / "journal/entries.json").write_text(json.dumps(entries, ensure_ascii=False))
    (folder / "journal/proofs.json").write_text(json.dumps(proofs))


def test_the_bundle_holds_the_signed_head_the_key_and_a_proof_per_entry(bundle_folder):
    manifest, entries, proofs = load(bundle_folder)
    head, key = manifest["journal"]["signed_head"], manifest["journal"]["public_key"]
    stored = SignedTreeHead.objects.get()
    journal.integrate()
    assert head == heads.head_record(stored) and head["tree_size"] == JournalEntry.objects.count()
    assert key == heads.public_key_record()
    assert [p["seq"] for p in proofs] == [e["seq"] for e in entries]
    root = bytes.fromhex(head["root_hash"])
    for entry, proof in zip(entries, proofs, strict=True):
        leaf = rfc9162.leaf(canonical(entry))
        assert proof["leaf_hash"] == leaf.hex() and proof["leaf_index"] == entry["seq"] - 1
        path = [bytes.fromhex(p) for p in proof["audit_path"]]
        assert rfc9162.verify_inclusion(leaf, proof["leaf_index"], head["tree_size"], path, root)
    run = verify(bundle_folder, "--key", key["key_id"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bundle verified" in run.stdout


def rewrite_entry_2_and_the_head(folder) -> tuple[dict, list, list]:
    """The attack of issue 12: rewrite entry 2, recompute every hash after it and the head."""
    manifest, entries, proofs = load(folder)
    target = entries[1]
    name = next(iter(target["changes"]))
    target["changes"][name]["after"] = "rewritten"
    previous_hash, prev_seq = None, None
    for entry, proof in zip(entries, proofs, strict=True):
        if previous_hash is not None and entry["seq"] == prev_seq + 1:
            entry["prev_hash"] = previous_hash
        entry["hash"] = hashlib.sha256(canonical(entry)).hexdigest()
        proof["leaf_hash"] = rfc9162.leaf(canonical(entry)).hex()
        previous_hash, prev_seq = entry["hash"], entry["seq"]
    # a new root from entry 2's new leaf and its audit path, and the chain head moved to match
    proof = proofs[1]
    leaf, fn = bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"]
    sn = manifest["journal"]["signed_head"]["tree_size"] - 1
    for p in map(bytes.fromhex, proof["audit_path"]):
        if fn % 2 == 1 or fn == sn:
            leaf = rfc9162.h(b"\x01" + p + leaf)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            leaf = rfc9162.h(b"\x01" + leaf + p)
        fn, sn = fn // 2, sn // 2
    manifest["journal"]["signed_head"]["root_hash"] = leaf.hex()
    manifest["journal"]["head"]["hash"] = entries[-1]["hash"]
    return manifest, entries, proofs


def test_verify_fails_when_entry_2_and_the_head_are_rewritten_with_recomputed_hashes(bundle_folder):
    manifest, entries, proofs = rewrite_entry_2_and_the_head(bundle_folder)
    save(bundle_folder, manifest, entries, proofs)
    run = verify(bundle_folder)
    assert run.returncode == 1, run.stdout
    assert "bundle verified" not in run.stdout
    assert "BAD  signed tree head" in run.stdout
    assert f"ok   journal entry {entries[1]['seq']}" in run.stdout  # entry 2 leads to the forged root...
    assert f"BAD  journal entry {entries[0]['seq']}" in run.stdout  # ...which no other entry does


def test_verify_fails_when_the_rewriter_also_signs_with_a_key_of_their_own(bundle_folder):
    """GIVEN the rewrite above, re-signed with a new key that replaces the bundled one
    THEN the bundle is consistent in itself, and only the key id the ledger published catches it."""
    published = load(bundle_folder)[0]["journal"]["public_key"]["key_id"]
    manifest, entries, proofs = rewrite_entry_2_and_the_head(bundle_folder)
    # every proof must lead to the forged root: make the bundle hold only entry 2
    entries, proofs = [entries[1]], [proofs[1]]
    manifest["journal"]["entries"] = 1
    manifest["journal"]["head"]["seq"] = manifest["journal"]["signed_head"]["tree_size"]
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    head = manifest["journal"]["signed_head"]
    head["key_id"] = hashlib.sha256(raw).hexdigest()
    head["signature"] = base64.b64encode(forger.sign(signed_message(head))).decode()
    manifest["journal"]["public_key"] = {
        "key_id": head["key_id"],
        "algorithm": "ed25519",
        "public_key": base64.b64encode(raw).decode(),
    }
    manifest["evidence"] = []  # their create entries are gone with the other entries
    save(bundle_folder, manifest, entries, proofs)
    alone = verify(bundle_folder)
    assert alone.returncode == 0 and f"key id: {head['key_id']}" in alone.stdout  # not the published id
    run = verify(bundle_folder, "--key", published)
    assert run.returncode == 1, run.stdout
    assert "BAD  public key is the one given with --key" in run.stdout


def test_verify_fails_on_a_forged_signature_and_a_missing_proof(bundle_folder):
    manifest, entries, proofs = load(bundle_folder)
    manifest["journal"]["signed_head"]["timestamp"] = "2020-01-01T00:00:00.000000+00:00"
    save(bundle_folder, manifest, entries, proofs[1:])
    run = verify(bundle_folder)
    assert run.returncode == 1
    assert "BAD  signed tree head" in run.stdout
    assert f"BAD  journal entry {entries[0]['seq']} has no inclusion proof" in run.stdout


def test_no_bundle_without_a_signing_key(settings, as_member, full_case):  # noqa: F811
    settings.JOURNAL_SIGNING_KEY = ""
    case, *_ = full_case
    response = as_member.get(f"/api/v1/cases/{case.pk}/bundle/")
    assert response.status_code == 409
    assert response.json()["code"] == "journal_key_missing"
