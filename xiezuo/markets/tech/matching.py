"""Matching technologies and needs by text and IPC class, both ways, with the reason shown.

Text: jieba's precise-mode segmentation, then Okapi BM25 (k1 = 1.5, b = 0.75) over an
inverted index held in memory (numpy arrays per term: the documents that contain it and
the term's BM25 weight in each), so a query costs a few array additions over the postings
of its own words, never a pass over every document. Class: a shared IPC subclass
(e.g. A01G) adds IPC_SUBCLASS_BONUS, a shared main group (A01G 9) IPC_GROUP_BONUS more.
The reason of each match lists the shared words (by their weight) and the shared class.

Why not a library: rank-bm25 scores every document of the corpus for every query word in
Python (a pass over 50,000 dicts per word) and has had no release since 2022; bm25s ranks
fast but gives no per-word contributions, which the reason needs. This is BM25 as written
in Robertson & Zaragoza (2009), in ~60 lines, tested on a hand-worked example.
"""
import math
import re
import threading

import numpy as np

K1, B = 1.5, 0.75
IPC_SUBCLASS_BONUS = 2.0
IPC_GROUP_BONUS = 1.0

_STOP = set("的 了 和 与 及 或 等 在 是 为 对 用 于 中 其 一种 一个 以及 进行 通过 具有 包括 所述 方法 装置 系统 技术 问题 需要 我们 本 该 "
            "一 上 下 个 有 无 将 把 被 由 从 到 及其 用于 基于 提高 解决 实现 可以 能够 这 那 并 且 而 但".split())
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z0-9\-]+|\d+[A-Za-z]+")
_lock = threading.Lock()


def tokens(text: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    out = []
    for w in jieba.lcut(text or ""):
        w = w.strip().lower()
        if len(w) >= 2 and w not in _STOP and _WORD.fullmatch(w):
            out.append(w)
    return out


def ipc_parts(ipc: str) -> tuple[str, str]:
    """('A01G', 'A01G 9') of 'A01G 9/14'; empty strings when absent."""
    ipc = re.sub(r"\s+", " ", (ipc or "").strip().upper())
    sub = ipc[:4] if re.match(r"^[A-H]\d\d[A-Z]", ipc) else ""
    group = ipc.split("/")[0].strip() if sub else ""
    return sub, group


def tech_text(t) -> str:
    return f"{t.title} {t.title} {t.abstract}"


def need_text(n) -> str:
    return f"{n.title} {n.title} {n.problem} {n.sector}"


class Index:
    """BM25 over documents given as (id, text, ipc), or (id, [tokens], ipc) when already segmented."""

    def __init__(self, docs):
        self.ids, self.ipcs, terms_of = [], [], []
        postings: dict[str, list] = {}
        lengths = []
        for i, (doc_id, text, ipc) in enumerate(docs):
            toks = text if isinstance(text, list) else tokens(text)
            self.ids.append(doc_id)
            self.ipcs.append(ipc_parts(ipc))
            lengths.append(len(toks))
            tf: dict[str, int] = {}
            for t in toks:
                tf[t] = tf.get(t, 0) + 1
            terms_of.append(tf)
            for t, c in tf.items():
                postings.setdefault(t, []).append((i, c))
        self.n = len(self.ids)
        lengths = np.asarray(lengths, dtype=np.float64)
        avg = float(lengths.mean()) if self.n else 1.0
        self.terms_of = terms_of
        self.idf, self.post = {}, {}
        for t, rows in postings.items():
            df = len(rows)
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            idx = np.fromiter((r[0] for r in rows), dtype=np.int64, count=df)
            tf = np.fromiter((r[1] for r in rows), dtype=np.float64, count=df)
            norm = K1 * (1 - B + B * lengths[idx] / (avg or 1.0))
            self.idf[t] = idf
            self.post[t] = (idx, idf * tf * (K1 + 1) / (tf + norm))
        self.by_sub: dict[str, np.ndarray] = {}
        self.by_group: dict[str, np.ndarray] = {}
        subs, groups = {}, {}
        for i, (sub, group) in enumerate(self.ipcs):
            if sub:
                subs.setdefault(sub, []).append(i)
                groups.setdefault(group, []).append(i)
        self.by_sub = {k: np.asarray(v, dtype=np.int64) for k, v in subs.items()}
        self.by_group = {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}

    def search(self, text: str, ipc: str = "", k: int = 10) -> list[dict]:
        """The k best documents: [{id, score, words: [shared words by weight], ipc: shared class or ''}]."""
        if not self.n:
            return []
        q = list(dict.fromkeys(tokens(text)))
        scores = np.zeros(self.n)
        for t in q:
            hit = self.post.get(t)
            if hit is not None:
                scores[hit[0]] += hit[1]
        sub, group = ipc_parts(ipc)
        if sub and sub in self.by_sub:
            scores[self.by_sub[sub]] += IPC_SUBCLASS_BONUS
            if group in self.by_group:
                scores[self.by_group[group]] += IPC_GROUP_BONUS
        k = min(k, self.n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        out = []
        for i in top:
            if scores[i] <= 0:
                break
            tf = self.terms_of[i]
            shared = sorted((t for t in q if t in tf), key=lambda t: -self.idf[t])
            dsub, dgroup = self.ipcs[i]
            same = (dgroup if group and dgroup == group else dsub) if sub and dsub == sub else ""
            out.append({"id": self.ids[i], "score": round(float(scores[i]), 3), "words": shared, "ipc": same})
        return out


_cache: dict[str, tuple] = {}


def _signature(qs):
    from django.db.models import Count, Max

    agg = qs.aggregate(n=Count("id"), m=Max("id"))
    return (agg["n"], agg["m"])


def technology_index() -> Index:
    from ..models import Technology

    return _cached("tech", Technology.objects.all(),
                   lambda qs: ((t.pk, t.tokens.split() if t.tokens else tech_text(t), t.ipc)
                               for t in qs.only("id", "title", "abstract", "ipc", "tokens").iterator(chunk_size=5000)))


def need_index() -> Index:
    from ..models import TechNeed

    return _cached("need", TechNeed.objects.all(),
                   lambda qs: ((n.pk, n.tokens.split() if n.tokens else need_text(n), n.ipc) for n in qs.only(
                       "id", "title", "problem", "sector", "ipc", "tokens").iterator(chunk_size=5000)))


RECHECK_SECONDS = 10  # how often a cached index asks the database whether rows were added elsewhere


def _cached(name, qs, rows) -> Index:
    """The index, built once per process: rebuilt when this process wrote (`forget`), or when
    the row count or last id changed, which is asked at most every RECHECK_SECONDS (the
    question costs a scan of the table's index: some 50 ms over 50,000 rows)."""
    import time

    now = time.monotonic()
    hit = _cache.get(name)
    if hit is not None and now - hit[2] < RECHECK_SECONDS:
        return hit[1]
    sig = _signature(qs)
    if hit is not None and hit[0] == sig:
        _cache[name] = (sig, hit[1], now)
        return hit[1]
    with _lock:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()  # load the dictionary now (1–3 s), not at the first query
        index = Index(rows(qs))
        _cache[name] = (sig, index, time.monotonic())
        return index


def forget():
    """Drop the cached indexes: after a technology or need is written (now, and when the
    transaction commits, so a rolled-back write does not leave its rows in the index)."""
    _cache.clear()


def forget_on_commit():
    from django.db import transaction

    forget()
    transaction.on_commit(forget)


def technologies_for(need, k=10) -> list[dict]:
    from ..models import Technology

    hits = technology_index().search(f"{need.title} {need.problem} {need.sector}", need.ipc, k)
    objs = Technology.objects.select_related("owner__region").in_bulk([h["id"] for h in hits])
    return [dict(h, object=objs[h["id"]]) for h in hits if h["id"] in objs]


def needs_for(technology, k=10) -> list[dict]:
    from ..models import TechNeed

    hits = need_index().search(f"{technology.title} {technology.abstract}", technology.ipc, k)
    objs = TechNeed.objects.select_related("county", "requester").in_bulk([h["id"] for h in hits])
    return [dict(h, object=objs[h["id"]]) for h in hits if h["id"] in objs]
