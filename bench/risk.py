"""Benchmark: how well the risk score ranks planted accounts above organic ones.

Builds the synthetic world of ``bench/world.py`` (accounts, MCNs, organic reviews,
recall notices and planted smear campaigns), writes it to a fresh PostgreSQL
database (``ledger_bench_risk``, or ``BENCH_DB``; dropped at the end unless
``BENCH_KEEP=1``) and adds what the risk score reads, for the last
``WINDOW_DAYS`` days of the world's year:

- a daily follower series for every account: organic growth (or decline) with
  day-to-day noise, and, for a few organic accounts, a viral day (+12-25 %) whose
  reviews drew the views to explain it;
- reviews of every account in that window whose views follow its organic audience;
- a short-video rate quote for every account and, for a third of the organic
  accounts, orders at 0.7-1.6 x the rate card;

and plants, among ``BENCH_ACCOUNTS`` accounts:

- **bought followers, sudden**: one or two days of +20-60 % (the project's own
  day-over-day detection, ``ledger.anomalies.detect``, records the anomalies);
- **bought followers, slow**: a steady +0.3-0.8 % of followers a day on top of the
  organic series (below the day-over-day threshold), while views stay flat;
- **overpriced orders**: orders at 2.5-5 x the account's rate card;
- **campaign membership**: every account that posted in a planted campaign of the
  world (the world's ground truth stands in for detection; one in three campaigns
  is confirmed, the others suspected).

Then it runs ``risk_recompute_all`` and prints, over all accounts, the precision
of the top k by score (k = the number of planted accounts) and the ROC AUC
(rank formula, ties counted half), next to the same figures for the baseline
that existed before the score (rank by day-over-day follower anomalies alone)
and their ratios; and the recall of each planted kind in the top k.

    make bench-risk
    BENCH_REVIEWS=4000 BENCH_SEED=7 .venv/bin/python bench/risk.py
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_risk")
KEEP = os.environ.get("BENCH_KEEP") == "1"
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "2000"))  # the world has one account per 10 reviews (200 at least)
SEED = int(os.environ.get("BENCH_SEED", "2025"))
WINDOW_DAYS = 120
SUDDEN, SLOW, OVERPRICED = 0.06, 0.06, 0.06  # shares of the accounts planted with each (disjoint)
VIRAL = 0.05  # share of the organic accounts with one explained viral day


@dataclass
class Plan:
    """What the benchmark planted: account ids by kind."""

    kinds: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def planted(self) -> set[int]:
        return set().union(*self.kinds.values())


def auc(scores: dict[int, float], positive: set[int]) -> float:
    """ROC AUC by the rank formula (Mann-Whitney U), tied scores sharing their average rank."""
    ordered = sorted(scores.items(), key=lambda kv: kv[1])
    ranks: dict[int, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k][0]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = len(positive)
    n_neg = len(scores) - n_pos
    rank_sum = sum(ranks[a] for a in positive)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def precision_at_k(scores: dict[int, float], positive: set[int], k: int, rng: random.Random) -> float:
    """Share of planted accounts among the k highest scores (ties broken at random, seeded)."""
    keyed = sorted(scores, key=lambda a: (-scores[a], rng.random()))
    return len(set(keyed[:k]) & positive) / k


def admin_connection():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def fresh_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def build(rng: random.Random) -> Plan:
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models.signals import post_save

    from bench import world as synthetic
    from ledger import anomalies
    from ledger.models import FollowerAnomaly, FollowerSnapshot, Influencer, PlatformAccount
    from pricing.models import DurationTier, RateQuote
    from reviews.models import Campaign, CampaignMember, Order, Review

    call_command("migrate", verbosity=0)
    # the benchmark times one recompute of everything: no recompute queued while the world is written
    post_save.disconnect(sender=Campaign, dispatch_uid="risk_mark_campaign")
    world = synthetic.build(reviews=REVIEWS, seed=SEED)
    end = synthetic.START + timedelta(days=synthetic.DAYS - 1, hours=4)
    start = end - timedelta(days=WINDOW_DAYS - 1)
    tier = DurationTier.objects.get(code="s21_60")
    plan = Plan()

    ids = [a.id for a in world.accounts]
    shuffled = rng.sample(ids, len(ids))
    n = len(ids)
    cut1, cut2, cut3 = round(n * SUDDEN), round(n * (SUDDEN + SLOW)), round(n * (SUDDEN + SLOW + OVERPRICED))
    plan.kinds["sudden"] = set(shuffled[:cut1])
    plan.kinds["slow"] = set(shuffled[cut1:cut2])
    plan.kinds["overpriced"] = set(shuffled[cut2:cut3])
    members_of: dict[int, set[int]] = defaultdict(set)
    for review in world.reviews:
        if review.campaign is not None:
            members_of[review.campaign].add(review.account)
    plan.kinds["campaign"] = set().union(*members_of.values())
    viral = {a for a in shuffled[cut3:] if a not in plan.planted and rng.random() < VIRAL}

    with transaction.atomic():
        Influencer.objects.bulk_create(Influencer(id=i, display_name=f"Bench blogger {i}") for i in ids)
        PlatformAccount.objects.bulk_create(
            PlatformAccount(id=i, influencer_id=i, platform="douyin", handle=f"bench_{i}", platform_uid=f"uid{i}")
            for i in ids
        )
        snapshots, window_reviews, quotes, orders = [], [], [], []
        organic_at: dict[int, list[float]] = {}
        view_rates: dict[int, float] = {}
        for i in ids:
            base = int(rng.lognormvariate(12.5, 1.0)) + 5_000  # ~270k median
            rate = rng.uniform(-0.0005, 0.003)
            organic, total, counts, bought = [float(base)], float(base), [base], 0.0
            bot = base * rng.uniform(0.003, 0.008) if i in plan.kinds["slow"] else 0.0
            jumps = (
                set(rng.sample(range(20, WINDOW_DAYS - 5), rng.randint(1, 2))) if i in plan.kinds["sudden"] else set()
            )
            viral_day = rng.randint(20, WINDOW_DAYS - 30) if i in viral else None
            for day in range(1, WINDOW_DAYS):
                gain = organic[-1] * rate * (1 + rng.gauss(0, 0.8))
                if day == viral_day:
                    gain += organic[-1] * rng.uniform(0.12, 0.25)
                organic.append(max(organic[-1] + gain, 1.0))
                if bot:
                    bought += bot * (1 + rng.gauss(0, 0.04))
                if day in jumps:
                    bought += (organic[-1] + bought) * rng.uniform(0.2, 0.6)
                total = organic[-1] + bought
                counts.append(round(total))
            organic_at[i] = organic
            snapshots += [
                FollowerSnapshot(account_id=i, captured_at=start + timedelta(days=d), follower_count=c)
                for d, c in enumerate(counts)
            ]
            view_rate = view_rates[i] = rng.uniform(0.05, 0.3)
            for r in range(10):
                day = r * (WINDOW_DAYS // 10) + rng.randint(0, WINDOW_DAYS // 10 - 1)
                views = int(organic[day] * view_rate * rng.lognormvariate(0, 0.3))
                window_reviews.append(
                    Review(
                        account_id=i,
                        url=f"https://example.invalid/bench/{i}/{r}",
                        headline=f"Bench review {i}-{r}",
                        published_at=start + timedelta(days=day, hours=3),
                        duration_seconds=45,
                        views=views,
                        likes=int(views * rng.uniform(0.01, 0.06)),
                        comments=int(views * rng.uniform(0.001, 0.01)),
                        shares=int(views * rng.uniform(0.001, 0.01)),
                        engagement_captured_at=end,
                    )
                )
            card = (Decimal(base) * Decimal("0.03")).quantize(Decimal("1")) + 500
            quotes.append(
                RateQuote(
                    account_id=i,
                    deliverable="short_video",
                    tier=tier,
                    price=card,
                    price_kind="marketplace_listing",
                    observed_on=(start - timedelta(days=30)).date(),
                    recorded_by="command:bench_risk",
                )
            )
            if i in plan.kinds["overpriced"]:
                markups = [rng.uniform(2.5, 5.0) for _ in range(rng.randint(1, 2))]
            elif rng.random() < 1 / 3:
                markups = [rng.uniform(0.7, 1.6) for _ in range(rng.randint(1, 2))]
            else:
                markups = []
            for m in markups:
                orders.append(
                    Order(
                        account_id=i,
                        client_name="Bench client",
                        deliverable="short_video",
                        tier=tier,
                        agreed_price=(card * Decimal(str(round(m, 2)))).quantize(Decimal("0.01")),
                        ordered_on=(start + timedelta(days=rng.randint(0, WINDOW_DAYS - 1))).date(),
                    )
                )
        FollowerSnapshot.objects.bulk_create(snapshots, batch_size=5000)
        Review.objects.bulk_create(window_reviews, batch_size=2000)
        RateQuote.objects.bulk_create(quotes)
        Order.objects.bulk_create(orders)

        # the world's reviews, and its planted campaigns as campaigns found. A review's views are its
        # popularity in the world (relative to the world's median) times its account's organic audience
        # on the day (its audience before the window): views follow the audience, as on a platform.
        typical = sorted(r.views for r in world.reviews)[len(world.reviews) // 2]

        def audience(account: int, at) -> float:
            day = min(max((at - start).days, 0), WINDOW_DAYS - 1)
            return organic_at[account][day] * view_rates[account]

        written = Review.objects.bulk_create(
            (
                Review(
                    account_id=r.account,
                    url=f"https://example.invalid/world/{r.id}",
                    headline=r.headline[:500],
                    text=r.text,
                    published_at=r.published_at,
                    stance=r.stance,
                    views=(views := int(audience(r.account, r.published_at) * min(r.views / typical, 20))),
                    likes=views // 40,
                    comments=views // 200,
                    shares=views // 300,
                    engagement_captured_at=end,
                )
                for r in world.reviews
            ),
            batch_size=2000,
        )
        review_ids = {r.id: w.pk for r, w in zip(world.reviews, written, strict=True)}
        by_campaign: dict[int, list] = defaultdict(list)
        for r in world.reviews:
            if r.campaign is not None:
                by_campaign[r.campaign].append(r)
        for number, members in sorted(by_campaign.items()):
            campaign = Campaign.objects.create(
                first_published_at=min(m.published_at for m in members),
                last_published_at=max(m.published_at for m in members),
                similarity=Decimal("0.800"),
            )
            if number % 3 == 0:
                Campaign.objects.filter(pk=campaign.pk).update(status="confirmed")
            CampaignMember.objects.bulk_create(
                CampaignMember(campaign=campaign, review_id=review_ids[m.id]) for m in members
            )

        # the mirror of the newest snapshot, and the project's own day-over-day anomaly detection
        last = {s.account_id: s for s in snapshots[WINDOW_DAYS - 1 :: WINDOW_DAYS]}
        for account_id, snapshot in last.items():
            PlatformAccount.objects.filter(pk=account_id).update(
                follower_count=snapshot.follower_count, followers_captured_at=snapshot.captured_at
            )
        from django.conf import settings

        thresholds = anomalies.Thresholds(
            daily_change=settings.ANOMALY_DAILY_CHANGE,
            min_change=settings.ANOMALY_MIN_CHANGE,
            z_threshold=settings.ANOMALY_Z_THRESHOLD,
            history=timedelta(days=settings.ANOMALY_HISTORY_DAYS),
        )
        found = []
        for first in range(0, len(snapshots), WINDOW_DAYS):
            series = snapshots[first : first + WINDOW_DAYS]
            points = [anomalies.Point(s.pk, s.captured_at, s.follower_count) for s in series]
            for index in range(1, len(points)):
                for finding in anomalies.detect(points, index, thresholds):
                    found.append(
                        FollowerAnomaly(
                            account_id=series[index].account_id,
                            snapshot_id=series[index].pk,
                            previous_snapshot_id=series[index - 1].pk,
                            kind=finding.kind,
                            change=finding.change,
                            change_per_day=Decimal(f"{finding.change_per_day:.6f}"),
                            z_score=None if finding.z_score is None else Decimal(f"{finding.z_score:.2f}"),
                            reason=finding.reason[:300],
                        )
                    )
        FollowerAnomaly.objects.bulk_create(found)
    plan.kinds["viral (organic)"] = viral
    return plan


def main() -> None:
    fresh_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from ledger.choices import AnomalyKind
    from ledger.models import FollowerAnomaly, PlatformAccount
    from reviews.models import Order
    from risk import services
    from risk.models import RiskScore

    rng = random.Random(SEED)
    try:
        started = time.perf_counter()
        plan = build(rng)
        viral = plan.kinds.pop("viral (organic)")
        accounts = PlatformAccount.objects.count()
        built = time.perf_counter() - started
        print(f"world: {accounts} accounts, {Order.objects.count()} orders, built in {built:.0f} s")
        print("planted: " + ", ".join(f"{kind} {len(ids)}" for kind, ids in plan.kinds.items()), end="")
        print(f" (overlapping: {len(plan.planted)} accounts); organic with a viral day: {len(viral)}")

        started = time.perf_counter()
        run = services.risk_recompute_all()
        elapsed = time.perf_counter() - started
        print(f"recompute_all: {run.accounts} accounts and {run.orders} orders in {elapsed:.1f} s")

        scores = dict(PlatformAccount.objects.values_list("pk", "risk_score"))
        jumps = defaultdict(int)
        for account_id in FollowerAnomaly.objects.filter(kind__in=[AnomalyKind.JUMP, AnomalyKind.OUTLIER]).values_list(
            "account_id", flat=True
        ):
            jumps[account_id] += 1
        baseline = {a: jumps[a] for a in scores}
        positive, k = plan.planted, len(plan.planted)

        p_score, p_base = precision_at_k(scores, positive, k, rng), precision_at_k(baseline, positive, k, rng)
        a_score, a_base = auc(scores, positive), auc(baseline, positive)
        print(f"\n{'':38}{'risk score':>12}{'baseline':>12}{'ratio':>8}")
        print(
            f"{'precision of the top k (k = ' + str(k) + ')':38}{p_score:>12.3f}{p_base:>12.3f}{p_score / p_base:>8.2f}"
        )
        print(f"{'ROC AUC':38}{a_score:>12.3f}{a_base:>12.3f}{a_score / a_base:>8.2f}")
        print("baseline: rank by day-over-day follower anomalies alone (the check that existed before the score)")

        top = set(sorted(scores, key=lambda a: -scores[a])[:k])
        print("\nrecall of each planted kind in the top k:")
        for kind, ids in plan.kinds.items():
            print(f"  {kind:12} {len(ids & top)}/{len(ids)}")
        print(f"  organic accounts with a viral day in the top k: {len(viral & top)}/{len(viral)}")
        reasons = defaultdict(int)
        for signals in RiskScore.objects.filter(account__in=top).values_list("signals", flat=True):
            for s in signals:
                if s["contribution"] > 0:
                    reasons[s["signal"]] += 1
        print(
            "signals behind the top k: "
            + ", ".join(f"{s} {n}" for s, n in sorted(reasons.items(), key=lambda x: -x[1]))
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            with admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
