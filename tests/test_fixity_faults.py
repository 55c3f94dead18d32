"""Every fault injected into the store is found by `archive verify --full`, and nothing else is.

The trials live in scripts/bench_fixity_faults.py, which prints the same figures with
more trials; here a quick, seeded run asserts the goal.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_fixity_faults.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fixity_faults", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_injected_bit_flip_truncation_deletion_and_stray_is_found(tmp_path: Path) -> None:
    figures = _bench().run_trials(trials=24, seed=7, workdir=tmp_path, files=12)
    per_fault = figures["per_fault"]
    assert all(per_fault[k]["injected"] >= 3 for k in ("bitflip", "truncation", "deletion", "stray")), per_fault
    assert figures["missed"] == [] and figures["false_alarms"] == []
    assert figures["faults_found"] == figures["faults_injected"] >= 24
    assert figures["all_found"] is True
