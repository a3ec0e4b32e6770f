"""What each kind of file holds and how it is checked and written, in set-based SQL.

Every kind stages its rows in the TEMP table ``ingest_stage`` (one column per
file column, plus ``line``), then:

- ``check`` adds one row to the TEMP table ``ingest_error`` per problem that needs
  the database (an unknown account, target or tier);
- ``conflicts`` adds one per row the ledger already holds with other values (run after
  the write, only when some rows were not created, and not with ``update``);
- ``write`` turns the staged rows into ledger rows with ``INSERT ... SELECT``
  (``ON CONFLICT DO NOTHING`` skips rows the ledger already holds) and, with
  ``update``, ``UPDATE ... FROM`` for rows whose values differ.

Rows are matched by natural keys, never by database ids: an account by
``platform`` + ``platform_uid``, a target by its name path, a tier by code or seconds.
"""

# SQL here is built from model table names and column lists (constants); values are always parameters.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from ingest import values as v
from ledger.choices import AccountStatus, InfluencerKind, Platform, SnapshotSource
from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount
from pricing.choices import Deliverable, PriceKind
from pricing.currencies import CURRENCIES
from pricing.models import DurationTier, RateQuote
from pricing.services import quote_problems
from reviews.choices import ReviewStatus, Stance
from reviews.models import Review, Target


def _table(model: type[models.Model]) -> str:
    return model._meta.db_table


ACCOUNT, SNAPSHOT, INFLUENCER, AGENCY = (_table(m) for m in (PlatformAccount, FollowerSnapshot, Influencer, Agency))
REVIEW, TARGET, REVIEW_TARGET = _table(Review), _table(Target), Review.targets.through._meta.db_table
QUOTE, TIER = _table(RateQuote), _table(DurationTier)
QUOTE_KEY_CONSTRAINT = "quote_one_per_observation"
ACCOUNT_JOIN = f"JOIN {ACCOUNT} a ON a.platform = s.platform AND a.platform_uid = s.platform_uid"


@dataclass(frozen=True)
class Column:
    """One column of a kind's file: its staging type, its parser, and what a blank cell means."""

    name: str
    sql_type: str
    parse: v.Parser
    required: bool = False
    default: Any = None


@dataclass
class Written:
    """What a write did: rows created and updated, and the accounts whose data changed."""

    created: int = 0
    updated: int = 0
    account_ids: set[int] = field(default_factory=set)
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """A kind of file: its columns, its natural key, its checks and its write."""

    name: str
    permission: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    check: Callable[[Any], None]
    conflicts: Callable[[Any], None]
    write: Callable[[Any, bool, str], Written]
    formats: tuple[str, ...] = ("csv", "jsonl")
    row_check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None
    prepare: Callable[[Any], None] | None = None  # resolution run before the checks

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def error(cursor, column: str, message: str, select: str, params: tuple = ()) -> None:
    """Record one error per row of ``select`` (which yields ``line`` and the message's arguments).

    ``message`` is a PostgreSQL ``format()`` string (``%1$s``, ``%2$s``, ...).
    """
    cursor.execute(
        "INSERT INTO ingest_error (line, col, message) "
        f"SELECT e.line, %s, format(%s, VARIADIC e.args) FROM ({select}) e",
        [column, message, *params],
    )


def unknown_accounts(cursor) -> None:
    error(
        cursor,
        "platform_uid",
        _("No account with platform user id %1$s on %2$s."),
        f"SELECT s.line, ARRAY[s.platform_uid, s.platform] AS args FROM ingest_stage s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {ACCOUNT} a "
        "WHERE a.platform = s.platform AND a.platform_uid = s.platform_uid)",
    )


PLATFORM = Column("platform", "text", v.choice(Platform.values), required=True)
PLATFORM_UID = Column("platform_uid", "text", v.text(100), required=True)


# --- snapshots ------------------------------------------------------------------------


def _snapshot_conflicts(cursor) -> None:
    error(
        cursor,
        "follower_count",
        _("Conflict: the ledger already has a snapshot at this time with %1$s followers (source %2$s); "
          "use --update to replace it."),
        f"SELECT s.line, ARRAY[f.follower_count::text, f.source] AS args FROM ingest_stage s {ACCOUNT_JOIN} "
        f"JOIN {SNAPSHOT} f ON f.account_id = a.id AND f.captured_at = s.captured_at "
        "WHERE (f.follower_count, f.source) IS DISTINCT FROM (s.follower_count, s.source)",
    )  # fmt: skip


def _by_account(cursor, sql: str, params: tuple = ()) -> tuple[int, set[int]]:
    """Run a data-modifying ``sql`` that returns ``account_id``; (rows, accounts touched)."""
    cursor.execute(
        f"WITH changed AS ({sql} RETURNING account_id) SELECT account_id, count(*) FROM changed GROUP BY 1", params
    )
    found = cursor.fetchall()
    return sum(n for _, n in found), {account_id for account_id, _ in found}


def _snapshot_write(cursor, update: bool, actor: str) -> Written:
    written = Written()
    if update:
        written.updated, written.account_ids = _by_account(
            cursor,
            f"UPDATE {SNAPSHOT} f SET follower_count = s.follower_count, source = s.source "
            f"FROM ingest_stage s {ACCOUNT_JOIN} WHERE f.account_id = a.id AND f.captured_at = s.captured_at "
            "AND (f.follower_count, f.source) IS DISTINCT FROM (s.follower_count, s.source)",
        )
    written.created, created_for = _by_account(
        cursor,
        f"INSERT INTO {SNAPSHOT} (account_id, captured_at, follower_count, source, refresh_slot, recorded_at) "
        f"SELECT a.id, s.captured_at, s.follower_count, s.source, NULL, now() FROM ingest_stage s {ACCOUNT_JOIN} "
        "ON CONFLICT (account_id, captured_at) DO NOTHING",
    )
    written.account_ids |= created_for
    return written


SNAPSHOTS = Kind(
    name="snapshots",
    permission="ledger.add_followersnapshot",
    columns=(
        PLATFORM,
        PLATFORM_UID,
        Column("captured_at", "timestamptz", v.moment, required=True),
        Column("follower_count", "bigint", v.integer(0), required=True),
        Column("source", "text", v.choice(SnapshotSource.values), default=SnapshotSource.IMPORT.value),
    ),
    key=("platform", "platform_uid", "captured_at"),
    check=unknown_accounts,
    conflicts=_snapshot_conflicts,
    write=_snapshot_write,
)


# --- accounts (with influencers and agencies) -------------------------------------------

_NEW_ACCOUNT = (
    f"NOT EXISTS (SELECT 1 FROM {ACCOUNT} a WHERE a.platform = s.platform AND a.platform_uid = s.platform_uid)"
)
_ACCOUNT_VALUES = "(a.handle, a.profile_url, a.status) IS DISTINCT FROM (s.handle, s.profile_url, s.status)"


def _account_check(cursor) -> None:
    error(
        cursor,
        "influencer",
        _("%1$s influencers are named %2$s: add the account to one of them in the admin first."),
        f"SELECT s.line, ARRAY[count(*)::text, s.influencer] AS args FROM ingest_stage s "
        f"JOIN {INFLUENCER} i ON i.display_name = s.influencer WHERE {_NEW_ACCOUNT} "
        "GROUP BY s.line, s.influencer HAVING count(*) > 1",
    )
    error(
        cursor,
        "agency",
        _("%1$s agencies are named %2$s."),
        f"SELECT s.line, ARRAY[count(*)::text, s.agency] AS args FROM ingest_stage s "
        f"JOIN {AGENCY} g ON g.name = s.agency WHERE {_NEW_ACCOUNT} GROUP BY s.line, s.agency HAVING count(*) > 1",
    )


def _account_conflicts(cursor) -> None:
    error(
        cursor,
        "handle",
        _("Conflict: the ledger has this account as %1$s, %2$s, %3$s (handle, profile URL, status); "
          "use --update to replace them."),
        f"SELECT s.line, ARRAY[a.handle, a.profile_url, a.status] AS args FROM ingest_stage s {ACCOUNT_JOIN} "
        f"WHERE {_ACCOUNT_VALUES}",
    )  # fmt: skip


def _account_write(cursor, update: bool, actor: str) -> Written:
    written = Written()
    if update:
        cursor.execute(
            f"UPDATE {ACCOUNT} a SET handle = s.handle, profile_url = s.profile_url, status = s.status, "
            "updated_at = now() FROM ingest_stage s "
            f"WHERE a.platform = s.platform AND a.platform_uid = s.platform_uid AND {_ACCOUNT_VALUES}"
        )
        written.updated = cursor.rowcount
    # Agencies and influencers are created only for new accounts whose influencer is new.
    new_influencer = f"{_NEW_ACCOUNT} AND NOT EXISTS (SELECT 1 FROM {INFLUENCER} i WHERE i.display_name = s.influencer)"
    cursor.execute(
        f"INSERT INTO {AGENCY} (name, kind, uscc, created_at, updated_at) "
        "SELECT DISTINCT s.agency, 'mcn', '', now(), now() FROM ingest_stage s "
        f"WHERE s.agency <> '' AND {new_influencer} "
        f"AND NOT EXISTS (SELECT 1 FROM {AGENCY} g WHERE g.name = s.agency)"
    )
    written.extra["agencies_created"] = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {INFLUENCER} (display_name, kind, legal_name, agency_id, notes, created_at, updated_at) "
        "SELECT DISTINCT ON (s.influencer) s.influencer, s.influencer_kind, '', "
        f"(SELECT g.id FROM {AGENCY} g WHERE g.name = s.agency), '', now(), now() "
        f"FROM ingest_stage s WHERE {new_influencer} ORDER BY s.influencer, s.line"
    )
    written.extra["influencers_created"] = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {ACCOUNT} (influencer_id, platform, handle, platform_uid, profile_url, status, "
        "created_at, updated_at) "
        "SELECT i.id, s.platform, s.handle, s.platform_uid, s.profile_url, s.status, now(), now() "
        f"FROM ingest_stage s JOIN {INFLUENCER} i ON i.display_name = s.influencer WHERE {_NEW_ACCOUNT} "
        "ON CONFLICT (platform, platform_uid) DO NOTHING"
    )
    written.created = cursor.rowcount
    return written


ACCOUNTS = Kind(
    name="accounts",
    permission="ledger.add_platformaccount",
    columns=(
        PLATFORM,
        PLATFORM_UID,
        Column("handle", "text", v.text(200), required=True),
        Column("profile_url", "text", v.url(500), default=""),
        Column("status", "text", v.choice(AccountStatus.values), default=AccountStatus.ACTIVE.value),
        Column("influencer", "text", v.text(200), required=True),
        Column("influencer_kind", "text", v.choice(InfluencerKind.values), default=InfluencerKind.PERSON.value),
        Column("agency", "text", v.text(200), default=""),
    ),
    key=("platform", "platform_uid"),
    check=_account_check,
    conflicts=_account_conflicts,
    write=_account_write,
)


# --- reviews (with targets) -------------------------------------------------------------

_REVIEW_FIELDS = (
    "post_id", "headline", "text", "published_at", "duration_seconds", "stance", "suspected_ai", "undisclosed_ad",
    "views", "likes", "comments", "shares", "engagement_captured_at", "status",
)  # fmt: skip
_REVIEW_DIFFERS = (
    f"(r.account_id, {', '.join(f'r.{n}' for n in _REVIEW_FIELDS)}, "
    f"ARRAY(SELECT rt.target_id FROM {REVIEW_TARGET} rt WHERE rt.review_id = r.id ORDER BY 1)) IS DISTINCT FROM "
    f"(a.id, {', '.join(f's.{n}' for n in _REVIEW_FIELDS)}, "
    "ARRAY(SELECT DISTINCT t.target_id FROM ingest_stage_target t WHERE t.line = s.line AND t.target_id IS NOT NULL "
    "ORDER BY 1))"
)


def _review_prepare(cursor) -> None:
    """Resolve every target path of the file against the ledger's targets (one recursive query)."""
    cursor.execute(
        "CREATE TEMP TABLE ingest_stage_target AS "
        f"WITH RECURSIVE path (id, path) AS (SELECT id, name::text FROM {TARGET} WHERE parent_id IS NULL "
        f"UNION ALL SELECT t.id, p.path || ' > ' || t.name FROM {TARGET} t JOIN path p ON t.parent_id = p.id) "
        "SELECT s.line, x.path, path.id AS target_id FROM ingest_stage s "
        "CROSS JOIN LATERAL unnest(s.targets) AS x(path) LEFT JOIN path ON path.path = x.path"
    )
    cursor.execute("CREATE INDEX ON ingest_stage_target (line)")
    cursor.execute("ANALYZE ingest_stage_target")


def _review_check(cursor) -> None:
    unknown_accounts(cursor)
    error(
        cursor,
        "targets",
        _("No target %1$s (a target is named by its path, e.g. 蔚来 > ES6)."),
        "SELECT line, ARRAY[path] AS args FROM ingest_stage_target WHERE target_id IS NULL",
    )
    error(
        cursor,
        "post_id",
        _("The account already has post id %1$s, at %2$s."),
        f"SELECT s.line, ARRAY[s.post_id, r.url] AS args FROM ingest_stage s {ACCOUNT_JOIN} "
        f"JOIN {REVIEW} r ON r.account_id = a.id AND r.post_id = s.post_id WHERE s.post_id <> '' AND r.url <> s.url",
    )
    error(
        cursor,
        "post_id",
        _("Post id %1$s of this account is also on line %2$s."),
        "SELECT line, ARRAY[post_id, first_line::text] AS args FROM (SELECT line, post_id, "
        "min(line) OVER (PARTITION BY platform, platform_uid, post_id) AS first_line FROM ingest_stage "
        "WHERE post_id <> '') d WHERE line <> first_line",
    )


def _review_conflicts(cursor) -> None:
    error(
        cursor,
        "url",
        _("Conflict: the ledger already has review #%1$s at this URL with other values; "
          "use --update to replace them."),
        f"SELECT s.line, ARRAY[r.id::text] AS args FROM ingest_stage s {ACCOUNT_JOIN} "
        f"JOIN {REVIEW} r ON r.url = s.url WHERE {_REVIEW_DIFFERS}",
    )  # fmt: skip


def _review_links(cursor, pairs_sql: str, params: tuple = ()) -> None:
    """Link reviews without links (new, or whose links were just removed) to their staged targets.

    ``pairs_sql`` yields ``(id, line)`` of each review.
    """
    cursor.execute(
        f"INSERT INTO {REVIEW_TARGET} (review_id, target_id) SELECT DISTINCT c.id, t.target_id FROM ({pairs_sql}) c "
        "JOIN ingest_stage_target t ON t.line = c.line",
        params,
    )


def _review_write(cursor, update: bool, actor: str) -> Written:
    written = Written()
    if update:
        assignments = ", ".join(f"{n} = s.{n}" for n in _REVIEW_FIELDS)
        cursor.execute(
            f"UPDATE {REVIEW} r SET account_id = a.id, {assignments}, updated_at = now() "
            f"FROM ingest_stage s {ACCOUNT_JOIN} WHERE r.url = s.url AND {_REVIEW_DIFFERS} "
            "RETURNING r.id, r.account_id, s.line"
        )
        changed = cursor.fetchall()  # as many as the file changes: an --update of reviews replaces their targets
        ids, lines = [row[0] for row in changed], [row[2] for row in changed]
        cursor.execute(f"DELETE FROM {REVIEW_TARGET} WHERE review_id = ANY(%s)", [ids])
        _review_links(cursor, "SELECT * FROM unnest(%s::bigint[], %s::integer[]) AS c(id, line)", (ids, lines))
        written.updated, written.account_ids = len(changed), {row[1] for row in changed}
    columns = ", ".join(_REVIEW_FIELDS)
    cursor.execute("DROP TABLE IF EXISTS ingest_created")
    cursor.execute("CREATE TEMP TABLE ingest_created (id bigint, account_id bigint, url text)")
    cursor.execute(
        f"WITH changed AS (INSERT INTO {REVIEW} (account_id, url, {columns}, created_at, updated_at) "
        f"SELECT a.id, s.url, {', '.join(f's.{n}' for n in _REVIEW_FIELDS)}, now(), now() "
        f"FROM ingest_stage s {ACCOUNT_JOIN} ON CONFLICT (url) DO NOTHING RETURNING id, account_id, url) "
        "INSERT INTO ingest_created SELECT * FROM changed"
    )
    written.created = cursor.rowcount
    cursor.execute("ANALYZE ingest_created")
    _review_links(cursor, "SELECT c.id, s.line FROM ingest_created c JOIN ingest_stage s ON s.url = c.url")
    cursor.execute("SELECT DISTINCT account_id FROM ingest_created")
    written.account_ids |= {row[0] for row in cursor.fetchall()}
    cursor.execute("DROP TABLE ingest_created")
    return written


def _review_row_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["engagement_captured_at"] is None and any(row[n] is not None for n in Review.ENGAGEMENT_FIELDS):
        return [("engagement_captured_at", _("Engagement counts need the time they were captured."))]
    return []


def _count(name: str) -> Column:
    return Column(name, "bigint", v.integer(0))


REVIEWS = Kind(
    name="reviews",
    permission="reviews.add_review",
    columns=(
        PLATFORM,
        PLATFORM_UID,
        Column("url", "text", v.url(1000), required=True),
        Column("post_id", "text", v.text(200), default=""),
        Column("headline", "text", v.text(500), required=True),
        Column("text", "text", v.text(1_000_000), default=""),
        Column("published_at", "timestamptz", v.moment, required=True),
        Column("duration_seconds", "integer", v.integer(1)),
        Column("targets", "text[]", v.target_paths, default=[]),
        Column("stance", "text", v.choice(Stance.values), default=Stance.NEGATIVE.value),
        Column("suspected_ai", "boolean", v.boolean, default=False),
        Column("undisclosed_ad", "boolean", v.boolean, default=False),
        *(_count(name) for name in Review.ENGAGEMENT_FIELDS),
        Column("engagement_captured_at", "timestamptz", v.moment),
        Column("status", "text", v.choice(ReviewStatus.values), default=ReviewStatus.LIVE.value),
    ),
    key=("url",),
    check=_review_check,
    conflicts=_review_conflicts,
    write=_review_write,
    row_check=_review_row_check,
    prepare=_review_prepare,
)


# --- quotes -------------------------------------------------------------------------------

_QUOTE_KEY_JOIN = (
    f"JOIN {QUOTE} q ON q.account_id = a.id AND q.deliverable = s.deliverable AND q.tier_id IS NOT DISTINCT FROM "
    "s.tier_id AND q.price_kind = s.price_kind AND q.observed_on = s.observed_on AND q.source_url = s.source_url"
)
_QUOTE_DIFFERS = (
    "(q.price, q.currency, q.valid_until, q.notes) IS DISTINCT FROM (s.price, s.currency, s.valid_until, s.notes)"
)


def _quote_prepare(cursor) -> None:
    """Resolve each row's tier, given by code (s21_60) or by a length in seconds (45)."""
    cursor.execute("ALTER TABLE ingest_stage ADD COLUMN tier_id bigint")
    cursor.execute(
        f"UPDATE ingest_stage s SET tier_id = t.id FROM {TIER} t WHERE t.code = s.tier "
        "OR (s.tier ~ '^[0-9]{1,9}$' AND s.tier::integer >= t.min_seconds "
        "AND (t.max_seconds IS NULL OR s.tier::integer <= t.max_seconds))"
    )


def _quote_check(cursor) -> None:
    unknown_accounts(cursor)
    error(
        cursor,
        "tier",
        _("Unknown tier %1$s (give a tier code, e.g. s21_60, or a length in seconds)."),
        "SELECT line, ARRAY[tier] AS args FROM ingest_stage WHERE tier <> '' AND tier_id IS NULL",
    )


def _quote_conflicts(cursor) -> None:
    error(
        cursor,
        "price",
        _("Conflict: the ledger already has this observation (quote #%1$s) at %2$s %3$s; "
          "use --update to replace it."),
        f"SELECT s.line, ARRAY[q.id::text, q.price::text, q.currency] AS args FROM ingest_stage s {ACCOUNT_JOIN} "
        f"{_QUOTE_KEY_JOIN} WHERE {_QUOTE_DIFFERS}",
    )  # fmt: skip


def _quote_write(cursor, update: bool, actor: str) -> Written:
    written = Written()
    if update:
        written.updated, written.account_ids = _by_account(
            cursor,
            f"UPDATE {QUOTE} q SET price = s.price, currency = s.currency, valid_until = s.valid_until, "
            f"notes = s.notes FROM ingest_stage s {ACCOUNT_JOIN} "
            f"WHERE q.account_id = a.id AND q.deliverable = s.deliverable AND q.tier_id IS NOT DISTINCT FROM s.tier_id "
            "AND q.price_kind = s.price_kind AND q.observed_on = s.observed_on AND q.source_url = s.source_url "
            f"AND {_QUOTE_DIFFERS}",
        )
    written.created, created_for = _by_account(
        cursor,
        f"INSERT INTO {QUOTE} (account_id, deliverable, tier_id, price, currency, price_kind, observed_on, "
        "valid_until, source_url, notes, recorded_by, recorded_at) "
        "SELECT a.id, s.deliverable, s.tier_id, s.price, s.currency, s.price_kind, s.observed_on, s.valid_until, "
        f"s.source_url, s.notes, %s, now() FROM ingest_stage s {ACCOUNT_JOIN} "
        f"ON CONFLICT ON CONSTRAINT {QUOTE_KEY_CONSTRAINT} DO NOTHING",
        (actor,),
    )
    written.account_ids |= created_for
    return written


_SOME_TIER = object()  # quote_problems only asks whether a tier is given; the tier itself is resolved in SQL


def _quote_row_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    return quote_problems(
        deliverable=row["deliverable"],
        tier=_SOME_TIER if row["tier"] else None,
        price=row["price"],
        currency=row["currency"],
        price_kind=row["price_kind"],
        observed_on=row["observed_on"],
        valid_until=row["valid_until"],
        source_url=row["source_url"],
    )


QUOTES = Kind(
    name="quotes",
    permission="pricing.add_ratequote",
    columns=(
        PLATFORM,
        PLATFORM_UID,
        Column("deliverable", "text", v.choice(Deliverable.values), required=True),
        Column("tier", "text", v.text(30), default=""),
        Column("price", "numeric", v.decimal, required=True),
        Column("currency", "text", v.choice(sorted(CURRENCIES)), default="CNY"),
        Column("price_kind", "text", v.choice(PriceKind.values), required=True),
        Column("observed_on", "date", v.day, required=True),
        Column("valid_until", "date", v.day),
        Column("source_url", "text", v.text(1000), default=""),
        Column("notes", "text", v.spreadsheet_text(1_000_000), default=""),
    ),
    key=("platform", "platform_uid", "deliverable", "tier_id", "price_kind", "observed_on", "source_url"),
    check=_quote_check,
    conflicts=_quote_conflicts,
    write=_quote_write,
    formats=("csv", "jsonl", "xlsx"),
    row_check=_quote_row_check,
    prepare=_quote_prepare,
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (ACCOUNTS, SNAPSHOTS, REVIEWS, QUOTES)}
