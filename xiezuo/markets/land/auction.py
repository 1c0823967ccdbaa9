"""The call auction (集合竞价) of a listing's units: a pure function, no database.

One seller offers `supply` units (0.0001 mu) with a reserve price per mu; buyers bid for a
quantity with a limit price per mu. All fills clear at ONE price p*:

- demand at a price p is the total quantity of bids whose limit is at least p;
- if demand at the reserve does not exceed the supply, every bid at or above the reserve
  is filled in full at the reserve (there is no competition for the units);
- otherwise p* is the HIGHEST limit price p (≥ the reserve) at which demand still covers
  the supply: bids above p* are filled in full (together they want less than the supply,
  else p* would be higher), and bids at exactly p* share what is left in time priority
  (earlier bid first; the last one filled may be partly filled: the range is split).

Bids below p* (or the reserve) get nothing. Fills never exceed a bid's quantity, their sum
never exceeds the supply, and a bid with a higher limit is never filled less than a later
bid with a lower one.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Bid:
    id: object
    units: int
    limit: int  # fen per mu
    order: int = 0  # time priority: smaller first (the bid's id or its time)


@dataclass(frozen=True)
class Clearing:
    price: int | None  # fen per mu; None when nothing clears
    fills: dict  # bid id → units filled (only bids that get something)

    @property
    def filled(self) -> int:
        return sum(self.fills.values())


def clear(supply: int, reserve: int, bids: list[Bid]) -> Clearing:
    if supply <= 0:
        return Clearing(None, {})
    eligible = [b for b in bids if b.limit >= reserve and b.units > 0]
    if not eligible:
        return Clearing(None, {})
    total = sum(b.units for b in eligible)
    if total <= supply:
        return Clearing(reserve, {b.id: b.units for b in eligible})
    # walk prices from the highest down; demand grows as the price falls
    by_price = sorted(eligible, key=lambda b: (-b.limit, b.order))
    demand = 0
    price = None
    i = 0
    while i < len(by_price):
        p = by_price[i].limit
        j = i
        while j < len(by_price) and by_price[j].limit == p:
            demand += by_price[j].units
            j += 1
        if demand >= supply:
            price = p
            break
        i = j
    assert price is not None  # total > supply, so demand at the lowest eligible price covers it
    fills, left = {}, supply
    for b in by_price:  # above p* in full (they fit), then those at p* in time order
        if b.limit < price or left == 0:
            break
        take = min(b.units, left)
        fills[b.id] = take
        left -= take
    return Clearing(price, fills)
