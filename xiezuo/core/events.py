"""Live events for open dashboards (server-sent events).

`publish()` is called by actions; the event leaves only when the transaction commits, so
a browser never sees a change that was rolled back. Two brokers behind one interface:
in-process queues on the embedded default (one server process), a Redis stream in
production (XIEZUO_EVENTS=redis, REDIS_URL), where many worker processes on several nodes
serve browsers.

Every event has an id that only grows, and the latest REPLAY_WINDOW events are kept: a page
whose connection broke (its worker died, the network dropped) reconnects with the id of the
last event it saw and receives the ones it missed; when those are no longer kept, it is told
to fetch its figures again (`Gap`).
"""
import collections
import json
import os
import queue
import re
import threading
import time

from django.db import transaction

CHANNEL = "xiezuo:events"


REPLAY_WINDOW = 1000  # events kept per channel for browsers that reconnect


class Gap(Exception):
    """The browser's last event is older than the replay window (or unknown here): it must
    fetch the page's figures again once rather than trust a partial replay."""


class LocalBroker:
    """One process: a counter and a bounded window in memory.

    The counter starts from the clock in microseconds, so an id from before a restart is
    always below the new window and is answered with a resync, never mistaken for a new one.
    """

    def __init__(self, window: int = REPLAY_WINDOW):
        self._lock = threading.Lock()
        self._subscribers: list["LocalSubscription"] = []
        self._last = int(time.time() * 1_000_000)
        self._floor = self._last  # the newest id no longer (or never) in the window
        self._window: collections.deque = collections.deque(maxlen=window)

    def publish(self, message: str) -> str:
        with self._lock:  # ids, window and queues in one order
            self._last += 1
            if len(self._window) == self._window.maxlen:
                self._floor = self._window[0][0]
            self._window.append((self._last, message))
            for sub in self._subscribers:
                sub.put(str(self._last), message)
            return str(self._last)

    def latest_id(self) -> str:
        return str(self._last)

    def subscribe(self, after: str | None = None):
        """A subscription receiving every event after `after` (the window's, then live ones),
        or only live ones. Raises Gap when `after` cannot be served."""
        with self._lock:
            sub = LocalSubscription(self, str(self._last))
            if after is not None:
                try:
                    last = int(after)
                except ValueError:
                    raise Gap(after) from None
                if not self._floor <= last <= self._last:
                    raise Gap(after)
                for event_id, message in self._window:
                    if event_id > last:
                        sub.put(str(event_id), message)
            self._subscribers.append(sub)
        return sub

    def _drop(self, sub):
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)


class LocalSubscription:
    def __init__(self, broker, start_id: str):
        self.broker, self.q = broker, queue.Queue(maxsize=REPLAY_WINDOW)
        self.start_id = start_id  # the latest id when it began: where a resync resumes
        self.overflowed = False

    def put(self, event_id: str, message: str):
        try:
            self.q.put_nowait((event_id, message))
        except queue.Full:
            self.overflowed = True  # a stalled browser is told to resync rather than stall the writer

    def next(self, timeout: float):
        """(id, message) of the next event, or None after `timeout` seconds."""
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def get(self, timeout: float):
        event = self.next(timeout)
        return event[1] if event else None

    def close(self):
        self.broker._drop(self)


STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


def _stream_key(event_id: str) -> tuple[int, int]:
    ms, seq = event_id.split("-")
    return int(ms), int(seq)


class RedisBroker:
    """Many processes and nodes: a Redis stream (XADD, capped at about REPLAY_WINDOW
    entries). Redis gives each event its id (time-ordered, increasing) as it appends it, so
    every node sees one order; each open page reads the stream from its own position, which
    is what a reconnecting page resumes from."""

    def __init__(self, url, key: str = CHANNEL, window: int = REPLAY_WINDOW):
        import redis

        self.client = redis.Redis.from_url(url)
        self.url, self.key, self.window = url, key, window

    def publish(self, message: str) -> str:
        event_id = self.client.xadd(self.key, {"m": message}, maxlen=self.window, approximate=True)
        return event_id.decode() if isinstance(event_id, bytes) else event_id

    def _info(self):
        import redis

        try:
            info = self.client.xinfo_stream(self.key)
        except redis.ResponseError:  # no event yet
            return None
        return {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                for k, v in info.items() if k in ("last-generated-id", b"last-generated-id", "first-entry", b"first-entry")}

    def latest_id(self) -> str:
        info = self._info()
        return info["last-generated-id"] if info else "0-0"

    def subscribe(self, after: str | None = None):
        info = self._info()
        latest = info["last-generated-id"] if info else "0-0"
        if after is None:
            return RedisSubscription(self, latest, latest)
        if not STREAM_ID.match(after):
            raise Gap(after)
        last = _stream_key(after)
        if last > _stream_key(latest):
            raise Gap(after)  # from another Redis, or one that lost its data
        first = info.get("first-entry") if info else None
        if first is None or last < _stream_key(first[0].decode() if isinstance(first[0], bytes) else first[0]):
            raise Gap(after)  # the events after it may have been trimmed (or the stream is new)
        return RedisSubscription(self, after, latest)


class RedisSubscription:
    def __init__(self, broker, cursor: str, start_id: str):
        self.broker, self.cursor, self.start_id = broker, cursor, start_id
        self.overflowed = False
        self.client = broker.client  # XREAD BLOCK takes a pooled connection for up to the keepalive
        self.buffer = collections.deque()

    def next(self, timeout: float):
        if not self.buffer:
            rows = self.client.xread({self.broker.key: self.cursor}, count=100, block=max(1, int(timeout * 1000)))
            for _key, entries in rows or ():
                for event_id, fields in entries:
                    event_id = event_id.decode() if isinstance(event_id, bytes) else event_id
                    message = fields.get(b"m", fields.get("m", b""))
                    self.buffer.append((event_id, message.decode() if isinstance(message, bytes) else message))
                    self.cursor = event_id
        return self.buffer.popleft() if self.buffer else None

    def get(self, timeout: float):
        event = self.next(timeout)
        return event[1] if event else None

    def close(self):
        self.buffer.clear()


_broker = None
_broker_lock = threading.Lock()


def broker():
    global _broker
    with _broker_lock:
        if _broker is None:
            if os.environ.get("XIEZUO_EVENTS", "local") == "redis":
                _broker = RedisBroker(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
            else:
                _broker = LocalBroker()
        return _broker


def publish(kind: str, data: dict):
    """Send {"kind", "data", "time"} to every open dashboard after commit.

    `data` should carry the region codes involved under "county"/"regions" so that each
    dashboard shows only events inside its user's scope, and values rather than text: each
    dashboard words the event in its reader's language (`live.feed`). `time` is when it
    happened, an ISO time with its offset (Beijing time).
    """
    from django.utils import timezone

    message = json.dumps({"kind": kind, "data": data, "time": timezone.localtime().isoformat()}, ensure_ascii=False, default=str)
    transaction.on_commit(lambda: broker().publish(message))
