"""Live events for open dashboards (server-sent events).

`publish()` is called by actions; the event leaves only when the transaction commits, so
a browser never sees a change that was rolled back. Two brokers behind one interface:
in-process queues on the embedded default (one server process), Redis pub/sub in
production (XIEZUO_EVENTS=redis, REDIS_URL), where many worker processes serve browsers.
"""
import json
import os
import queue
import threading

from django.db import transaction

CHANNEL = "xiezuo:events"


class LocalBroker:
    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: list[queue.Queue] = []

    def publish(self, message: str):
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            try:
                q.put_nowait(message)
            except queue.Full:
                pass  # a stalled browser loses events rather than stalling the writer

    def subscribe(self):
        q = queue.Queue(maxsize=1000)
        with self._lock:
            self._subscribers.append(q)
        return LocalSubscription(self, q)

    def _drop(self, q):
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)


class LocalSubscription:
    def __init__(self, broker, q):
        self.broker, self.q = broker, q

    def get(self, timeout: float):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        self.broker._drop(self.q)


class RedisBroker:
    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)

    def publish(self, message: str):
        self.client.publish(CHANNEL, message)

    def subscribe(self):
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        return RedisSubscription(pubsub)


class RedisSubscription:
    def __init__(self, pubsub):
        self.pubsub = pubsub

    def get(self, timeout: float):
        msg = self.pubsub.get_message(timeout=timeout)
        if msg and msg.get("type") == "message":
            data = msg["data"]
            return data.decode() if isinstance(data, bytes) else data
        return None

    def close(self):
        self.pubsub.close()


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
