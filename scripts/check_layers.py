#!/usr/bin/env python3
"""Fail when an app imports an app above it, or when apps import each other in a cycle.

The layers are those of docs/ARCHITECTURE.md. Every import counts, including those inside
functions: a deferred import is still a dependency, and a cycle hidden in a function is the
kind that grows. Migrations are skipped (they name apps by label, as Django requires).

    python scripts/check_layers.py          # prints the graph's problems; exit 1 if any
"""
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "xiezuo"

# Lowest first. An app may import only apps in lower tiers; apps in one tier do not import
# each other. `xiezuo` itself (settings, urls, celery) sits above everything.
TIERS = [
    ["core"],
    ["regions"],
    ["orgs"],
    ["pairings"],
    ["users"],
    ["projects"],
    ["ledger", "people"],
    ["households"],
    ["labour", "consumption", "social", "markets"],
    ["rhythm"],
    ["assessment"],
    ["live", "datagen", "repairing"],
    ["ingest"],
    ["api"],
    ["web"],
]
RANK = {app: i for i, tier in enumerate(TIERS) for app in tier}


def imports_of(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def edges():
    """(app, imported app, file, line) for every import across apps."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        app = parts[0]
        for module, line in imports_of(path):
            bits = module.split(".")
            if len(bits) > 1 and bits[0] == "xiezuo" and (ROOT / bits[1]).is_dir() and bits[1] != app:
                yield app, bits[1], path.relative_to(ROOT.parent), line


def cycles(graph: dict) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def problems() -> list[str]:
    found, graph = [], {}
    apps = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    for app in apps:
        if app not in RANK:
            found.append(f"{app}: not placed in a tier (add it to TIERS here and to docs/ARCHITECTURE.md)")
    for app, target, path, line in edges():
        graph.setdefault(app, set()).add(target)
        if app in RANK and target in RANK and RANK[target] >= RANK[app]:
            found.append(f"{path}:{line}: {app} imports {target}, which is not below it")
    for comp in cycles(graph):
        found.append("cycle between apps: " + " ↔ ".join(comp))
    return found


if __name__ == "__main__":
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} layering problem(s)" if found else "layers: no upward import, no cycle")
    sys.exit(1 if found else 0)
