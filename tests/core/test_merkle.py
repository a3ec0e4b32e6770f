"""The journal's Merkle tree (RFC 9162 2.1): leaf hashes, roots, inclusion and consistency proofs.

Every proof the ledger serves is checked against tests/core/rfc9162.py, written
from the RFC independently of core/merkle.py: the same proof as the RFC's
recursive definition over the whole list of leaves, and accepted by the RFC's
verification algorithms.
"""

import hashlib

import pytest

from core import heads, journal
from core.models import JournalEntry, JournalTreeNode
from tests.core import rfc9162

pytestmark = pytest.mark.django_db


def append(count: int) -> None:
    journal.integrate()
    start = JournalEntry.objects.count()
    journal.append_many(
        # entries about no table: the tree does not care what an entry says
        journal.Change("create", "tests.leaf", str(start + i), {"name": {"before": None, "after": f"A{start + i}"}})
        for i in range(count)
    )
    journal.integrate()


def leaves_from_contents() -> list[bytes]:
    """Leaf hashes recomputed from the entries' canonical encoding, as anyone holding them would."""
    journal.integrate()
    return [rfc9162.leaf(journal.entry_bytes(e)) for e in JournalEntry.objects.order_by("seq")]


def test_each_entry_stores_its_rfc_9162_leaf_hash(as_regulator):
    append(3)
    journal.integrate()
    for entry in JournalEntry.objects.all():
        assert entry.leaf_hash == hashlib.sha256(b"\x00" + journal.entry_bytes(entry)).hexdigest()
    response = as_regulator.get("/api/v1/journal/")
    assert [e["leaf_hash"] for e in response.data["results"]] == [
        e.leaf_hash for e in JournalEntry.objects.order_by("seq")
    ]


def test_roots_and_every_proof_match_the_rfc_for_every_tree_size():
    append(21)
    leaves = leaves_from_contents()
    for n in range(1, 22):
        root = rfc9162.mth(leaves[:n])
        assert heads.root_hash(n) == root
        for seq in range(1, n + 1):
            proof = heads.inclusion_proof(seq=seq, tree_size=n)
            audit_path = [bytes.fromhex(p) for p in proof["audit_path"]]
            assert audit_path == rfc9162.path(seq - 1, leaves[:n])
            assert rfc9162.verify_inclusion(leaves[seq - 1], proof["leaf_index"], n, audit_path, root)
        for m in range(1, n + 1):
            consistency = heads.consistency_proof(first=m, second=n)
            steps = [bytes.fromhex(p) for p in consistency["proof"]]
            assert steps == (rfc9162.proof(m, leaves[:n]) if m < n else [])
            first_root = bytes.fromhex(consistency["first_root"])
            assert first_root == rfc9162.mth(leaves[:m])
            assert rfc9162.verify_consistency(m, n, first_root, root, steps)


def test_large_trees_use_the_subtree_cache_and_stay_correct(django_assert_max_num_queries):
    append(300)
    leaves = leaves_from_contents()
    root = rfc9162.mth(leaves)
    assert heads.root_hash(300) == root
    assert JournalTreeNode.objects.filter(level__gte=heads.CACHE_LEVEL).exists()
    with django_assert_max_num_queries(12):  # the cache answers: a few small queries, not a pass over the log
        proof = heads.inclusion_proof(seq=137, tree_size=300)
    path = [bytes.fromhex(p) for p in proof["audit_path"]]
    assert rfc9162.verify_inclusion(leaves[136], 136, 300, path, root)
    assert not rfc9162.verify_inclusion(leaves[135], 136, 300, path, root)
    append(50)
    leaves = leaves_from_contents()
    consistency = heads.consistency_proof(first=300, second=350)
    steps = [bytes.fromhex(p) for p in consistency["proof"]]
    assert steps == rfc9162.proof(300, leaves)
    assert rfc9162.verify_consistency(300, 350, root, rfc9162.mth(leaves), steps)


def test_proofs_over_the_api(as_analyst):
    append(7)
    leaves = leaves_from_contents()
    response = as_analyst.get("/api/v1/journal/proofs/inclusion/", {"seq": 3, "tree_size": 6})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"seq", "leaf_index", "tree_size", "leaf_hash", "audit_path", "root_hash"}
    assert (body["seq"], body["leaf_index"], body["tree_size"]) == (3, 2, 6)
    assert body["leaf_hash"] == leaves[2].hex() and body["root_hash"] == rfc9162.mth(leaves[:6]).hex()
    path = [bytes.fromhex(p) for p in body["audit_path"]]
    assert rfc9162.verify_inclusion(leaves[2], 2, 6, path, rfc9162.mth(leaves[:6]))

    response = as_analyst.get("/api/v1/journal/proofs/consistency/", {"first": 3, "second": 7})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"first", "second", "first_root", "second_root", "proof"}
    steps = [bytes.fromhex(p) for p in body["proof"]]
    assert rfc9162.verify_consistency(
        3, 7, bytes.fromhex(body["first_root"]), bytes.fromhex(body["second_root"]), steps
    )
    assert body["second_root"] == rfc9162.mth(leaves).hex()


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("inclusion", {"seq": 2, "tree_size": 9}, "tree_size"),
        ("inclusion", {"seq": 5, "tree_size": 4}, "seq"),
        ("inclusion", {"seq": 0, "tree_size": 4}, "seq"),
        ("inclusion", {"seq": "x", "tree_size": 4}, "seq"),
        ("inclusion", {"tree_size": 4}, "seq"),
        ("consistency", {"first": 4, "second": 3}, "first"),
        ("consistency", {"first": 1, "second": 6}, "second"),
        ("consistency", {"first": 0, "second": 3}, "first"),
    ],
)
def test_bad_proof_requests_are_refused_with_the_field(as_analyst, url, params, field):
    append(5)
    response = as_analyst.get(f"/api/v1/journal/proofs/{url}/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_proofs_need_an_authenticated_client(api):
    append(2)
    assert api.get("/api/v1/journal/proofs/inclusion/", {"seq": 1, "tree_size": 2}).status_code == 401
