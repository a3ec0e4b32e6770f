"""Benchmark: an influencer's history endpoint against a hand-written SQL query fetching the same rows.

Creates a fresh PostgreSQL database (``ledger_bench_history``, or ``BENCH_DB``; dropped
at the end unless ``BENCH_KEEP=1``; ``BENCH_REUSE=1`` measures again in a database kept
that way, without refilling it) and fills it in the database itself (``INSERT ... SELECT``
over ``generate_series``: multi-row inserts, no round trip per row) with

- 50,000 influencers and 100,000 accounts (the heavy influencer has 5 of them),
- 3 years of daily follower snapshots for 1,000 accounts (the heavy one's 5 among them),
- 200,000 rate quotes, and, when the reviews app's tables exist, 50,000 reviews (with
  1,000 claims, most of them with a verdict) and 5,008 suspected orders (with a status
  change and a payment each; 8 of them the heavy influencer's),

then measures in one run the first page of ``GET /api/v1/influencers/{id}/history/``
(default page size, weekly follower changes, every kind: a superuser) through
Django's full request stack with a Bearer token, and a hand-written SQL query
(window functions) returning the same rows, checks that both give the same
events, and prints p50/p95 of each and their ratio.

The bulk rows bypass the journal: they are written by raw SQL and their queued
changes are dropped, because this is throw-away benchmark data (so ``verify_journal``
has nothing to say about them); the history's index is then rebuilt from them at once
(what ``manage.py reindex_history`` does; its time is printed). The handful of account
status changes, the case and the legal action of the heavy influencer go through the
models, are journaled and reach the index through the journal's change feed.

    make bench-history
    BENCH_RUNS=200 .venv/bin/python bench/history.py
    BENCH_KEEP=1 .venv/bin/python bench/history.py    # fill once, keep the database
    BENCH_REUSE=1 .venv/bin/python bench/history.py   # measure again without refilling
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import server_url  # noqa: E402 - after the path is set

PG = server_url()
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_history")
RUNS = int(os.environ.get("BENCH_RUNS", "100"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
REUSE = os.environ.get("BENCH_REUSE") == "1"
INFLUENCERS, ACCOUNTS, SNAPSHOT_ACCOUNTS, DAYS = 50_000, 100_000, 1_000, 3 * 365
QUOTES, REVIEWS, ORDERS = 200_000, 50_000, 5_000

ENV = {
    **os.environ,
    "DEBUG": "0",  # no query log: measure what production runs
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "LOG_LEVEL": "WARNING",
    "LOG_REQUESTS_LEVEL": "WARNING",  # no line per request in the figures
}

# Accounts 1-5 belong to influencer 1 (the heavy one); the others are spread two per influencer.
FILL = [
    (
        "influencers",
        """INSERT INTO ledger_influencer (id, display_name, kind, legal_name, notes, created_at, updated_at)
           SELECT i, 'Bench blogger ' || i, 'person', '', '', now(), now()
           FROM generate_series(1, %(influencers)s) i""",
    ),
    (
        "accounts",
        """INSERT INTO ledger_platformaccount (id, influencer_id, platform, handle, platform_uid, profile_url, status,
                                               created_at, updated_at)
           SELECT i, CASE WHEN i <= 5 THEN 1 ELSE 2 + (i - 6) %% (%(influencers)s - 1) END,
                  (ARRAY['douyin','kuaishou','weibo','bilibili','xiaohongshu'])[1 + i %% 5],
                  'bench_' || i, 'uid' || i, '', 'active', now(), now()
           FROM generate_series(1, %(accounts)s) i""",
    ),
    (
        "snapshots",
        """INSERT INTO ledger_followersnapshot (account_id, captured_at, follower_count, source, recorded_at)
           SELECT a, timestamptz '2022-09-13 04:00:00+00' + d * interval '1 day',
                  100000 * a + 500 * d + (hashint4(a * 7919 + d) %% 2000), 'import', now()
           FROM generate_series(1, %(snapshot_accounts)s) a, generate_series(0, %(days)s) d""",
    ),
    (
        "account follower figures",
        """UPDATE ledger_platformaccount p SET follower_count = s.follower_count, followers_captured_at = s.captured_at
           FROM (SELECT DISTINCT ON (account_id) account_id, follower_count, captured_at
                 FROM ledger_followersnapshot ORDER BY account_id, captured_at DESC) s
           WHERE s.account_id = p.id""",
    ),
    (
        "anomalies",
        """INSERT INTO ledger_followeranomaly (account_id, snapshot_id, previous_snapshot_id, kind, detected_at, change,
                                               change_per_day, reason)
           SELECT s.account_id, s.id, p.id, 'jump', now(), s.follower_count - p.follower_count, 0.12,
                  'bench: +12.0%% per day'
           FROM ledger_followersnapshot s
           JOIN ledger_followersnapshot p
             ON p.account_id = s.account_id AND p.captured_at = s.captured_at - interval '1 day'
           WHERE s.account_id <= 5 AND extract(doy FROM s.captured_at)::int %% 97 = 0""",
    ),
    (
        "quotes",
        """INSERT INTO pricing_ratequote (account_id, deliverable, tier_id, price, currency, price_kind, observed_on,
                                          source_url, notes, recorded_by, recorded_at)
           SELECT 1 + i %% %(accounts)s, 'short_video', t.id, 1000 + (hashint4(i) & 65535), 'CNY',
                  'marketplace_listing', date '2022-09-13' + (i %% %(days)s), '', '', 'command:bench', now()
           FROM generate_series(1, %(quotes)s) i
           JOIN pricing_durationtier t ON t.code = (ARRAY['s1_20','s21_60','s61_plus'])[1 + i %% 3]""",
    ),
]
# Filled only when the reviews app's tables exist (after its merge); column names as in reviews/models.py.
FILL_REVIEWS = [
    (
        "reviews",
        """INSERT INTO reviews_review (account_id, url, post_id, headline, text, published_at, stance, suspected_ai,
                                       undisclosed_ad, status, created_at, updated_at)
           SELECT 1 + i %% %(accounts)s, 'https://example.invalid/bench/' || i, 'p' || i, 'Bench review ' || i, '',
                  timestamptz '2022-09-13 04:00:00+00' + (i %% %(days)s) * interval '1 day', 'negative', false, false,
                  'live', now(), now()
           FROM generate_series(1, %(reviews)s) i""",
    ),
    (
        "orders",
        """INSERT INTO reviews_order (account_id, client_name, deliverable, tier_id, agreed_price, currency,
                                      ordered_on, notes, status, created_at, updated_at)
           SELECT 1 + i * 19 %% %(accounts)s, 'Bench client', 'short_video', t.id, 50000 + i, 'CNY',
                  date '2022-09-13' + (i %% %(days)s), '', 'under_review', now(), now()
           FROM generate_series(1, %(orders)s) i JOIN pricing_durationtier t ON t.code = 's21_60'""",
    ),
    (
        # A few of the heavy influencer's own (the spread above gives its accounts none), early in its timeline.
        "heavy influencer's orders",
        """INSERT INTO reviews_order (account_id, client_name, deliverable, tier_id, agreed_price, currency,
                                      ordered_on, notes, status, created_at, updated_at)
           SELECT 1 + i %% 5, 'Bench client', 'short_video', t.id, 40000 + i, 'CNY',
                  date '2022-09-13' + 5 * i, '', 'under_review', now(), now()
           FROM generate_series(1, 8) i JOIN pricing_durationtier t ON t.code = 's1_20'""",
    ),
    (
        "order status changes",
        """INSERT INTO reviews_orderstatuschange (order_id, from_status, to_status, reason, actor, changed_at)
           SELECT id, 'reported', 'under_review', 'bench', 'command:bench',
                  (ordered_on + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours' FROM reviews_order""",
    ),
    (
        "payments",
        """INSERT INTO reviews_payment (order_id, amount, currency, paid_on, channel, payer_name, payee_name, reference,
                                         created_at)
           SELECT id, agreed_price, currency, ordered_on + 3, 'bank_transfer', '', '', '', now() FROM reviews_order""",
    ),
    (
        "claims",
        """INSERT INTO reviews_claim (id, text, verdict, verdict_on, verdict_by, verdict_url, created_at, updated_at)
           SELECT r.id, 'Bench claim ' || r.id, CASE WHEN r.id %% 100 = 1 THEN 'pending' ELSE 'false' END,
                  CASE WHEN r.id %% 100 = 1 THEN NULL ELSE (r.published_at)::date + 7 END,
                  CASE WHEN r.id %% 100 = 1 THEN '' ELSE 'Bench fact-checker' END, '', now(), now()
           FROM reviews_review r WHERE r.id %% 50 = 1 OR r.account_id <= 5""",
    ),
    (
        "claims made by reviews",
        """INSERT INTO reviews_claim_reviews (claim_id, review_id) SELECT id, id FROM reviews_claim""",
    ),
]
SEQUENCES = ["ledger_influencer", "ledger_platformaccount"]
SEQUENCES_REVIEWS = ["reviews_claim"]
# The kinds RAW_SQL fetches: every kind; the endpoint is asked for the same ones.
RAW_KINDS = [
    "follower_change",
    "account_status",
    "anomaly",
    "quote",
    "review",
    "claim_verdict",
    "order",
    "order_status",
    "payment",
    "case_opened",
    "case_status",
    "legal_action",
]

# The same rows as the endpoint's first page, written by hand: weekly follower changes by window
# functions, then every other kind, for influencer %(influencer)s's accounts, oldest first.
RAW_SQL = """
WITH accounts AS (SELECT id FROM ledger_platformaccount WHERE influencer_id = %(influencer)s),
snapshots AS (
    SELECT id, account_id, captured_at, follower_count,
           date_trunc('week', captured_at AT TIME ZONE 'Asia/Shanghai') AS period,
           row_number() OVER (PARTITION BY account_id, date_trunc('week', captured_at AT TIME ZONE 'Asia/Shanghai')
                              ORDER BY captured_at DESC) AS rn
    FROM ledger_followersnapshot WHERE account_id IN (SELECT id FROM accounts)
)
SELECT * FROM (
    SELECT captured_at AS at, 0 AS kind, id, account_id, NULL::text AS label,
           follower_count AS number,
           follower_count - lag(follower_count) OVER (PARTITION BY account_id ORDER BY period) AS delta,
           NULL::numeric AS amount
    FROM snapshots WHERE rn = 1
    UNION ALL
    SELECT occurred_at, 1, seq, object_id::bigint, changes -> 'status' ->> 'after', NULL, NULL, NULL
    FROM ledger_journalentry
    WHERE object_type = 'ledger.platformaccount' AND action = 'update' AND changes ? 'status'
      AND object_id IN (SELECT id::text FROM accounts)
    UNION ALL
    SELECT s.captured_at, 2, a.id, a.account_id, a.kind, NULL, a.change, NULL
    FROM ledger_followeranomaly a JOIN ledger_followersnapshot s ON s.id = a.snapshot_id
    WHERE a.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT observed_on::timestamp AT TIME ZONE 'Asia/Shanghai', 3, q.id, q.account_id, q.deliverable, NULL, NULL, price
    FROM pricing_ratequote q WHERE q.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT published_at, 4, r.id, r.account_id, r.headline, NULL, NULL, NULL
    FROM reviews_review r WHERE r.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT verdict_on::timestamp AT TIME ZONE 'Asia/Shanghai', 5, c.id,
           (SELECT r.account_id FROM reviews_claim_reviews cr JOIN reviews_review r ON r.id = cr.review_id
            WHERE cr.claim_id = c.id AND r.account_id IN (SELECT id FROM accounts)
            ORDER BY r.published_at, r.id LIMIT 1), c.verdict, NULL, NULL, NULL
    FROM reviews_claim c
    WHERE c.verdict_on IS NOT NULL AND c.verdict <> 'pending'
      AND EXISTS (SELECT 1 FROM reviews_claim_reviews cr JOIN reviews_review r ON r.id = cr.review_id
                  WHERE cr.claim_id = c.id AND r.account_id IN (SELECT id FROM accounts))
    UNION ALL
    SELECT ordered_on::timestamp AT TIME ZONE 'Asia/Shanghai', 6, o.id, o.account_id, o.deliverable, NULL, NULL,
           o.agreed_price
    FROM reviews_order o WHERE o.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT s.changed_at, 7, s.id, o.account_id, s.to_status, NULL, NULL, NULL
    FROM reviews_orderstatuschange s JOIN reviews_order o ON o.id = s.order_id
    WHERE o.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT p.paid_on::timestamp AT TIME ZONE 'Asia/Shanghai', 8, p.id, o.account_id, p.channel, NULL, NULL, p.amount
    FROM reviews_payment p JOIN reviews_order o ON o.id = p.order_id
    WHERE o.account_id IN (SELECT id FROM accounts)
    UNION ALL
    SELECT opened_on::timestamp AT TIME ZONE 'Asia/Shanghai', 9, c.id, NULL, c.reference, NULL, NULL, NULL
    FROM cases_case c
    WHERE EXISTS (SELECT 1 FROM cases_case_influencers i WHERE i.case_id = c.id AND i.influencer_id = %(influencer)s)
       OR EXISTS (SELECT 1 FROM cases_case_accounts a
                  WHERE a.case_id = c.id AND a.platformaccount_id IN (SELECT id FROM accounts))
    UNION ALL
    SELECT changed_at, 10, s.id, NULL, s.to_status, NULL, NULL, NULL
    FROM cases_casestatuschange s JOIN cases_case_influencers i ON i.case_id = s.case_id
    WHERE i.influencer_id = %(influencer)s
    UNION ALL
    SELECT coalesce(filed_on::timestamp AT TIME ZONE 'Asia/Shanghai', l.created_at), 11, l.id, NULL, l.kind, NULL,
           NULL, l.amount
    FROM cases_legalaction l
    WHERE EXISTS (SELECT 1 FROM cases_legalaction_defendant_influencers d
                  WHERE d.legalaction_id = l.id AND d.influencer_id = %(influencer)s)
) events
ORDER BY at, kind, id
LIMIT %(limit)s
"""


def run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, env=ENV, check=True)  # noqa: S603


def admin_connection():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def database_exists() -> bool:
    with admin_connection() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None


def fresh_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    run("manage.py", "migrate", "-v0")


def fill() -> None:
    """Bulk rows by raw SQL (journal bypassed: throw-away data), then the heavy influencer's journaled events."""
    from django.db import connection, transaction

    from core.journal import QUEUE_TABLE

    sizes = {
        "influencers": INFLUENCERS,
        "accounts": ACCOUNTS,
        "snapshot_accounts": SNAPSHOT_ACCOUNTS,
        "days": DAYS,
        "quotes": QUOTES,
        "reviews": REVIEWS,
        "orders": ORDERS,
    }
    tables = set(connection.introspection.table_names())
    reviews = "reviews_order" in tables
    steps = FILL + (FILL_REVIEWS if reviews else [])
    if "reviews_order" not in tables:
        print("  (no reviews tables in this build: reviews and orders are not filled)")
    with connection.cursor() as cursor:
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql, sizes)
            print(f"  {name}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        for table in SEQUENCES + (SEQUENCES_REVIEWS if reviews else []):
            # table names from SEQUENCES above
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            cursor.execute(sql)
        # Throw-away data: out of the journal's queue (the capture triggers queued it), then into the
        # history's index at once, as ``reindex_history`` does after a restore.
        cursor.execute(f"TRUNCATE {QUEUE_TABLE}")
    from core.history import timelines

    started = time.perf_counter()
    for timeline in timelines():
        rows = sum(timeline.reindex().values())
    print(f"  history index rebuilt (reindex_history): {rows:,} rows in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT pg_total_relation_size('core_timelineevent'), (SELECT sum(pg_total_relation_size(inhrelid))::bigint"
            " FROM pg_inherits WHERE inhparent = 'ledger_followersnapshot'::regclass)"
        )
        index_bytes, snapshot_bytes = cursor.fetchone()
    print(
        f"  on disk, with their indexes: the history's index {index_bytes / 2**20:,.0f} MiB,"
        f" the snapshots {snapshot_bytes / 2**20:,.0f} MiB"
    )

    from datetime import date

    from cases.models import Authority, Case, LegalAction
    from cases.services import case_transition
    from core import journal
    from ledger.models import Influencer, PlatformAccount

    with journal.acting_as("command:bench_history"), transaction.atomic():
        for status in ("suspended", "active", "banned"):
            account = PlatformAccount.objects.get(pk=3)
            account.status = status
            account.save()
        case = Case.objects.create(
            reference="CAC-2025-0001",
            title="Bench case",
            authority=Authority.objects.create(name="Bench authority", kind="regulator"),
            opened_on=date(2024, 5, 1),
        )
        case.influencers.add(1)
        case_transition(case=case, status="investigating", reason="bench")
        action = LegalAction.objects.create(kind="lawsuit", plaintiff="Bench carmaker", filed_on=date(2024, 6, 1))
        action.defendant_influencers.add(Influencer.objects.get(pk=1))


def timed(fn, runs: int) -> tuple[list[float], object]:
    result = fn()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def percentile(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


def measure() -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from knox.models import AuthToken

    from ledger.history import influencer_history

    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.invalid", secrets.token_urlsafe(16)
    )
    _, token = AuthToken.objects.create(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    limit = settings.REST_FRAMEWORK["PAGE_SIZE"]

    def endpoint():
        response = client.get("/api/v1/influencers/1/history/", {"kinds": ",".join(RAW_KINDS)})
        if response.status_code != 200:
            raise RuntimeError(f"history answered {response.status_code}: {response.content[:300]!r}")
        return response.json()["results"]

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"influencer": 1, "limit": limit})
            return cursor.fetchall()

    # Where the endpoint's time goes: the one query on the history's index, run alone as the endpoint sends it.
    from django.test.utils import CaptureQueriesContext

    endpoint()  # the first request integrates the journaled part of the fill into the index
    with CaptureQueriesContext(connection) as captured:
        endpoint()
    (index_sql,) = [q["sql"] for q in captured.captured_queries if 'FROM "core_timelineevent"' in q["sql"]]

    def index_query():
        with connection.cursor() as cursor:
            cursor.execute(index_sql)
            return cursor.fetchall()

    api_ms, events = timed(endpoint, RUNS)
    raw_ms, rows = timed(raw, RUNS)
    index_ms, _ = timed(index_query, RUNS)
    api_keys = [(e["kind"], e["object_id"], e["account"], datetime.fromisoformat(e["occurred_at"])) for e in events]
    raw_keys = [
        (influencer_history.kind_of_rank[kind], object_id, account, at) for at, kind, object_id, account, *_ in rows
    ]
    if api_keys != raw_keys:
        raise RuntimeError(f"the endpoint and the SQL disagree:\n{api_keys[:5]}\n{raw_keys[:5]}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_followersnapshot WHERE account_id IN (1, 2, 3, 4, 5)")
        (heavy_snapshots,) = cursor.fetchone()

    api50, api95 = statistics.median(api_ms), percentile(api_ms, 95)
    raw50, raw95 = statistics.median(raw_ms), percentile(raw_ms, 95)
    print(f"heavy influencer: 5 accounts, {heavy_snapshots:,} daily snapshots; first page of {len(events)} events")
    print("  kinds on the page: " + ", ".join(f"{k} {n}" for k, n in Counter(e["kind"] for e in events).items()))
    print(f"endpoint (GET .../history/, full Django stack): p50 {api50:.1f} ms  p95 {api95:.1f} ms  ({RUNS} runs)")
    print(f"  of which: the query on the history's index alone p50 {statistics.median(index_ms):.1f} ms")
    print(f"hand-written SQL (same rows):                 p50 {raw50:.1f} ms  p95 {raw95:.1f} ms  ({RUNS} runs)")
    print(f"ratio: {api50 / raw50:.2f}")


def measure_writes() -> None:
    """What keeping the index current costs a write: one new snapshot for each of 1,000 accounts with three
    years of daily snapshots (a refresh round), sequenced with and without the index (rolled back)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core import history, journal

    def round_of_snapshots(index: bool) -> float:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_followersnapshot (account_id, captured_at, follower_count, source, recorded_at)"
                    " SELECT a, %s, 1, 'refresh', now() FROM generate_series(1, %s) a",
                    [timezone.now(), SNAPSHOT_ACCOUNTS],
                )
            if not index:
                journal._consumers.remove(history._index_changes)
            try:
                started = time.perf_counter()
                journal.integrate()
                return (time.perf_counter() - started) * 1000
            finally:
                journal.on_integrate(history._index_changes)
                transaction.set_rollback(True)

    runs = 5
    with_index = [round_of_snapshots(True) for _ in range(runs)]
    without = [round_of_snapshots(False) for _ in range(runs)]
    on, off = statistics.median(with_index), statistics.median(without)
    print(
        f"a refresh round ({SNAPSHOT_ACCOUNTS:,} new snapshots) sequenced: p50 {on:.0f} ms with the history's index,"
        f" {off:.0f} ms without ({runs} runs each): the index costs {(on - off) / SNAPSHOT_ACCOUNTS:.1f} ms"
        " per refreshed account"
    )


def main() -> None:
    reuse = REUSE and database_exists()
    print(f"{'reusing' if reuse else 'setting up'}: database {DB_NAME}", flush=True)
    if not reuse:
        fresh_database()
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if not reuse:
        started = time.perf_counter()
        fill()
        print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
    try:
        measure()
        measure_writes()
    finally:
        from django.db import connections

        connections.close_all()
        if not (KEEP or REUSE):
            with admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
