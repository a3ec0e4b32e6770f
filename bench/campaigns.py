"""Benchmark: campaign detection's quality and speed over a synthetic Chinese world (``bench/world.py``).

For each size (``BENCH_SIZES``, default 10,000, 30,000 and 100,000 reviews) it builds
the world (planted smear campaigns with headline variants by accounts of two or
three MCNs, organic reviews in the same vocabulary, recall notices repeated word
for word), then runs the project's own detection code (``reviews.campaigns``:
the signatures the write path stores, then ``find_groups``: MinHash LSH,
verification, cutting by target and window) with the settings in force
(``CAMPAIGN_*`` variables), and prints

- B-cubed precision and recall over reviews, counted over the reviews that are in
  a planted or a found campaign (the many organic reviews that both leave alone
  would otherwise push both figures towards 1);
- the time to compute the signatures (done once per review when it is written)
  and the time to detect, each per review, and the detection time per review as
  a ratio to the smallest size measured in the same run: a ratio near 1 means
  the detection time grows linearly with the number of reviews.

The database is not involved: loading and writing rows is measured by
``manage.py detect_campaigns`` on real data, not here.

    make bench-campaigns
    BENCH_SIZES=2000,5000 .venv/bin/python bench/campaigns.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench import world as synthetic  # noqa: E402
from reviews import campaigns  # noqa: E402

SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "10000,30000,100000").split(",")]
SEED = int(os.environ.get("BENCH_SEED", "2025"))


def bcubed(truth: dict[int, int | None], found: dict[int, int]) -> tuple[float, float]:
    """B-cubed precision and recall over the reviews in a planted (``truth``) or found campaign."""
    planted: dict[int, set[int]] = defaultdict(set)
    for review, campaign in truth.items():
        if campaign is not None:
            planted[campaign].add(review)
    detected: dict[int, set[int]] = defaultdict(set)
    for review, group in found.items():
        detected[group].add(review)
    counted = {r for r, c in truth.items() if c is not None} | set(found)
    if not counted:
        return 1.0, 1.0
    precision = recall = 0.0
    for review in counted:
        mine = detected[found[review]] if review in found else {review}
        real = planted[truth[review]] if truth.get(review) is not None else {review}
        both = len(mine & real)
        precision += both / len(mine)
        recall += both / len(real)
    return precision / len(counted), recall / len(counted)


def run(size: int) -> dict:
    world = synthetic.build(reviews=size, seed=SEED)
    lines = world.lines()
    num_perm, shingle = settings.CAMPAIGN_NUM_PERM, settings.CAMPAIGN_SHINGLE_SIZE

    started = time.perf_counter()
    signatures = {
        r.id: campaigns.minhash(campaigns.content_of(r.headline, r.text), num_perm=num_perm, shingle_size=shingle)
        for r in world.reviews
    }
    signing = time.perf_counter() - started

    items = [
        campaigns.Item(
            r.id, r.account, r.published_at, frozenset().union(*(lines[t] for t in r.targets)), signatures[r.id]
        )
        for r in world.reviews
        if r.stance == "negative" and r.targets
    ]
    started = time.perf_counter()
    groups = campaigns.find_groups(items, campaigns.Rules.from_settings())
    detecting = time.perf_counter() - started

    found = {item.id: n for n, group in enumerate(groups) for item in group.members}
    precision, recall = bcubed({r.id: r.campaign for r in world.reviews}, found)
    return {
        "reviews": len(world.reviews),
        "considered": len(items),
        "planted": len({r.campaign for r in world.reviews if r.campaign is not None}),
        "found": len(groups),
        "precision": precision,
        "recall": recall,
        "signing": signing,
        "detecting": detecting,
    }


def main() -> None:
    print(
        f"campaign detection: similarity {settings.CAMPAIGN_SIMILARITY}, window {settings.CAMPAIGN_WINDOW_HOURS} h, "
        f"min accounts {settings.CAMPAIGN_MIN_ACCOUNTS}, {settings.CAMPAIGN_SHINGLE_SIZE}-character shingles, "
        f"{settings.CAMPAIGN_NUM_PERM} permutations; seed {SEED}"
    )
    header = (
        f"{'reviews':>8} {'negative':>8} {'planted':>7} {'found':>6} {'precision':>9} {'recall':>7} "
        f"{'sign µs/rev':>11} {'detect s':>9} {'detect µs/rev':>13} {'vs smallest':>11}"
    )
    print(header)
    run(2000)  # warm up: imports, permutations, first allocations
    baseline = None
    results = []
    for size in SIZES:
        r = run(size)
        per_review = r["detecting"] / r["reviews"] * 1e6
        baseline = baseline or per_review
        results.append(r)
        print(
            f"{r['reviews']:>8} {r['considered']:>8} {r['planted']:>7} {r['found']:>6} {r['precision']:>9.3f} "
            f"{r['recall']:>7.3f} {r['signing'] / r['reviews'] * 1e6:>11.0f} {r['detecting']:>9.2f} "
            f"{per_review:>13.0f} {per_review / baseline:>10.2f}x",
            flush=True,
        )
    last = results[-1]
    print(f"precision: {last['precision']:.3f}")
    print(f"recall: {last['recall']:.3f}")
    print(f"detection time over {last['reviews']:,} reviews: {last['detecting']:.2f} s")


if __name__ == "__main__":
    main()
