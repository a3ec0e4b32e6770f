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

from ledger import journal
from ledger.models import Agency, Influencer, JournalEntry
from ledger.services import snapshot_record
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory, make_uscc

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(object_type=journal.object_type(type(obj)), object_id=str(obj.pk)))


# --- what is recorded -----------------------------------------------------------


def test_create_update_delete_are_recorded_with_before_and_after():
    agency = AgencyFactory(name="Xingchi", uscc="")
    agency.name = "Xingchi Media"
    agency.save()
    agency_id = agency.pk
    agency.delete()
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
    before = JournalEntry.objects.count()
    agency.save()
    assert JournalEntry.objects.count() == before


def test_a_rolled_back_change_leaves_no_entry_and_no_gap():
    AgencyFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        AgencyFactory()
        raise RuntimeError("abort")
    AgencyFactory()
    assert list(JournalEntry.objects.values_list("seq", flat=True)) == [1, 2]
    assert journal.verify().ok


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_are_refused():
    """GIVEN autocommit (no transaction.atomic) WHEN a journaled model is saved THEN it is refused before any write."""
    assert not connection.in_atomic_block
    with pytest.raises(journal.JournalOutsideTransaction):
        Agency(name="No transaction").save()
    assert not Agency.objects.exists()
    assert not JournalEntry.objects.exists()


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
    actors = set(JournalEntry.objects.values_list("actor", flat=True))
    assert actors == {"command:seed_demo"}
    assert JournalEntry.objects.filter(object_type="ledger.followersnapshot", action="create").count() > 1000


@shared_task(name="tests.create_agency")
def create_agency_task(name: str) -> int:
    with transaction.atomic():
        return Agency.objects.create(name=name).pk


def test_task_write_is_attributed_to_the_task():
    agency_id = create_agency_task.apply(args=["Via task"]).get()
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
    assert client.get(reverse("admin:ledger_journalentry_changelist")).status_code == 200
    assert client.get(reverse("admin:ledger_journalentry_change", args=[1])).status_code == 200
    assert client.get(reverse("admin:ledger_journalentry_add")).status_code == 403
    assert client.post(reverse("admin:ledger_journalentry_delete", args=[1]), {"post": "yes"}).status_code == 403
    assert JournalEntry.objects.count() == 1
    assert Influencer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_journal_lock_is_taken_once_per_transaction():
    """GIVEN several journaled writes in one transaction WHEN they append THEN one advisory-lock query is sent;
    after a rolled-back savepoint that took it, the lock is taken again."""
    from django.test.utils import CaptureQueriesContext

    def lock_queries(ctx) -> int:
        return sum("pg_advisory_xact_lock" in q["sql"] for q in ctx.captured_queries)

    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            Agency.objects.create(name="A")
    assert lock_queries(ctx) == 1
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        with pytest.raises(RuntimeError), transaction.atomic():
            Agency.objects.create(name="B")
            raise RuntimeError("roll the savepoint back")
        Agency.objects.create(name="C")
    assert lock_queries(ctx) == 2
    assert journal.verify().ok


def test_the_journal_holds_a_keyed_digest_of_personal_data_not_the_data(settings):
    """GIVEN a person's legal name WHEN it is journaled THEN neither the entry nor its hash can be tested against
    guesses without the key: the entry holds an HMAC under JOURNAL_PERSONAL_DATA_KEY, and the chain still verifies."""
    import hashlib
    import hmac

    person = InfluencerFactory(legal_name="王建国", agency=None)
    person.legal_name = "王建军"
    person.save()
    created, updated = JournalEntry.objects.filter(object_type="ledger.influencer", object_id=str(person.pk))
    key = settings.JOURNAL_PERSONAL_DATA_KEY.encode()
    expected = "hmac-sha256:" + hmac.new(key, "王建国".encode(), hashlib.sha256).hexdigest()
    assert created.changes["legal_name"]["after"] == expected
    assert updated.changes["legal_name"] == {"before": expected, "after": journal.personal_digest("王建军")}
    assert "王建" not in str(created.changes) + str(updated.changes)
    assert journal.verify().ok
