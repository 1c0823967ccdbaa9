"""The fast paths behind bulk ingestion write exactly the text the general encoders write:
a hash over different text would make a retry look like another body (and `ledger verify`
would fail on a posting hashed one way and checked another)."""
import datetime
import json
import random

from xiezuo.ledger import chain


def reference(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=chain._canon)


def test_canonical_json_matches_the_encoder_for_request_bodies():
    rng = random.Random(13)
    texts = ["", "a", "完成基础设施建设", 'quote " and \\ backslash', "tab\tnew\nline", "\u2028\x01\x7f", "😀 emoji", "/"]
    values = [None, 0, -1, 10**15, 2**70, datetime.date(2026, 12, 6), datetime.date(2000, 1, 1), *texts]
    for _ in range(2000):
        body = {rng.choice(["kind", "amount_fen", "memo", "booked_on", "agreement", "project", "源", "z", "A"]): rng.choice(values)
                for _ in range(rng.randint(0, 6))}
        assert chain.canonical_json(body) == reference(body), body


def test_canonical_json_falls_back_for_other_values():
    dt = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=datetime.timezone.utc)
    for body in [{"a": True}, {"a": 1.5}, {"a": [1, "x"]}, {"a": {"b": None, "a": 2}}, {"a": dt}, {1: "x", 2: "y"}, [1, 2], "x"]:
        assert chain.canonical_json(body) == reference(body), body


def test_item_body_text_matches_the_encoder():
    from xiezuo.ingest import batch

    def ref(body):
        return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)

    rng = random.Random(6)
    values = [None, 0, 7, -3, 10**20, "", "r-1", "完成基础设施建设", 'a "q" \\ b', "\n\t\x00", "😀", True, False, 1.5,
              [1, "a"], {"b": 1, "a": [None]}, datetime.date(2026, 1, 1)]
    for _ in range(3000):
        body = {rng.choice(["type", "client_id", "project", "week", "percent", "done", "problems", "名", "Z"]): rng.choice(values)
                for _ in range(rng.randint(0, 7))}
        assert batch.body_text(body) == ref(body), body
        assert batch.digest(body) == batch.hashlib.sha256(ref(body).encode()).hexdigest()
    for body in [{1: "a"}, [1, 2], "x", None, {"a": {"c": 1, "b": 2}}]:
        assert batch.body_text(body) == ref(body)
