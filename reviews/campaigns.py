"""Finding coordinated campaigns: near-duplicate negative content against one target, posted in a burst.

Two layers:

- The rules, on plain values (no database): :func:`normalise`, :func:`shingles`,
  :func:`minhash`, and :func:`find_groups`, which puts reviews into campaigns.
  The benchmark (``bench/campaigns.py``) runs exactly this code.
- :func:`detect` loads the reviews in scope from the database, runs
  :func:`find_groups` and writes the difference to the stored campaigns
  (``reviews.services.campaigns_detect`` is the service that calls it).

Near-duplicates are found with MinHash LSH (datasketch): every review is put
into the LSH index once and queried once, so the work grows with the number of
reviews, not with the number of pairs. A candidate pair from the index is an
edge when its estimated Jaccard similarity reaches ``CAMPAIGN_SIMILARITY``, both
reviews share a target (a car model counts for its brand and company) and they
were published within ``CAMPAIGN_WINDOW_HOURS`` of each other. The connected
groups are then cut by shared target and by window from each group's first
review; a group by at least ``CAMPAIGN_MIN_ACCOUNTS`` distinct accounts is a
campaign. Only negative reviews are considered: a recall notice repeated word for
word by many outlets is news, not a smear.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from datasketch import MinHash, MinHashLSH
from django.conf import settings

# datasketch's "affine32" permutation scheme: 32-bit hash values, stored as little-endian uint32.
SCHEME = "affine32"
STORED_DTYPE = np.dtype("<u4")
_DROPPED_CATEGORIES = ("P", "S", "Z", "C")  # punctuation, symbols, separators (whitespace), control


# --- content -------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become half-width), lower case, without punctuation,
    symbols or whitespace: what is left is the wording."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_DROPPED_CATEGORIES))


def content_of(headline: str, text: str) -> str:
    """The normalised headline and text of a review, as one string (what its signature is computed from)."""
    return normalise(headline) + normalise(text or "")


def shingles(content: str, size: int) -> set[bytes]:
    """The character ``size``-grams of normalised content (Chinese needs no word segmentation), UTF-8 encoded."""
    if len(content) <= size:
        return {content.encode()} if content else set()
    return {content[i : i + size].encode() for i in range(len(content) - size + 1)}


def digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


@functools.cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations of seed 1 (generated once per process: every signature uses the same)."""
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def minhash(content: str, *, num_perm: int, shingle_size: int) -> MinHash:
    """The MinHash signature of normalised content (seed 1, datasketch's default hash): stable across runs."""
    signature = MinHash(num_perm=num_perm, permutations=_permutations(num_perm), scheme=SCHEME)
    grams = shingles(content, shingle_size)
    if grams:
        signature.update_batch(list(grams))
    return signature


def to_bytes(signature: MinHash) -> bytes:
    return signature.hashvalues.astype(STORED_DTYPE).tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(bytes(data), dtype=STORED_DTYPE).astype(np.uint32)
    return MinHash(hashvalues=values, permutations=_permutations(len(values)), scheme=SCHEME)


# --- the rules -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One review as detection sees it. ``targets`` holds its targets and all their ancestors."""

    id: int
    account: int
    published_at: datetime
    targets: frozenset[int]
    signature: MinHash = field(compare=False, repr=False)


@dataclass
class Group:
    """A campaign found by :func:`find_groups`: its members (ids, by time) and figures."""

    members: list[Item]
    target: int  # the target every member shares, that the group was cut by
    similarity: Decimal

    @property
    def ids(self) -> set[int]:
        return {item.id for item in self.members}

    @property
    def first_published_at(self) -> datetime:
        return self.members[0].published_at

    @property
    def last_published_at(self) -> datetime:
        return self.members[-1].published_at


@dataclass(frozen=True)
class Rules:
    window: timedelta
    min_accounts: int
    similarity: float
    num_perm: int

    @classmethod
    def from_settings(cls) -> Rules:
        return cls(
            window=timedelta(hours=settings.CAMPAIGN_WINDOW_HOURS),
            min_accounts=settings.CAMPAIGN_MIN_ACCOUNTS,
            similarity=settings.CAMPAIGN_SIMILARITY,
            num_perm=settings.CAMPAIGN_NUM_PERM,
        )


class _Components:
    """Union-find over review ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def mean_similarity(items: Sequence[Item]) -> Decimal:
    """The mean estimated Jaccard similarity over every pair of members (3 decimals)."""
    if len(items) < 2:
        return Decimal("1.000")
    values = np.stack([item.signature.hashvalues for item in items])
    total, pairs = 0.0, 0
    for i in range(len(values) - 1):
        equal = (values[i + 1 :] == values[i]).mean(axis=1)
        total += float(equal.sum())
        pairs += len(equal)
    return Decimal(str(round(total / pairs, 3)))


def find_groups(items: Sequence[Item], rules: Rules, *, progress: Callable[[int], None] | None = None) -> list[Group]:
    """The campaigns among ``items`` (all negative, all with targets), ordered by first review then id.

    Deterministic: the same items give the same groups, whatever their order.
    """
    by_id = {item.id: item for item in items}
    lsh = MinHashLSH(threshold=rules.similarity, num_perm=rules.num_perm)
    with lsh.insertion_session() as session:
        for item in items:
            session.insert(item.id, item.signature, check_duplication=False)
    components = _Components()
    for item in items:
        for other_id in lsh.query(item.signature):
            if other_id <= item.id:
                continue
            other = by_id[other_id]
            if (
                abs(other.published_at - item.published_at) <= rules.window
                and item.targets & other.targets
                and item.signature.jaccard(other.signature) >= rules.similarity
            ):
                components.union(item.id, other_id)
        if progress is not None:
            progress(1)
    clusters: dict[int, list[Item]] = defaultdict(list)
    for item_id in components.parent:
        clusters[components.find(item_id)].append(by_id[item_id])
    groups: list[Group] = []
    for members in clusters.values():
        groups.extend(_cut(members, rules))
    groups.sort(key=lambda g: (g.first_published_at, min(g.ids)))
    return groups


def _cut(members: list[Item], rules: Rules) -> Iterable[Group]:
    """Cut one connected set of near-duplicates by shared target, then by window from each part's first review."""
    remaining = sorted(members, key=lambda i: (i.published_at, i.id))
    while remaining:
        counts = Counter(t for item in remaining for t in item.targets)
        target = min(counts, key=lambda t: (-counts[t], t))
        sharing = [item for item in remaining if target in item.targets]
        remaining = [item for item in remaining if target not in item.targets]
        while sharing:
            end = sharing[0].published_at + rules.window
            part = [item for item in sharing if item.published_at <= end]
            sharing = sharing[len(part) :]
            if len({item.account for item in part}) >= rules.min_accounts:
                yield Group(members=part, target=target, similarity=mean_similarity(part))


# --- the database ----------------------------------------------------------------

# Key of the PostgreSQL advisory lock that serialises detection runs and campaign transitions ("campaign").
LOCK_KEY = 0x63616D706169676E


@dataclass
class Outcome:
    """What one detection run changed."""

    scope: int = 0  # reviews considered
    signatures: int = 0  # signatures computed
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.signatures or self.created or self.updated or self.deleted)


def lock() -> None:
    """Serialise detection runs and campaign transitions until the end of the transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def target_lines() -> dict[int, frozenset[int]]:
    """Every target's id with its ancestors' (a car model, its brand, its company). One query."""
    from reviews.models import Target

    parent = dict(Target.objects.values_list("pk", "parent_id"))
    lines: dict[int, frozenset[int]] = {}
    for pk in parent:
        line, node = [], pk
        while node is not None and node not in line:
            line.append(node)
            node = parent.get(node)
        lines[pk] = frozenset(line)
    return lines


def signatures_store(review_ids: Iterable[int] | None = None, *, progress: Callable[[int], None] | None = None) -> int:
    """Compute and store the signatures of the reviews (all when ``None``) that have none or a stale one.

    A signature is stale when the review's normalised content, ``CAMPAIGN_NUM_PERM`` or
    ``CAMPAIGN_SHINGLE_SIZE`` changed. Returns how many were written.
    """
    from reviews.models import Review, ReviewSignature

    num_perm, size = settings.CAMPAIGN_NUM_PERM, settings.CAMPAIGN_SHINGLE_SIZE
    if review_ids is None:
        chunks: Iterable = [Review.objects.order_by("pk")]
    else:
        chunks = (Review.objects.filter(pk__in=chunk).order_by("pk") for chunk in _chunks(sorted(review_ids), 5000))
    batch: list[ReviewSignature] = []
    written = 0
    for reviews in chunks:
        rows = reviews.values_list(
            "pk", "headline", "text", "signature__digest", "signature__num_perm", "signature__shingle_size"
        )
        for pk, headline, text, old_digest, old_perm, old_size in rows.iterator(chunk_size=2000):
            content = content_of(headline, text)
            new_digest = digest(content)
            if (old_digest, old_perm, old_size) != (new_digest, num_perm, size):
                signature = minhash(content, num_perm=num_perm, shingle_size=size)
                batch.append(
                    ReviewSignature(
                        review_id=pk,
                        num_perm=num_perm,
                        shingle_size=size,
                        digest=new_digest,
                        hashvalues=to_bytes(signature),
                    )
                )
            if len(batch) >= 1000:
                written += _upsert(batch)
                batch = []
            if progress is not None:
                progress(1)
    return written + _upsert(batch)


def _upsert(batch: list) -> int:
    from reviews.models import ReviewSignature

    if batch:
        ReviewSignature.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["review"],
            update_fields=["num_perm", "shingle_size", "digest", "hashvalues", "computed_at"],
        )
    return len(batch)


def _eligible():
    """Reviews detection considers: negative, with a target, not in a confirmed or dismissed campaign."""
    from reviews.choices import CampaignStatus, Stance
    from reviews.models import Review

    return (
        Review.objects.filter(stance=Stance.NEGATIVE, targets__isnull=False)
        .exclude(campaign_member__campaign__status__in=[CampaignStatus.CONFIRMED, CampaignStatus.DISMISSED])
        .distinct()
    )


def _scope_ids(
    *, review_ids: Sequence[int] | None, since: datetime | None, lines: dict[int, frozenset[int]]
) -> set[int]:
    """The ids of the eligible reviews a run considers, with every member of the suspected campaigns they touch."""
    from reviews.choices import CampaignStatus
    from reviews.models import CampaignMember, Review

    eligible = _eligible()
    window = timedelta(hours=settings.CAMPAIGN_WINDOW_HOURS)
    if review_ids is not None:
        new = eligible.filter(pk__in=list(review_ids))
        times = list(new.values_list("published_at", flat=True))
        if not times:
            return set()
        # the reviews of the same target trees (a model's brand and company, and all below them)
        roots = {
            root
            for t in Review.targets.through.objects.filter(review__in=new).values_list("target_id", flat=True)
            for root in lines[t]
            if len(lines[root]) == 1  # the top of the line: a target without a parent
        }
        tree = [t for t, line in lines.items() if line & roots]
        scope = set(
            eligible.filter(
                published_at__gte=min(times) - window, published_at__lte=max(times) + window, targets__in=tree
            ).values_list("pk", flat=True)
        )
    elif since is not None:
        scope = set(eligible.filter(published_at__gte=since).values_list("pk", flat=True))
    else:
        scope = set(eligible.values_list("pk", flat=True))
    touched = CampaignMember.objects.filter(review_id__in=scope, campaign__status=CampaignStatus.SUSPECTED).values(
        "campaign_id"
    )
    members = CampaignMember.objects.filter(campaign_id__in=touched).values_list("review_id", flat=True)
    return scope | set(eligible.filter(pk__in=members).values_list("pk", flat=True))


def _items(ids: set[int], lines: dict[int, frozenset[int]]) -> list[Item]:
    from reviews.models import Review

    targets: dict[int, set[int]] = defaultdict(set)
    found: list[Item] = []
    for chunk in _chunks(sorted(ids), 5000):
        for review_id, target_id in Review.targets.through.objects.filter(review_id__in=chunk).values_list(
            "review_id", "target_id"
        ):
            targets[review_id] |= lines[target_id]
        rows = Review.objects.filter(pk__in=chunk).values_list(
            "pk", "account_id", "published_at", "signature__hashvalues"
        )
        for pk, account_id, published_at, values in rows:
            found.append(Item(pk, account_id, published_at, frozenset(targets[pk]), from_bytes(values)))
    return found


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def most_specific(shared: Iterable[int], lines: dict[int, frozenset[int]]) -> set[int]:
    """Of targets that all members share, those that are not an ancestor of another one."""
    shared = set(shared)
    return {t for t in shared if not any(t in lines[o] and o != t for o in shared)}


def detect(
    *,
    review_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> Outcome:
    """Store missing signatures, find the campaigns among the reviews in scope, and write the difference.

    Scope: the reviews ``review_ids`` and those of their target trees published within
    a window of them (incremental), or every review published since ``since``, or all.
    Suspected campaigns touching the scope are kept when a found group shares members
    with them (the one sharing most keeps its id), changed to the group's members and
    figures, and deleted when no group is left for them. Running twice changes nothing.
    Call inside a transaction (``reviews.services.campaigns_detect``).
    """
    from reviews.choices import CampaignStatus
    from reviews.models import Campaign, CampaignMember

    outcome = Outcome()
    lock()
    lines = target_lines()
    ids = _scope_ids(review_ids=review_ids, since=since, lines=lines)
    outcome.scope = len(ids)
    outcome.signatures = signatures_store(ids, progress=progress("signatures", len(ids)) if progress else None)
    items = _items(ids, lines)
    groups = find_groups(
        items, Rules.from_settings(), progress=progress("candidates", len(items)) if progress else None
    )

    in_play: dict[int, set[int]] = defaultdict(set)
    for campaign_id, review_id in CampaignMember.objects.filter(
        review_id__in=ids, campaign__status=CampaignStatus.SUSPECTED
    ).values_list("campaign_id", "review_id"):
        in_play[campaign_id].add(review_id)
    for campaign_id, review_id in CampaignMember.objects.filter(campaign_id__in=list(in_play)).values_list(
        "campaign_id", "review_id"
    ):
        in_play[campaign_id].add(review_id)

    # match each group to the suspected campaign sharing most of its members (lowest id on a tie)
    claimed: dict[int, Group] = {}
    unmatched: list[Group] = []
    for group in groups:
        overlaps = [(len(members & group.ids), -cid, cid) for cid, members in in_play.items() if cid not in claimed]
        best = max((o for o in overlaps if o[0] > 0), default=None)
        if best is None:
            unmatched.append(group)
        else:
            claimed[best[2]] = group
    wanted = {(cid, rid) for cid, group in claimed.items() for rid in group.ids}
    current = {(cid, rid) for cid, members in in_play.items() for rid in members}
    stale = current - wanted
    if stale:
        for campaign_id, review_ids_ in _by_campaign(stale).items():
            CampaignMember.objects.filter(campaign_id=campaign_id, review_id__in=review_ids_).delete()
    gone = [cid for cid in in_play if cid not in claimed]
    if gone:
        outcome.deleted = len(gone)
        Campaign.objects.filter(pk__in=gone).delete()
    campaigns = Campaign.objects.in_bulk(list(claimed))
    for campaign_id, group in sorted(claimed.items()):
        campaign = campaigns[campaign_id]
        changed = _apply(campaign, group, lines)
        new_members = [
            CampaignMember(campaign_id=campaign_id, review_id=rid) for rid in sorted(group.ids - in_play[campaign_id])
        ]
        if new_members:
            CampaignMember.objects.bulk_create(new_members)
        if changed or new_members or any(cid == campaign_id for cid, _ in stale):
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    for group in unmatched:
        campaign = Campaign(
            first_published_at=group.first_published_at,
            last_published_at=group.last_published_at,
            similarity=group.similarity,
        )
        campaign.save()
        campaign.targets.set(sorted(most_specific(_shared(group), lines)))
        CampaignMember.objects.bulk_create(
            [CampaignMember(campaign=campaign, review_id=rid) for rid in sorted(group.ids)]
        )
        outcome.created += 1
    return outcome


def _by_campaign(pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for campaign_id, review_id in sorted(pairs):
        found[campaign_id].append(review_id)
    return found


def _shared(group: Group) -> frozenset[int]:
    return frozenset.intersection(*(item.targets for item in group.members))


def _apply(campaign, group: Group, lines: dict[int, frozenset[int]]) -> bool:
    """Bring a kept campaign's figures and targets to the group's; True when anything changed."""
    changed = []
    for name, value in (
        ("first_published_at", group.first_published_at),
        ("last_published_at", group.last_published_at),
        ("similarity", group.similarity),
    ):
        if getattr(campaign, name) != value:
            setattr(campaign, name, value)
            changed.append(name)
    if changed:
        campaign.save(update_fields=[*changed, "updated_at"])
    targets = most_specific(_shared(group), lines)
    if set(campaign.targets.values_list("pk", flat=True)) != targets:
        campaign.targets.set(sorted(targets))
        changed.append("targets")
    return bool(changed)
