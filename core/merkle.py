"""The journal's Merkle tree, as RFC 9162 section 2.1 defines it (pure functions, no database).

Leaves are the journal entries in ``seq`` order (leaf index = seq - 1). The hash
of a leaf is ``SHA-256(0x00 || leaf bytes)`` and of an inner node
``SHA-256(0x01 || left || right)``; a tree of n leaves splits at k, the largest
power of two below n. Every subtree that this recursion visits is either a
*perfect* subtree (2**level leaves starting at a multiple of 2**level) or a
range made of several of them, so the hash of any range is the fold of at most
log2(n) perfect-subtree hashes (:func:`perfect_subtrees`). Proof generation
takes a function that returns those hashes, so the caller decides where they
come from (a cache table, the leaves themselves).

The verification functions follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by
step; ``verify_journal`` uses them, and the case bundle's ``verify.py`` carries
its own copy (it must not import the project).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

Subtree = tuple[int, int]  # (level, index): leaves [index * 2**level, (index + 1) * 2**level)
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[Subtree]:
    """The perfect subtrees that make up the range [start, end), left to right.

    Valid for the ranges the RFC 9162 recursion produces: ``start`` is a multiple
    of a power of two at least as large as ``end - start``.
    """
    found = []
    size = end - start
    while size:
        level = size.bit_length() - 1
        found.append((level, start >> level))
        start += 1 << level
        size -= 1 << level
    return found


def fold(hashes: list[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees' hashes, left to right (each smaller than the one before)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make up PATH(index, D[start:end]), from the leaf up (RFC 9162 2.1.3.1)."""
    ranges: list[tuple[int, int]] = []
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return list(reversed(ranges))


def _consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make up PROOF(m, D[0:n]) (RFC 9162 2.1.4.1), 0 < m < n, in proof order."""
    ranges: list[tuple[int, int]] = []
    start, end, complete = 0, n, True
    while True:
        if m == end - start:
            if not complete:
                ranges.append((start, end))
            break
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, complete = start + k, m - k, False
    return list(reversed(ranges))


def needed_subtrees(ranges: Iterable[tuple[int, int]]) -> set[Subtree]:
    return {s for start, end in ranges for s in perfect_subtrees(start, end)}


def range_hash(start: int, end: int, subtrees: Mapping[Subtree, bytes]) -> bytes:
    return fold([subtrees[s] for s in perfect_subtrees(start, end)])


SubtreeSource = Callable[[set[Subtree]], Mapping[Subtree, bytes]]


def root(n: int, source: SubtreeSource) -> bytes:
    """MTH(D[0:n])."""
    if n == 0:
        return EMPTY_ROOT
    return range_hash(0, n, source(needed_subtrees([(0, n)])))


def inclusion_ranges(index: int, n: int) -> list[tuple[int, int]]:
    if not 0 <= index < n:
        raise ValueError("leaf index outside the tree")
    return _inclusion_ranges(index, 0, n)


def consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    if not 0 < m <= n:
        raise ValueError("need 0 < first <= second")
    return [] if m == n else _consistency_ranges(m, n)


def inclusion_path(index: int, n: int, source: SubtreeSource) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``n`` leaves, from the leaf up."""
    ranges = inclusion_ranges(index, n)
    subtrees = source(needed_subtrees(ranges))
    return [range_hash(a, b, subtrees) for a, b in ranges]


def consistency_proof(m: int, n: int, source: SubtreeSource) -> list[bytes]:
    """The consistency proof between the trees of ``m`` and ``n`` leaves."""
    ranges = consistency_ranges(m, n)
    subtrees = source(needed_subtrees(ranges))
    return [range_hash(a, b, subtrees) for a, b in ranges]


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) --------------------------------


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], expected_root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> bool:
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    if first & (first - 1) == 0:  # a power of two: the first root is the first node of the path
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class CompactRange:
    """The roots of a growing tree, leaf by leaf, in O(log n) memory (for verifying a whole log)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []  # perfect subtrees, largest first

    def append(self, leaf: bytes) -> None:
        self._stack.append(leaf)
        self.size += 1
        n = self.size
        while not n & 1:
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            n >>= 1

    def root(self) -> bytes:
        return fold(self._stack) if self._stack else EMPTY_ROOT
