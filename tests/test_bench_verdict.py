"""bench_capture.py's "ok" means what it says: every capture succeeded and every goal was met."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def bench() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "scripts" / "bench_capture.py"
    spec = importlib.util.spec_from_file_location("bench_capture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ok_is_false_beside_a_missed_goal_or_a_failed_capture() -> None:
    b = bench()
    met = b.goal(1.4, 1.5)
    missed = b.goal(1.83, 1.5)
    assert met == {"value": 1.4, "goal": 1.5, "met": True}
    assert missed == {"value": 1.83, "goal": 1.5, "met": False}
    assert b.goal(1.5, 1.5)["met"] is True  # "at most" the goal
    assert b.verdict(True, {"cpu": met, "wall": met}) is True
    assert b.verdict(True, {"cpu": met, "wall": missed}) is False
    assert b.verdict(False, {"cpu": met}) is False
    assert b.verdict(True, {}) is True
