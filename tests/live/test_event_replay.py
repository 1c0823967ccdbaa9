"""A dashboard misses nothing when its connection breaks: every event has an id that only
grows, the latest events are kept, and a page that reconnects with the last id it saw is
sent the ones it missed before the live ones — or told to fetch its figures again once when
they are no longer kept."""
import itertools
import json
import uuid

import pytest

from xiezuo.core import events
from xiezuo.core.events import Gap, LocalBroker, RedisBroker
from xiezuo.live import stream

pytestmark = pytest.mark.django_db


def ledger_event(n, county="513436", east="330212"):
    """A posting in 美姑县 (paired with 鄞州区): seen by county_office."""
    return json.dumps({"kind": "ledger", "data": {"id": n, "kind": "disbursement", "amount_fen": 100 * n,
                                                  "regions": [east, county], "county": county, "east": east},
                       "time": "2026-12-06T10:00:00+08:00"})


def parse(chunk):
    """An SSE block as {field: value}."""
    fields = {}
    for line in chunk.strip().split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


def redis_broker(window=1000):
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis here
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({exc.__class__.__name__})")
    broker = RedisBroker("redis://127.0.0.1:6379/15", key=f"xiezuo:test-events:{uuid.uuid4().hex}", window=window)
    return broker


@pytest.fixture(params=["local", "redis"])
def broker(request, monkeypatch):
    made = LocalBroker() if request.param == "local" else redis_broker()
    monkeypatch.setattr(events, "_broker", made)
    yield made
    if request.param == "redis":
        made.client.delete(made.key)


def key(broker, event_id):
    return int(event_id) if isinstance(broker, LocalBroker) else tuple(map(int, event_id.split("-")))


def test_every_event_gets_a_larger_id_than_the_one_before(broker):
    ids = [broker.publish(ledger_event(n)) for n in range(5)]
    assert [key(broker, i) for i in ids] == sorted(key(broker, i) for i in ids)
    assert len(set(ids)) == 5
    assert broker.latest_id() == ids[-1]


def test_reconnecting_after_an_id_replays_exactly_the_events_missed_then_live_ones(broker):
    ids = [broker.publish(ledger_event(n)) for n in range(6)]
    sub = broker.subscribe(after=ids[2])
    broker.publish(ledger_event(6))
    got = [sub.next(0.2) for _ in range(4)]
    assert [event_id for event_id, _m in got] == ids[3:] + [broker.latest_id()]
    assert [json.loads(m)["data"]["id"] for _i, m in got] == [3, 4, 5, 6]
    assert sub.next(0.05) is None  # nothing twice
    sub.close()


def test_an_id_older_than_the_window_unknown_or_malformed_asks_for_a_resync(broker, monkeypatch):
    small = LocalBroker(window=3) if isinstance(broker, LocalBroker) else redis_broker(window=3)
    try:
        first = small.publish(ledger_event(0))
        for n in range(1, 300):  # Redis trims in whole nodes of about 100 entries
            small.publish(ledger_event(n))
        with pytest.raises(Gap):
            small.subscribe(after=first)
        for bad in ("abc", "", "-1", "99999999999999999999-0", "1-2-3"):
            with pytest.raises(Gap):
                small.subscribe(after=bad if bad else " ")
    finally:
        if not isinstance(small, LocalBroker):
            small.client.delete(small.key)


def test_an_id_from_before_a_restart_of_the_process_asks_for_a_resync():
    """In-process ids start from the clock: an id the old process gave is below the new
    process's window, never taken for a new event."""
    old = LocalBroker()
    seen = old.publish(ledger_event(1))
    new = LocalBroker()
    new.publish(ledger_event(2))
    with pytest.raises(Gap):
        new.subscribe(after=seen)


def test_the_stream_sends_ids_and_a_reconnect_gets_the_missed_events_first(broker, users):
    ids = [broker.publish(ledger_event(n)) for n in range(1, 5)]
    chunks = stream.event_stream(users["county_office"], language="en", last_event_id=ids[1])
    assert next(chunks).startswith("retry: ")
    retry = int(next(stream.event_stream(users["county_office"])).split()[1])
    assert 2000 <= retry < 4000  # seconds, not a minute, after a worker dies
    replayed = [parse(c) for c in itertools.islice(chunks, 2)]
    assert [c["id"] for c in replayed] == ids[2:]
    assert [json.loads(c["data"])["data"]["id"] for c in replayed] == [3, 4]
    assert all(c["event"] == "ledger" for c in replayed)
    live = broker.publish(ledger_event(5))
    assert parse(next(chunks))["id"] == live
    chunks.close()


def test_a_too_old_id_gets_one_resync_event_that_resumes_from_the_latest(users, monkeypatch):
    small = LocalBroker(window=2)
    monkeypatch.setattr(events, "_broker", small)
    first = small.publish(ledger_event(1))
    for n in range(2, 6):
        small.publish(ledger_event(n))
    chunks = stream.event_stream(users["county_office"], last_event_id=first)
    next(chunks)
    resync = parse(next(chunks))
    assert resync["event"] == "resync" and resync["id"] == small.latest_id()
    new = small.publish(ledger_event(6))
    assert parse(next(chunks))["id"] == new
    chunks.close()


def test_events_the_user_may_not_see_are_not_sent_but_the_ping_moves_the_id_past_them(users, monkeypatch):
    local = LocalBroker()
    monkeypatch.setattr(events, "_broker", local)
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0)
    chunks = stream.event_stream(users["county_office"], last_event_id=local.latest_id())
    next(chunks)
    hidden = local.publish(ledger_event(1, county="520111", east="440106"))  # 广东 → 贵州: not county_office's
    ping = parse(next(chunks))
    assert ping["event"] == "ping" and ping["id"] == hidden
    assert "440106" not in ping["data"]
    chunks.close()


def _close(response):
    """Stop reading a stream the way the test client means it to be stopped: closing the
    iterator it wrapped the content in, which closes the response without the
    request-finished signal closing the test's database connection (PostgreSQL runs each
    test in a transaction, which that would end)."""
    response._iterator.close()


def test_the_events_view_reads_last_event_id_and_answers_a_bad_one_with_a_resync(client_as, monkeypatch):
    local = LocalBroker()
    monkeypatch.setattr(events, "_broker", local)
    ids = [local.publish(ledger_event(n)) for n in range(1, 4)]
    response = client_as("county_office").get("/dashboard/events/", HTTP_LAST_EVENT_ID=ids[0])
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    body = iter(response.streaming_content)
    next(body)
    assert [parse(next(body).decode())["id"] for _ in range(2)] == ids[1:]
    _close(response)
    again = client_as("county_office").get("/dashboard/events/", {"last": ids[1]})  # the page's own reconnect
    body = iter(again.streaming_content)
    next(body)
    assert parse(next(body).decode())["id"] == ids[2]
    _close(again)
    bad = client_as("county_office").get("/dashboard/events/", HTTP_LAST_EVENT_ID="<script>")
    body = iter(bad.streaming_content)
    next(body)
    assert parse(next(body).decode())["event"] == "resync"
    _close(bad)
    assert client_as(None).get("/dashboard/events/", HTTP_LAST_EVENT_ID=ids[0]).status_code == 302


def test_a_published_event_leaves_on_commit_with_its_id(users, monkeypatch, django_capture_on_commit_callbacks):
    local = LocalBroker()
    monkeypatch.setattr(events, "_broker", local)
    before = local.latest_id()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("ledger", {"id": 9, "amount_fen": 5, "regions": ["513436"], "county": "513436"})
        assert local.latest_id() == before  # not before the commit
    sub = local.subscribe(after=before)
    event_id, message = sub.next(0.1)
    assert int(event_id) == int(before) + 1 and json.loads(message)["data"]["id"] == 9
