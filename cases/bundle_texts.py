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
                        timeline, and the list of evidence files with their
                        path in this zip, SHA-256 and size
  evidence/ID/NAME      the evidence files, byte for byte as recorded
  SHA256SUMS            the evidence hashes in sha256sum's format
  journal/entries.json  every journal entry about these records, as hashed
  verify.py             the checks below, in a dozen lines of Python

1. Evidence files. Each file's SHA-256 was computed when it was recorded and
   is stored in the journal (entry "create" of object_type "cases.evidence",
   field "sha256"). Check the files with standard tools:

       sha256sum -c SHA256SUMS

2. Journal entries. Each entry's "hash" is the SHA-256 of its canonical
   encoding: UTF-8 JSON, keys sorted, no spaces, of seq, occurred_at, actor,
   action, object_type, object_id, changes and prev_hash:

       import hashlib, json
       for e in json.load(open("journal/entries.json", encoding="utf-8")):
           body = {k: e[k] for k in ("seq", "occurred_at", "actor", "action",
                                     "object_type", "object_id", "changes", "prev_hash")}
           raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
           print(e["seq"], hashlib.sha256(raw.encode("utf-8")).hexdigest() == e["hash"])

   Entries with "masked_fields" carry masked personal data, so their hash
   cannot be recomputed from this bundle; verify_journal checks them on the
   server. Run everything at once with:

       python3 verify.py

3. The chain. Each entry names the hash of the entry before it (prev_hash),
   and the whole journal ends at the head recorded in manifest.json
   (journal.head, seq %(head_seq)s). Compare that head with one written down or
   published earlier or later, and ask the ledger's operator to run
   "manage.py verify_journal", which recomputes the whole chain: if it holds
   and contains these entries' hashes, neither the records nor their history
   were rewritten after the fact.
"""
)

VERIFY_PY = '''\
"""Verify this case bundle: evidence files, and journal entries against their hashes. Exits 1 on a mismatch."""

import hashlib
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent
manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
entries = json.loads((root / manifest["journal"]["path"]).read_text(encoding="utf-8"))
problems = 0

recorded = {e["object_id"]: e["changes"]["sha256"]["after"] for e in entries
            if e["object_type"] == "cases.evidence" and e["action"] == "create"}
for item in manifest["evidence"]:
    digest, size = hashlib.sha256(), 0
    with open(root / item["path"], "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    ok = digest.hexdigest() == item["sha256"] == recorded.get(str(item["id"])) and size == item["size"]
    problems += not ok
    print("ok  " if ok else "BAD ", item["path"])

previous = None
for e in entries:
    body = {k: e[k] for k in ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "changes",
                              "prev_hash")}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    linked = previous is None or previous["seq"] + 1 != e["seq"] or e["prev_hash"] == previous["hash"]
    if e.get("masked_fields"):
        ok, note = linked, " (personal data masked: hash checked by verify_journal on the server)"
    else:
        ok, note = linked and hashlib.sha256(raw).hexdigest() == e["hash"], ""
    problems += not ok
    print("ok  " if ok else "BAD ", "journal entry", e["seq"], e["object_type"], e["object_id"], note)
    previous = e

print("head:", manifest["journal"]["head"])
print("bundle verified" if not problems else f"{problems} problem(s) found")
sys.exit(1 if problems else 0)
'''
