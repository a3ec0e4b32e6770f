"""The journal: one entry per change from every write path, a verifiable chain, append-only storage."""

import threading
from datetime import UTC, datetime
from io import StringIO

import pytest
from celery import shared_task
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from core import journal
from core.models import JournalEntry
from ledger.models import Agency, Influencer
from ledger.services import snapshot_record
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory, make_uscc

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[JournalEntry]:
    journal.integrate()
    return list(JournalEntry.objects.filter(object_type=journal.object_type(type(obj)), object_id=str(obj.pk)))


# --- what is recorded -----------------------------------------------------------


def test_create_update_delete_are_recorded_with_before_and_after():
    agency = AgencyFactory(name="Xingchi", uscc="")
    agency.name = "Xingchi Media"
    agency.save()
    agency_id = agency.pk
    agency.delete()
    journal.integrate()
    created, updated, deleted = JournalEntry.objects.filter(object_type="ledger.agency", object_id=str(agency_id))
    assert created.action == "create" and created.changes["name"] == {"before": None, "after": "Xingchi"}
    assert updated.action == "update"
    assert updated.changes["name"] == {"before": "Xingchi", "after": "Xingchi Media"}
    assert set(updated.changes) == {"name", "updated_at"}  # only what changed
    assert deleted.action == "delete" and deleted.changes["name"] == {"before": "Xingchi Media", "after": None}
    assert [e.seq for e in (created, updated, deleted)] == [1, 2, 3]
    assert updated.prev_hash == created.hash and deleted.prev_hash == updated.hash
    assert created.prev_hash == journal.GENESIS_HASH


def test_a_save_that_changes_nothing_writes_no_entry():
    agency = AgencyFactory()
    journal.integrate()
    before = JournalEntry.objects.count()
    agency.save()
    journal.integrate()
    assert JournalEntry.objects.count() == before


def test_a_rolled_back_change_leaves_no_entry_and_no_gap():
    AgencyFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        AgencyFactory()
        raise RuntimeError("abort")
    AgencyFactory()
    journal.integrate()
    assert list(JournalEntry.objects.values_list("seq", flat=True)) == [1, 2]
    assert journal.verify().ok


def test_every_write_path_is_journaled_by_the_database():
    """GIVEN writes that send no model signal (bulk_create, QuerySet.update, raw SQL, COPY)
    WHEN the queue is integrated THEN each changed row has its entry, raw SQL attributed to the database role."""
    made = Agency.objects.bulk_create([Agency(name=f"Bulk {i}") for i in range(3)])
    Agency.objects.filter(pk__in=[a.pk for a in made]).update(kind="broker")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('ledger.actor', '', true)")  # as a session outside the application
        cursor.execute("UPDATE ledger_agency SET name = 'Raw' WHERE id = %s", [made[0].pk])
        with cursor.cursor.copy(
            "COPY ledger_agency (name, kind, uscc, search_initials, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write_row(["Copied", "mcn", "", "copied", "2025-09-12T00:00:00+00:00", "2025-09-12T00:00:00+00:00"])
    journal.integrate()
    entries = list(JournalEntry.objects.filter(object_type="ledger.agency").order_by("seq"))
    assert [e.action for e in entries] == ["create"] * 3 + ["update"] * 3 + ["update", "create"]
    assert entries[3].changes["kind"] == {"before": "mcn", "after": "broker"}
    assert entries[6].changes["name"] == {"before": "Bulk 0", "after": "Raw"}
    assert entries[6].actor == entries[7].actor == "sql:postgres"
    assert entries[7].changes["name"] == {"before": None, "after": "Copied"}
    assert journal.verify().ok
    assert [m for m in journal.verify_rows() if m.table != "pricing_durationtier"] == []  # tiers: migration data


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_are_journaled_too():
    """GIVEN autocommit (no transaction.atomic) WHEN a journaled model is saved THEN it is journaled, with its actor."""
    assert not connection.in_atomic_block
    with journal.acting_as("command:autocommit"):
        agency = Agency.objects.create(name="No transaction")
    journal.integrate()
    (entry,) = JournalEntry.objects.filter(object_type="ledger.agency", object_id=str(agency.pk))
    assert (entry.action, entry.actor) == ("create", "command:autocommit")


def test_times_and_counts_are_stored_in_a_stable_form():
    account = AccountFactory()

    snapshot_record(account=account, captured_at=datetime(2025, 9, 12, 4, tzinfo=UTC), follower_count=600_000)
    update = entries_for(account)[-1]
    assert update.changes["followers_captured_at"] == {"before": None, "after": "2025-09-12T04:00:00.000000+00:00"}
    assert update.changes["follower_count"] == {"before": None, "after": 600_000}


# --- who did it: every write path -----------------------------------------------


def test_api_write_is_attributed_to_the_token_user(api, regulator):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=regulator)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post("/api/v1/agencies/", {"name": "Via API", "kind": "mcn"})
    assert response.status_code == 201
    journal.integrate()
    (entry,) = JournalEntry.objects.filter(object_type="ledger.agency", object_id=str(response.data["id"]))
    assert entry.actor == f"user:{regulator.username}"


def test_admin_write_is_attributed_to_the_admin_user(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:ledger_agency_add"), {"name": "Via admin", "kind": "broker", "uscc": ""})
    assert response.status_code == 302
    agency = Agency.objects.get(name="Via admin")
    assert [e.actor for e in entries_for(agency)] == [f"user:{superuser.username}"]


def test_command_write_is_attributed_to_the_command():
    call_command("seed_demo", stdout=StringIO())
    journal.integrate()
    actors = set(JournalEntry.objects.values_list("actor", flat=True))
    assert actors == {"command:seed_demo"}
    journal.integrate()
    assert JournalEntry.objects.filter(object_type="ledger.followersnapshot", action="create").count() > 1000


@shared_task(name="tests.create_agency")
def create_agency_task(name: str) -> int:
    with transaction.atomic():
        return Agency.objects.create(name=name).pk


def test_task_write_is_attributed_to_the_task():
    agency_id = create_agency_task.apply(args=["Via task"]).get()
    journal.integrate()
    (entry,) = JournalEntry.objects.filter(object_type="ledger.agency", object_id=str(agency_id))
    assert entry.actor == "task:tests.create_agency"
    assert journal.current_actor() == "system"  # reset after the task


# --- verification ---------------------------------------------------------------


def _behind_the_apps_back(sql: str, params: list) -> None:
    """Run SQL on the journal table, disabling PostgreSQL's append-only triggers for it."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER USER")


@pytest.fixture
def five_entries():
    for _ in range(5):
        AgencyFactory()
    assert journal.verify().ok
    journal.integrate()
    return list(JournalEntry.objects.order_by("seq"))


def test_verify_catches_an_edited_entry(five_entries):
    _behind_the_apps_back("UPDATE ledger_journalentry SET actor = %s WHERE seq = 3", ["user:someone_else"])
    result = journal.verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 3, 2)
    assert "contents" in result.reason


def test_verify_catches_a_deleted_entry(five_entries):
    _behind_the_apps_back("DELETE FROM ledger_journalentry WHERE seq = 4", [])
    result = journal.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "missing" in result.reason


def test_verify_catches_a_deleted_tail_against_a_recorded_head(five_entries):
    recorded_seq, recorded_hash = journal.head()
    _behind_the_apps_back("DELETE FROM ledger_journalentry WHERE seq = 5", [])
    assert journal.verify().ok  # a chain cut at its end is still a chain...
    assert journal.head() != (recorded_seq, recorded_hash)  # ...which is why heads are written down


def test_verify_catches_reordered_entries(five_entries):
    # swap the positions of entries 2 and 3, each keeping its own contents and hashes
    for old, new in ((2, 1002), (3, 2), (1002, 3)):
        _behind_the_apps_back("UPDATE ledger_journalentry SET seq = %s WHERE seq = %s", [new, old])
    journal.integrate()
    assert JournalEntry.objects.get(seq=2).hash == five_entries[2].hash
    result = journal.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert "prev_hash" in result.reason


def test_verify_journal_command_names_the_first_bad_entry(five_entries):
    out = StringIO()
    call_command("verify_journal", "--no-progress", stdout=out)
    assert f"head seq 5 hash {five_entries[-1].hash}" in out.getvalue()
    _behind_the_apps_back("UPDATE ledger_journalentry SET action = 'delete' WHERE seq = 2", [])
    with pytest.raises(CommandError, match="broken at entry 2"):
        call_command("verify_journal", "--no-progress", stdout=StringIO())


def test_nightly_verification_is_scheduled_in_beat():
    task = PeriodicTask.objects.get(task="ledger.verify_journal")
    assert task.enabled and task.crontab.hour == "3"


# --- PostgreSQL guarantees ------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    ["UPDATE ledger_journalentry SET actor = 'x'", "DELETE FROM ledger_journalentry", "TRUNCATE ledger_journalentry"],
)
def test_postgres_refuses_to_change_the_journal(five_entries, sql):
    with transaction.atomic():
        with connection.cursor() as cursor:
            # as in production: the suite disabled this trigger on its throw-away database
            cursor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER ledger_journal_no_truncate")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    journal.integrate()
    assert JournalEntry.objects.count() == 5
    assert journal.verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_linear():
    """GIVEN 6 threads each writing 10 agencies in its own transactions WHEN they run at once
    THEN the journal has 60 entries numbered 1..60 whose chain verifies."""
    threads_n, per_thread = 6, 10
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def write(t: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                with transaction.atomic():
                    Agency.objects.create(name=f"T{t}-{i}", uscc=make_uscc(t * 100 + i))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    journal.integrate()
    seqs = list(JournalEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_n * per_thread + 1))
    assert journal.verify().ok


# --- API and admin --------------------------------------------------------------


def test_journal_api_lists_filters_masks_and_gives_the_head(api, regulator):
    api.force_authenticate(regulator)
    person = InfluencerFactory(legal_name="王建国", agency=None)
    AgencyFactory()
    response = api.get("/api/v1/journal/", {"object_type": "ledger.influencer"})
    assert response.status_code == 200
    (entry,) = response.data["results"]
    assert entry["object_id"] == str(person.pk)
    assert entry["changes"]["legal_name"] == {"before": None, "after": journal.personal_digest("王建国")}
    assert entry["changes"]["legal_name"]["after"].startswith("hmac-sha256:")
    assert "王建国" not in response.content.decode()
    assert set(entry) >= {"seq", "occurred_at", "actor", "action", "object_type", "object_id", "prev_hash", "hash"}
    head = api.get("/api/v1/journal/head/").data
    journal.integrate()
    assert head == {"seq": 2, "hash": JournalEntry.objects.get(seq=2).hash}
    assert api.get("/api/v1/journal/", {"actor": "system"}).data["count"] == 2


def test_journal_api_is_read_only_and_needs_permission(api, regulator, analyst, superuser):
    AgencyFactory()
    api.force_authenticate(analyst)
    assert api.get("/api/v1/journal/").status_code == 403
    api.force_authenticate(regulator)
    assert api.get("/api/v1/journal/").status_code == 200
    assert api.post("/api/v1/journal/", {}).status_code == 403
    api.force_authenticate(superuser)
    assert api.post("/api/v1/journal/", {}).status_code == 405
    assert api.delete("/api/v1/journal/1/").status_code == 405


def test_journal_admin_is_read_only(client, superuser):
    AgencyFactory()
    client.force_login(superuser)
    assert client.get(reverse("admin:core_journalentry_changelist")).status_code == 200
    assert client.get(reverse("admin:core_journalentry_change", args=[1])).status_code == 200
    assert client.get(reverse("admin:core_journalentry_add")).status_code == 403
    assert client.post(reverse("admin:core_journalentry_delete", args=[1]), {"post": "yes"}).status_code == 403
    journal.integrate()
    assert JournalEntry.objects.count() == 1
    assert Influencer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_long_write_does_not_block_other_writers_nor_the_sequencer():
    """GIVEN an import that has written journaled rows and not committed yet (one connection)
    WHEN another connection writes and commits, and the sequencer runs
    THEN neither waits: the committed write is sequenced; the import's rows follow once it commits."""
    import time

    written, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def long_import() -> None:
        try:
            with transaction.atomic():
                Agency.objects.bulk_create([Agency(name=f"Import {i}") for i in range(200)])
                written.set()
                release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()
            connections.close_all()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert written.wait(timeout=30)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on the import would fail, not hang
        with transaction.atomic():
            agency = Agency.objects.create(name="A refresh meanwhile")
        assert journal.integrate() == 1
        assert time.monotonic() - started < 2
        (entry,) = JournalEntry.objects.all()
        assert entry.object_id == str(agency.pk)
    finally:
        release.set()
        thread.join(timeout=30)
    assert not errors and done.is_set()
    assert journal.integrate() == 200
    assert journal.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_actor_follows_transactions_and_savepoints():
    """GIVEN an actor set inside a transaction WHEN the savepoint that set it rolls back
    THEN the database no longer holds it, and the next write sets it again."""
    with journal.acting_as("command:one"), transaction.atomic():
        for _ in range(3):
            Agency.objects.create(name="A")
        assert journal._bound_actor(connections["default"]) == "command:one"
    with transaction.atomic():
        Agency.objects.create(name="B")
        with pytest.raises(RuntimeError), transaction.atomic(), journal.acting_as("command:two"):
            Agency.objects.create(name="C")
            assert journal._bound_actor(connections["default"]) == "command:two"
            raise RuntimeError("roll the savepoint back")
        assert journal._bound_actor(connections["default"]) == "system"
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('ledger.actor')")
            assert cursor.fetchone() == ("system",)
    journal.integrate()
    assert list(JournalEntry.objects.values_list("actor", flat=True)) == ["command:one"] * 3 + ["system"]
    assert journal.verify().ok


def test_the_journal_holds_a_keyed_digest_of_personal_data_not_the_data(settings):
    """GIVEN a person's legal name WHEN it is journaled THEN neither the entry nor its hash can be tested against
    guesses without the key: the entry holds an HMAC under JOURNAL_PERSONAL_DATA_KEY, and the chain still verifies."""
    import hashlib
    import hmac

    person = InfluencerFactory(legal_name="王建国", agency=None)
    person.legal_name = "王建军"
    person.save()
    journal.integrate()
    created, updated = JournalEntry.objects.filter(object_type="ledger.influencer", object_id=str(person.pk))
    key = settings.JOURNAL_PERSONAL_DATA_KEY.encode()
    expected = "hmac-sha256:" + hmac.new(key, "王建国".encode(), hashlib.sha256).hexdigest()
    assert created.changes["legal_name"]["after"] == expected
    assert updated.changes["legal_name"] == {"before": expected, "after": journal.personal_digest("王建军")}
    assert "王建" not in str(created.changes) + str(updated.changes)
    assert journal.verify().ok
