"""The journal as a verifiable log: its Merkle tree in the database, proofs, and signed tree heads.

The tree (RFC 9162 section 2.1, see core/merkle.py) has one leaf per journal
entry in ``seq`` order; each entry stores its ``leaf_hash``. Hashes of perfect
subtrees of ``2**CACHE_LEVEL`` leaves or more are cached in
:class:`~core.models.JournalTreeNode` the first time they are needed, so a
proof or a root costs a few small queries, not a pass over the log. The cache
only saves work: ``verify_journal`` recomputes every root from the entries.

A signed tree head is ``{tree_size, root_hash, timestamp}`` signed with the
ledger's Ed25519 key (settings ``JOURNAL_SIGNING_KEY_FILE`` or
``JOURNAL_SIGNING_KEY``). The signed message is the UTF-8 JSON of those three
fields, keys sorted, no whitespace (:func:`head_message`); docs/journal.md
shows how to check one without this code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import journal, merkle
from core.errors import ConflictError, DomainError
from core.merkle import Subtree
from core.models import JournalEntry, JournalTreeNode, SignedTreeHead

CACHE_LEVEL = 4  # perfect subtrees of 16 leaves and more are cached
ALGORITHM = "ed25519"


# --- the tree -----------------------------------------------------------------------


def tree_size() -> int:
    """The number of sealed entries (``seq`` is gap-free, so the largest ``seq``)."""
    return JournalEntry.objects.aggregate(n=Max("seq"))["n"] or 0


def _leaf_ranges(ranges: Iterable[tuple[int, int]]) -> Q:
    query = Q(pk__in=[])
    for start, end in ranges:
        query |= Q(seq__gt=start, seq__lte=end)
    return query


def _hash_leaves(wanted: set[Subtree]) -> dict[Subtree, bytes]:
    """Small perfect subtrees, computed from their leaves (one query per 100 subtrees)."""
    found: dict[Subtree, bytes] = {}
    ordered = sorted(wanted, key=lambda s: s[1] << s[0])
    for start in range(0, len(ordered), 100):
        batch = ordered[start : start + 100]
        spans = [(i << level, (i + 1) << level) for level, i in batch]
        leaves = dict(JournalEntry.objects.filter(_leaf_ranges(spans)).values_list("seq", "leaf_hash"))
        for (level, i), (first, end) in zip(batch, spans, strict=True):
            try:
                layer = [bytes.fromhex(leaves[seq]) for seq in range(first + 1, end + 1)]
            except KeyError as exc:
                raise ConflictError(_("The journal has no entry %(seq)s.") % {"seq": exc.args[0]}) from exc
            while len(layer) > 1:
                layer = [merkle.node_hash(layer[j], layer[j + 1]) for j in range(0, len(layer), 2)]
            found[(level, i)] = layer[0]
    return found


def subtree_hashes(wanted: set[Subtree]) -> dict[Subtree, bytes]:
    """The hashes of perfect subtrees of the journal's tree, from the cache or computed (and cached)."""
    small = {s for s in wanted if s[0] < CACHE_LEVEL}
    found = _hash_leaves(small) if small else {}
    big = wanted - small
    if not big:
        return found
    by_level: dict[int, list[int]] = {}
    for level, i in big:
        by_level.setdefault(level, []).append(i)
    query = Q(pk__in=[])
    for level, indexes in by_level.items():
        query |= Q(level=level, index__in=indexes)
    for level, i, hex_hash in JournalTreeNode.objects.filter(query).values_list("level", "index", "hash"):
        found[(level, i)] = bytes.fromhex(hex_hash)
    missing = big - found.keys()
    if missing:
        children = subtree_hashes({(level - 1, 2 * i + side) for level, i in missing for side in (0, 1)})
        computed = {
            (level, i): merkle.node_hash(children[(level - 1, 2 * i)], children[(level - 1, 2 * i + 1)])
            for level, i in missing
        }
        JournalTreeNode.objects.bulk_create(
            [JournalTreeNode(level=level, index=i, hash=h.hex()) for (level, i), h in computed.items()],
            ignore_conflicts=True,
        )
        found.update(computed)
    return found


def _checked_size(value: Any, field: str, *, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Give a whole number."), field=field) from None
    if number < minimum:
        raise DomainError(_("Give a number of at least %(minimum)s.") % {"minimum": minimum}, field=field)
    if number > tree_size():
        raise DomainError(_("The journal has fewer entries than that."), field=field)
    return number


def root_hash(size: int) -> bytes:
    return merkle.root(size, subtree_hashes)


def inclusion_proof(*, seq: Any, tree_size: Any) -> dict[str, Any]:
    """The audit path of entry ``seq`` in the tree of the first ``tree_size`` entries (RFC 9162 2.1.3)."""
    size = _checked_size(tree_size, "tree_size", minimum=1)
    number = _checked_size(seq, "seq", minimum=1)
    if number > size:
        raise DomainError(_("The entry is not in a tree of that size."), field="seq")
    leaf = JournalEntry.objects.values_list("leaf_hash", flat=True).get(seq=number)
    return {
        "seq": number,
        "leaf_index": number - 1,
        "tree_size": size,
        "leaf_hash": leaf,
        "audit_path": [h.hex() for h in merkle.inclusion_path(number - 1, size, subtree_hashes)],
        "root_hash": root_hash(size).hex(),
    }


def inclusion_proofs(*, seqs: Iterable[int], size: int) -> dict[int, list[str]]:
    """Audit paths for many entries in the tree of ``size`` entries, with one cache lookup for all."""
    seqs = list(seqs)
    ranges = {seq: merkle.inclusion_ranges(seq - 1, size) for seq in seqs}
    subtrees = subtree_hashes(merkle.needed_subtrees(r for rs in ranges.values() for r in rs))
    return {seq: [merkle.range_hash(a, b, subtrees).hex() for a, b in rs] for seq, rs in ranges.items()}


def consistency_proof(*, first: Any, second: Any) -> dict[str, Any]:
    """The proof that the tree of ``first`` entries is a prefix of the tree of ``second`` (RFC 9162 2.1.4)."""
    m = _checked_size(first, "first", minimum=1)
    n = _checked_size(second, "second", minimum=1)
    if m > n:
        raise DomainError(_("first must not be larger than second."), field="first")
    return {
        "first": m,
        "second": n,
        "first_root": root_hash(m).hex(),
        "second_root": root_hash(n).hex(),
        "proof": [h.hex() for h in merkle.consistency_proof(m, n, subtree_hashes)],
    }


# --- the key ------------------------------------------------------------------------


class SigningKeyMissing(ConflictError):
    """No signing key is configured, so no tree head can be signed."""

    default_code = "journal_key_missing"


def key_create(*, path: Path) -> Ed25519PublicKey:
    """Write a new Ed25519 private key to ``path`` (PEM, readable by its owner only); refuse to overwrite."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with open(path, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(pem)
    return key.public_key()


@lru_cache(maxsize=4)
def _load_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(_("The journal signing key is not an Ed25519 key."))
    return key


def signing_key() -> Ed25519PrivateKey:
    """The ledger's private key, from JOURNAL_SIGNING_KEY (PEM text) or JOURNAL_SIGNING_KEY_FILE."""
    if settings.JOURNAL_SIGNING_KEY:
        return _load_key(settings.JOURNAL_SIGNING_KEY.encode())
    if settings.JOURNAL_SIGNING_KEY_FILE:
        return _load_key(Path(settings.JOURNAL_SIGNING_KEY_FILE).read_bytes())
    raise SigningKeyMissing(
        _("No journal signing key is configured: create one with manage.py journal_create_key and set %(name)s.")
        % {"name": "JOURNAL_SIGNING_KEY_FILE"}
    )


def public_key_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    return hashlib.sha256(public_key_raw(key)).hexdigest()


def public_key_record() -> dict[str, str]:
    """The public key as ``/api/v1/journal/key/`` serves it."""
    public = signing_key().public_key()
    return {
        "key_id": key_id(public),
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(public_key_raw(public)).decode(),
    }


# --- signed tree heads --------------------------------------------------------------


def head_timestamp(moment: datetime) -> str:
    """A head's timestamp as signed and served: ISO 8601 in UTC with microseconds (…+00:00)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def head_message(*, tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """The signed bytes: UTF-8 JSON of {root_hash, timestamp, tree_size}, keys sorted, no whitespace."""
    body = {"root_hash": root_hash, "timestamp": timestamp, "tree_size": tree_size}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def head_record(head: SignedTreeHead) -> dict[str, Any]:
    """A head as the API serves it and witnesses keep it."""
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head_timestamp(head.timestamp),
        "signature": head.signature,
        "key_id": head.key_id,
    }


def latest_head() -> SignedTreeHead | None:
    return SignedTreeHead.objects.order_by("-tree_size", "-id").first()


def head_sign() -> SignedTreeHead:
    """Integrate the queue, then sign a head of the journal, unless the latest head already covers it."""
    key = signing_key()
    journal.integrate()
    kid = key_id(key.public_key())
    # No lock: two signers at once at most both sign the same tree, and each head is a true statement.
    latest = latest_head()
    size = tree_size()
    if latest is not None and latest.tree_size == size and latest.key_id == kid:
        return latest
    root = root_hash(size).hex()
    moment = timezone.now()
    message = head_message(tree_size=size, root_hash=root, timestamp=head_timestamp(moment))
    return SignedTreeHead.objects.create(
        tree_size=size,
        root_hash=root,
        timestamp=moment,
        signature=base64.b64encode(key.sign(message)).decode(),
        key_id=kid,
    )


def head_latest() -> SignedTreeHead | None:
    """The latest signed head, signing a new one first when the journal has grown and a key is configured."""
    try:
        return head_sign()
    except SigningKeyMissing:
        journal.integrate()
        return latest_head()


# --- checking heads -----------------------------------------------------------------


@dataclass(frozen=True)
class HeadProblem:
    head: dict[str, Any]
    reason: str


def head_signature_ok(record: Mapping[str, Any], public_key: Ed25519PublicKey) -> bool:
    """True if ``record`` (fields as served) carries a valid signature by ``public_key``."""
    try:
        message = head_message(
            tree_size=int(record["tree_size"]), root_hash=str(record["root_hash"]), timestamp=str(record["timestamp"])
        )
        public_key.verify(base64.b64decode(record["signature"], validate=True), message)
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return record.get("key_id") == key_id(public_key)


@dataclass(frozen=True)
class HeadCheck:
    problems: list[HeadProblem]
    tree_size: int
    root_hash: str  # of the whole journal, recomputed from the entries


def check_heads(records: list[dict[str, Any]], *, public_key: Ed25519PublicKey | None) -> HeadCheck:
    """Recompute the root of every head's tree size from the entries themselves and check the signatures.

    One pass over the journal in ``seq`` order, without the subtree cache: a head
    whose root differs from the log's, or whose signature does not verify, is a problem.
    """
    problems = []
    for record in records:
        if public_key is None:
            problems.append(HeadProblem(record, _("no public key to check the signature with")))
        elif not head_signature_ok(record, public_key):
            problems.append(HeadProblem(record, _("the signature does not verify with the ledger's key")))
    wanted: dict[int, list[dict[str, Any]]] = {}
    for record in records:
        wanted.setdefault(int(record["tree_size"]), []).append(record)
    tree = merkle.CompactRange()

    def compare(size: int) -> None:
        for record in wanted.pop(size, []):
            if tree.root().hex() != record["root_hash"]:
                problems.append(
                    HeadProblem(record, _("the journal's first %(n)s entries have another root") % {"n": size})
                )

    compare(0)
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        tree.append(bytes.fromhex(journal.entry_leaf_hash(entry)))
        compare(tree.size)
    for left in wanted.values():
        problems.extend(HeadProblem(r, _("the journal has only %(n)s entries") % {"n": tree.size}) for r in left)
    return HeadCheck(problems, tree.size, tree.root().hex())


def check_against(record: dict[str, Any], *, public_key: Ed25519PublicKey | None) -> list[HeadProblem]:
    """Prove that the journal as it is now extends the head ``record`` that a witness kept.

    The kept head's signature must verify, the root of its tree size recomputed
    from today's entries must equal its root, and the consistency proof the
    ledger serves must lead from it to today's root (RFC 9162 2.1.4.2).
    """
    check = check_heads([record], public_key=public_key)
    if check.problems:
        return check.problems
    first = int(record["tree_size"])
    if first == 0 or first == check.tree_size:
        return []
    proof = consistency_proof(first=first, second=check.tree_size)
    ok = merkle.verify_consistency(
        first,
        check.tree_size,
        bytes.fromhex(record["root_hash"]),
        bytes.fromhex(check.root_hash),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    if not ok:
        return [HeadProblem(record, _("the ledger's consistency proof does not verify (its subtree cache is wrong)"))]
    return []


def configured_public_key() -> Ed25519PublicKey | None:
    try:
        return signing_key().public_key()
    except SigningKeyMissing:
        return None


def public_key_from_base64(value: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))
    except ValueError as exc:
        raise DomainError(_("Not a base64 Ed25519 public key."), field="public_key") from exc


# --- witnesses ----------------------------------------------------------------------


def head_publish(*, target: str, timeout: float = 10.0) -> tuple[dict[str, Any], str]:
    """Hand the latest signed head to a witness: a JSON file in a folder, or an HTTP POST of the JSON.

    Returns the head and where it went. A file is never overwritten: a head
    already kept in the folder is left as it is.
    """
    record = head_record(head_sign())
    if target.startswith(("http://", "https://")):
        import httpx

        response = httpx.post(target, json=record, timeout=timeout)
        response.raise_for_status()
        return record, target
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "".join(c for c in record["timestamp"] if c.isdigit())
    path = folder / f"journal-head-{record['tree_size']:012d}-{stamp}.json"
    try:
        with open(path, "x", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True, indent=2) + "\n")
    except FileExistsError:
        pass
    return record, str(path)
