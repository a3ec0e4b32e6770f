"""Fill a ledger database by set-based SQL (``INSERT ... SELECT`` over ``generate_series``).

Shared by the load and scale benchmarks. One row per account per day of follower
snapshots, accounts spread two per influencer except influencer 1, the heavy one, who
has accounts 1-5 with a longer history. The rows bypass the journal: throw-away
benchmark data written by raw SQL, not through the models, whose captured changes are
dropped from the journal's queue. The caller then builds the history's index at once
(``manage.py reindex_history``), as after a restore.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sizes:
    influencers: int
    accounts: int
    days: int  # daily snapshots of every account
    heavy_days: int  # daily snapshots of the heavy influencer's 5 accounts
    quotes: int
    reviews: int


STEPS = [
    (
        "influencers",
        """INSERT INTO ledger_influencer (id, display_name, kind, legal_name, notes, created_at, updated_at)
           SELECT i, 'Bench blogger ' || i, 'person', '', '', now(), now()
           FROM generate_series(1, %(influencers)s) i""",
    ),
    (
        # Refreshed between 0 and 47 hours ago: with the default 24 h interval about half are due.
        "accounts",
        """INSERT INTO ledger_platformaccount (id, influencer_id, platform, handle, platform_uid, profile_url, status,
                                               follower_count, followers_captured_at, last_refreshed_at,
                                               created_at, updated_at)
           SELECT i, CASE WHEN i <= 5 THEN 1 ELSE 2 + (i - 6) %% (%(influencers)s - 1) END,
                  (ARRAY['douyin','kuaishou','weibo','bilibili','xiaohongshu'])[1 + i %% 5],
                  'bench_' || i, 'uid' || i, '', 'active',
                  1000 * i + 500 * %(days)s, timestamptz '2025-01-01 04:00:00+00' + %(days)s * interval '1 day',
                  now() - (i %% 48) * interval '1 hour' - (i %% 3600) * interval '1 second',
                  now() - interval '400 days', now()
           FROM generate_series(1, %(accounts)s) i""",
    ),
    (
        "snapshots",
        """INSERT INTO ledger_followersnapshot (account_id, captured_at, follower_count, source, recorded_at)
           SELECT a, timestamptz '2025-01-01 04:00:00+00' + d * interval '1 day',
                  1000 * a + 500 * d + (hashint4(a * 7919 + d) %% 200), 'import', now()
           FROM generate_series(6, %(accounts)s) a, generate_series(1, %(days)s) d""",
    ),
    (
        "heavy influencer's snapshots",
        """INSERT INTO ledger_followersnapshot (account_id, captured_at, follower_count, source, recorded_at)
           SELECT a, timestamptz '2025-01-01 04:00:00+00' + (d + %(days)s - %(heavy_days)s) * interval '1 day',
                  1000 * a + 500 * d + (hashint4(a * 7919 + d) %% 200), 'import', now()
           FROM generate_series(1, 5) a, generate_series(1, %(heavy_days)s) d""",
    ),
    (
        "quotes",
        """INSERT INTO pricing_ratequote (account_id, deliverable, tier_id, price, currency, price_kind, observed_on,
                                          source_url, notes, recorded_by, recorded_at)
           SELECT 1 + i %% %(accounts)s, 'short_video', t.id, 1000 + (hashint4(i) & 65535), 'CNY',
                  'marketplace_listing', date '2025-01-01' + (i %% %(days)s), '', '', 'command:bench', now()
           FROM generate_series(1, %(quotes)s) i
           JOIN pricing_durationtier t ON t.code = (ARRAY['s1_20','s21_60','s61_plus'])[1 + i %% 3]""",
    ),
    (
        "reviews",
        """INSERT INTO reviews_review (account_id, url, post_id, headline, text, published_at, stance, suspected_ai,
                                       undisclosed_ad, status, created_at, updated_at)
           SELECT 1 + i %% %(accounts)s, 'https://example.invalid/bench/' || i, 'p' || i, 'Bench review ' || i, '',
                  timestamptz '2025-01-01 07:00:00+00' + (i %% %(days)s) * interval '1 day',
                  'negative', false, false, 'live', now(), now()
           FROM generate_series(1, %(reviews)s) i""",
    ),
]
SEQUENCES = ["ledger_influencer", "ledger_platformaccount"]


def fill(cursor, sizes: Sizes, *, log=print) -> float:
    """Run every step on ``cursor`` (a Django or psycopg cursor); returns the seconds taken."""
    started = time.perf_counter()
    params = asdict(sizes)
    for name, sql in STEPS:
        step = time.perf_counter()
        cursor.execute(sql, params)
        log(f"  {name}: {cursor.rowcount:,} rows in {time.perf_counter() - step:.1f} s")
    for table in SEQUENCES:
        # table names from SEQUENCES above
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    cursor.execute("TRUNCATE ledger_journalqueue")  # the capture triggers queued the rows: throw-away data
    cursor.execute("ANALYZE")
    return time.perf_counter() - started
