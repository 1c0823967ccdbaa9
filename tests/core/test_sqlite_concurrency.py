"""SQLite with several writers (issue 12): two spending requests at once on SQLite answered
500 "database is locked". With the platform's SQLite options (WAL, a busy timeout, IMMEDIATE
transactions) the second writer waits for the first and both go through, each reading what
the other wrote; the control shows the same two writers failing without them. Run against a
file-based database (the suite's own SQLite test database is in memory)."""
import threading

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def _wrapper(path, options):
    return DatabaseWrapper({
        "ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": dict(options), "TIME_ZONE": None,
        "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
        "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}, alias="concurrency")


def _spend(path, options, amount, events, mine, theirs, outcomes):
    """One spending request: read the balance in a transaction, then write it less `amount`."""
    w = _wrapper(path, options)
    try:
        w.ensure_connection()
        w._start_transaction_under_autocommit()  # what transaction.atomic() does on SQLite
        with w.cursor() as c:
            c.execute("SELECT balance FROM account WHERE id = 1")
            balance = c.fetchone()[0]
            events[mine].set()
            events[theirs].wait(1)  # let the other read too, when it can
            c.execute("UPDATE account SET balance = %s WHERE id = 1", [balance - amount])
        w.connection.commit()
        outcomes.append("ok")
    except Exception as exc:  # noqa: BLE001 (the outcome is what the test compares)
        outcomes.append(str(exc))
    finally:
        w.close()


def _two_at_once(tmp_path, options):
    path = tmp_path / "concurrency.sqlite3"
    setup = _wrapper(path, options)
    with setup.cursor() as c:
        c.execute("CREATE TABLE account (id integer primary key, balance integer not null)")
        c.execute("INSERT INTO account VALUES (1, 100)")
    setup.close()
    events, outcomes = {"a": threading.Event(), "b": threading.Event()}, []
    threads = [threading.Thread(target=_spend, args=(path, options, 30, events, me, other, outcomes))
               for me, other in (("a", "b"), ("b", "a"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check = _wrapper(path, options)
    with check.cursor() as c:
        c.execute("SELECT balance FROM account WHERE id = 1")
        balance = c.fetchone()[0]
        c.execute("PRAGMA journal_mode")
        mode = c.fetchone()[0]
    check.close()
    return sorted(outcomes), balance, mode


def test_two_concurrent_writers_both_succeed_with_the_platforms_sqlite_options(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():  # a database of its own, not the suite's
        outcomes, balance, mode = _two_at_once(tmp_path, settings.SQLITE_OPTIONS)
    assert outcomes == ["ok", "ok"]
    assert balance == 40  # each read what the other wrote: nothing lost
    assert mode == "wal"


def test_without_them_one_of_the_two_writers_fails_with_database_is_locked(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        outcomes, _balance, _mode = _two_at_once(tmp_path, {"timeout": 0.5})
    assert "ok" in outcomes and any("locked" in o for o in outcomes), outcomes


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite settings")
def test_the_sqlite_database_is_configured_for_concurrent_writers():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
