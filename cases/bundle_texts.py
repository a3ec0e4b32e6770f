"""The README and verification script shipped inside every case bundle (see services.bundle_build).

The README is written in the language of the request that builds the bundle:
``README % {"reference": ..., "head_seq": ...}`` after ``gettext``.
"""

from django.utils.translation import gettext_noop as _

README = _(
    """\
Case bundle %(reference)s
=======================

This zip was exported from the Paid Review Ledger. It holds:

  manifest.json         the case, its subjects (influencers, accounts, agencies),
                        linked orders (with markup, status history, payments)
                        and reviews (with their claims), legal actions,
                        timeline, the list of evidence files with their path in
                        this zip, SHA-256 and size, and under "journal" the
                        ledger's signed tree head and public key
  evidence/ID/NAME      the evidence files, byte for byte as recorded
  SHA256SUMS            the evidence hashes in sha256sum's format
  journal/entries.json  every journal entry about these records, as hashed
  journal/proofs.json   for each entry, its inclusion proof in the journal's
                        Merkle tree (RFC 9162) against the signed tree head
  verify.py             all the checks below (Python 3 and the "cryptography"
                        package: pip install cryptography)

Run everything at once with:

    python3 verify.py --key KEY_ID

where KEY_ID is the ledger's key id as published by its operator (or as you
wrote it down from an earlier bundle or head). Without --key, verify.py
checks that the bundle is consistent with the key it carries, and prints that
key's id for you to compare.

1. Evidence files. Each file's SHA-256 was computed when it was recorded and
   is stored in the journal (entry "create" of object_type "cases.evidence",
   field "sha256"). Check the files with standard tools:

       sha256sum -c SHA256SUMS

2. Journal entries. Each entry's "hash" is the SHA-256 of its canonical
   encoding: UTF-8 JSON, keys sorted, no spaces, of seq, occurred_at, actor,
   action, object_type, object_id, changes and prev_hash. Its leaf hash in the
   Merkle tree is the SHA-256 of the byte 0x00 followed by the same encoding.

3. Proofs and the signed head. manifest.json "journal"."signed_head" holds
   tree_size %(head_seq)s, root_hash, timestamp, signature and key_id. Each
   entry's audit path (journal/proofs.json) must lead from its leaf hash to
   that root_hash (RFC 9162 section 2.1.3.2), and the signature must verify
   with the public key (Ed25519) over the UTF-8 JSON {"root_hash": ...,
   "timestamp": ..., "tree_size": ...}, keys sorted, no spaces. Then no
   entry in this bundle can have been changed, by anyone, without the
   ledger's private key.

4. Later. Keep the signed head. A witness or the ledger's operator can prove
   at any time that the journal still extends this head (a consistency proof,
   or "manage.py verify_journal --against HEAD.json"), so history cannot be
   rewritten after the fact either.

Entries with "masked_fields" carry masked personal data (old entries only):
their contents cannot be hashed here, so verify.py checks their proof from
the leaf hash it is given and says so.
"""
)

VERIFY_PY = '''\
"""Verify this case bundle: evidence files, journal entries, their Merkle proofs and the signed tree head.

Usage: python3 verify.py [--key KEY_ID_OR_PUBLIC_KEY]. Exits 1 on any problem.
Needs Python 3 and, for the signature, the "cryptography" package.
"""

import base64
import hashlib
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent
manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
journal = manifest["journal"]
entries = json.loads((root / journal["path"]).read_text(encoding="utf-8"))
proofs = {p["seq"]: p for p in json.loads((root / journal["proofs"]).read_text(encoding="utf-8"))}
head, key = journal["signed_head"], journal["public_key"]
pinned = sys.argv[sys.argv.index("--key") + 1] if "--key" in sys.argv else None
problems = 0


def report(ok, *what):
    global problems
    problems += not ok
    print("ok  " if ok else "BAD ", *what)


def node(left, right):
    return hashlib.sha256(b"\\x01" + left + right).digest()


def included(leaf, index, size, path, expected):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = node(r, p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == expected


# 1. evidence files against the manifest and the journal
recorded = {e["object_id"]: e["changes"]["sha256"]["after"] for e in entries
            if e["object_type"] == "cases.evidence" and e["action"] == "create"}
for item in manifest["evidence"]:
    digest, size = hashlib.sha256(), 0
    with open(root / item["path"], "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    report(digest.hexdigest() == item["sha256"] == recorded.get(str(item["id"])) and size == item["size"],
           item["path"])

# 2. the signed tree head and its key
public = base64.b64decode(key["public_key"])
key_id = hashlib.sha256(public).hexdigest()
report(key["algorithm"] == "ed25519" and key_id == key["key_id"] == head["key_id"], "public key", key_id)
if pinned is not None:
    report(pinned in (key_id, key["public_key"]), "public key is the one given with --key")
message = json.dumps({"root_hash": head["root_hash"], "timestamp": head["timestamp"], "tree_size": head["tree_size"]},
                     sort_keys=True, separators=(",", ":")).encode("utf-8")
try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:
    report(False, "signed tree head: cannot check the signature without the cryptography package")
else:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(head["signature"]), message)
        signed = True
    except (InvalidSignature, ValueError):
        signed = False
    report(signed, "signed tree head", head["tree_size"], head["root_hash"], head["timestamp"])
report(journal["head"]["seq"] == head["tree_size"], "chain head is the signed head's last entry")

# 3. each entry: its hash, its leaf, its proof against the signed root
size, expected = head["tree_size"], bytes.fromhex(head["root_hash"])
previous = None
for e in entries:
    body = {k: e[k] for k in ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "changes",
                              "prev_hash")}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    linked = previous is None or previous["seq"] + 1 != e["seq"] or e["prev_hash"] == previous["hash"]
    proof = proofs.get(e["seq"])
    if proof is None:
        report(False, "journal entry", e["seq"], "has no inclusion proof")
        continue
    if e.get("masked_fields"):
        leaf, note = bytes.fromhex(proof["leaf_hash"]), " (personal data masked: contents checked on the server)"
        hashed = True
    else:
        leaf, note = hashlib.sha256(b"\\x00" + raw).digest(), ""
        hashed = hashlib.sha256(raw).hexdigest() == e["hash"] and leaf.hex() == proof["leaf_hash"]
    proven = proof["leaf_index"] == e["seq"] - 1 and included(
        leaf, proof["leaf_index"], size, [bytes.fromhex(p) for p in proof["audit_path"]], expected)
    report(linked and hashed and proven, "journal entry", e["seq"], e["object_type"], e["object_id"],
           "" if proven else "(not in the signed tree)", note)
    previous = e

print("key id:", key_id, "(compare it with the ledger's published key id)" if pinned is None else "")
print("bundle verified" if not problems else f"{problems} problem(s) found")
sys.exit(1 if problems else 0)
'''
