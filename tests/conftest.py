"""Suite-wide fixtures, and the guards CI relies on.

The tests run on PostgreSQL: ``DATABASE_URL``, or the project's embedded server
that ``make test`` starts. In-process tests run Celery tasks eagerly whatever
CELERY_BROKER_URL says; tests of real workers start their own worker processes
against the broker in ``LEDGER_TEST_REDIS_URL`` and are skipped without it.

``LEDGER_NO_SKIPS=1`` turns any skipped test into a failed run; ``.ci/run`` sets
it, so CI cannot silently skip the tests that need Redis.

Tests run in English whatever the deployment's default language (``LANGUAGE_CODE``,
zh-hans unless set): the ``english`` fixture below for this process, the environment
for the processes tests start. Tests of the Chinese interface ask for it
(``Accept-Language: zh-hans`` or ``translation.override``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation
from rest_framework.test import APIClient

from config.celery import app as celery_app

os.environ["LANGUAGE_CODE"] = "en"  # for servers, workers and commands that tests start
from tests.factories import UserFactory

celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = False  # as in-process mode: tests check results

_skipped: list[str] = []


def pytest_report_header(config) -> str:
    from django.db import connection

    return f"database: {connection.settings_dict['HOST'] or 'localhost'} ({connection.settings_dict['NAME']})"


def pytest_runtest_logreport(report) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus) -> None:
    if os.environ.get("LEDGER_NO_SKIPS") == "1" and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"LEDGER_NO_SKIPS=1: {len(_skipped)} test(s) were skipped:", red=True)
            for nodeid in _skipped:
                reporter.write_line(f"  {nodeid}", red=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the throw-away test database empty the journal and its heads between tests.

    Only the tables' owner (here the superuser the suite connects as) may disable
    a trigger: no session setting does it (see ledger migration 0011). UPDATE and
    DELETE stay refused.
    """
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER ledger_journal_no_truncate")
        cursor.execute("ALTER TABLE ledger_signedtreehead DISABLE TRIGGER ledger_tree_head_no_truncate")


@pytest.fixture(autouse=True)
def english(settings):
    """Requests without Accept-Language, commands and services speak English in tests."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def journal_key_pem() -> str:
    """A throw-away Ed25519 key for the run: the suite signs tree heads with it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(autouse=True)
def journal_signing_key(settings, journal_key_pem) -> str:
    settings.JOURNAL_SIGNING_KEY = journal_key_pem
    settings.JOURNAL_SIGNING_KEY_FILE = ""
    return journal_key_pem


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files (evidence, also from seed_demo) go to a throw-away folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def _simulator_server():
    from ledger.simulator import PlatformSimulator

    server = PlatformSimulator(port=0, timeout_seconds=2.0).start()
    yield server
    server.stop()


@pytest.fixture
def simulator(_simulator_server, settings):
    """The platform simulator over loopback HTTP, with clean faults and statistics, as every platform's URL."""
    from ledger.platforms import reset_clients

    state = _simulator_server.state
    with state.lock:
        state.faults.clear()
        state.arrivals.clear()
        state.rate, state.rate_fault, state.latency_ms, state.timeout_seconds = 0.0, "", 0.0, 2.0
        state.retry_after_seconds = 1.0
    settings.PLATFORM_DEFAULT_URL = _simulator_server.url
    settings.PLATFORM_DEFAULT_RPS = 1000.0
    settings.PLATFORM_SETTINGS = {}
    settings.PLATFORM_READ_TIMEOUT = 0.5
    settings.RATE_LIMIT_REDIS_URL = ""
    reset_clients()
    yield _simulator_server
    reset_clients()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def user_in_group(db) -> Callable[[str], User]:
    def make(group_name: str) -> User:
        user = UserFactory()
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def regulator(user_in_group) -> User:
    return user_in_group("regulator")


@pytest.fixture
def analyst(user_in_group) -> User:
    return user_in_group("analyst")


@pytest.fixture
def outsider(db) -> User:
    """An authenticated user in no group: may not read or write the ledger."""
    return UserFactory()


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def as_regulator(api, regulator) -> APIClient:
    api.force_authenticate(regulator)
    return api


@pytest.fixture
def as_analyst(api, analyst) -> APIClient:
    api.force_authenticate(analyst)
    return api


@pytest.fixture(autouse=True)
def history_index_agrees(request):
    """After a test that wrote to the database: the history's index is what its sources give (core.history).

    Every write path of the suite is thus a test that the change feed keeps the index current. A test
    that writes behind the capture triggers' back says so with ``@pytest.mark.bypasses_journal``.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db or request.node.get_closest_marker("bypasses_journal"):
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    yield
    from core import history, journal

    journal.integrate()
    differing = history.differences()
    assert not differing, f"the history's index differs from its sources (missing, extra): {differing}"
