"""Serial numbers of carbon units.

A block's serial names the registry, the project, the vintage and the unit range:

    XZCR-<project code>-<vintage>-<first>-<last>        e.g. XZCR-CS5134360001-2025-1-500

- `XZCR`: this registry (协作碳汇登记簿, the East–West Cooperation carbon registry);
- the project code: `CS` + the county's GB/T 2260 code + the project's number in the county;
- the vintage: the year the verified removals happened;
- first and last: the block's first and last unit, inclusive; each unit is one tonne of CO2e.
  Units are numbered per project from 1 in the order of issuance and never reused, so a
  unit's serial (first = last) names it for ever, whichever block holds it later.
A single unit may be written `XZCR-CS5134360001-2025-37`.
"""
import re

REGISTRY = "XZCR"
_SERIAL = re.compile(r"^\s*XZCR-(CS\d{6}\d{4,})-(\d{4})-(\d+)(?:-(\d+))?\s*$", re.I)


def format_serial(project_code: str, vintage: int, first: int, last: int) -> str:
    return f"{REGISTRY}-{project_code}-{vintage}-{first}-{last}"


def parse_serial(text: str):
    """(project code, vintage, first, last) or None when `text` is not a serial of this registry."""
    m = _SERIAL.match(text or "")
    if not m:
        return None
    first = int(m.group(3))
    last = int(m.group(4)) if m.group(4) else first
    if first < 1 or last < first:
        return None
    return m.group(1).upper(), int(m.group(2)), first, last
