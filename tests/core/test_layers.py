"""The apps keep the layering of docs/ARCHITECTURE.md: no app imports one above it, none
imports another in a cycle (scripts/check_layers.py, which a developer can run alone)."""
import importlib.util
import pathlib

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "check_layers.py"


def load_checker():
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_app_imports_an_app_above_it_or_in_a_cycle():
    assert load_checker().problems() == []


def test_the_checker_sees_an_upward_import_and_a_cycle():
    checker = load_checker()
    graph = {"core": {"regions"}, "regions": {"core"}}
    assert checker.cycles(graph) == [["core", "regions"]]
    assert checker.RANK["core"] < checker.RANK["regions"] < checker.RANK["web"]
