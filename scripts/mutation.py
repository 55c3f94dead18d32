"""Mutation testing: does the suite notice when the code is broken?

Core modules (no browser) go through mutmut 3: each is mutated in a scratch copy of the
checkout, only the tests that cover it run, and the score is killed / all mutants
(a mutant no test reaches counts as surviving). A survivor is either killed by a new
test or explained in one line in tests/mutants/survivors.txt; unexplained survivors
make the run fail. ``--sample N --seed S`` tests a seeded random N of a module's mutants
(imports has over 5,000) and reports the score with its 95 % interval.

Browser-bound modules (capture engine, feed, segments, runs, PDF/A) are too slow for
generated mutants: tests/mutants/browser.tsv lists hand-written ones (file, exact text,
replacement, tests), applied one at a time in a scratch copy; each must make a test fail.

Run from scripts/mutation.sh; nothing here touches the checkout itself.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "tests" / "mutants"
COPY = ("archiver", "retention", "fixtures", "tests", "pyproject.toml")

# The retention engine's quick tests (test_retention_kill.py is slow and runs whole subprocesses).
RETENTION_TESTS = ["tests/test_retention_cli.py", "tests/test_retention_props.py", "tests/test_packages_retention.py",
                   "tests/test_retention_holds.py", "tests/test_retention_policy_rules.py",
                   "tests/test_retention_culling.py"]
# module -> (files mutmut mutates, tests that guard them)
CORE: dict[str, tuple[list[str], list[str]]] = {
    "audit": (["archiver/home/audit.py"], ["tests/test_cli_foundation.py", "tests/test_promises_audit.py"]),
    "screen": (["retention/screen.py", "retention/terms.py"],
               ["tests/test_screen.py", "tests/test_promises_screen.py"]),
    "schedule": (["archiver/schedule.py"], ["tests/test_schedule.py", "tests/test_promises_schedule.py"]),
    "marks": (["archiver/items/marks.py"], ["tests/test_items_cli.py", "tests/test_promises_items.py",
                                            "tests/test_marks_rules.py"]),
    "report": (["archiver/items/report.py"], ["tests/test_promises_items.py"]),
    "search": (["archiver/items/search.py"], ["tests/test_promises_items.py"]),
    "ingest": (["archiver/items/ingest.py"], ["tests/test_items_ingest.py", "tests/test_promises_items.py"]),
    "imports": (["archiver/items/imports/*.py"],
                ["tests/test_imports.py", "tests/test_imports_safety.py", "tests/test_imports_props.py",
                 "tests/test_promises_imports.py", "tests/test_imports_layouts.py", "tests/test_imports_items.py",
                 "tests/test_imports_real.py", "tests/test_imports_fields.py", "tests/test_imports_rules.py",
                 "tests/test_imports_edges.py", "tests/test_imports_tar.py",
                 "tests/test_imports_containers.py", "tests/test_imports_readers.py"]),
    "policy": (["retention/policy.py"], RETENTION_TESTS),
    "culling": (["retention/culling.py"], RETENTION_TESTS),
    "holds": (["retention/holds.py"], RETENTION_TESTS),
}
KILLED = {"killed", "timeout", "segfault", "suspicious"}


def scratch_copy(tmp: Path) -> Path:
    """A copy of the checkout in tmp/bevara; tmp/shared points at the reference material the
    tests find beside the checkout (the real exports), or at $MUTATION_SHARED for a checkout
    that has none beside it (a git worktree), when it is there."""
    dest = tmp / "bevara"
    dest.mkdir()
    shared = Path(os.environ.get("MUTATION_SHARED") or ROOT.parent / "shared")
    if shared.is_dir():
        (tmp / "shared").symlink_to(shared.resolve())
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def explained() -> dict[str, str]:
    reasons = {}
    path = MUTANTS / "survivors.txt"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            reasons[name] = reason.strip()
    return reasons


def mutant_status(mutmut: Path, work: Path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=work, env=env,
                         capture_output=True, text=True, check=True).stdout
    status = {}
    for line in out.splitlines():
        name, sep, state = line.strip().rpartition(": ")
        if sep:
            status[name] = state
    return status


def wilson(killed: int, n: int, population: int) -> tuple[float, float]:
    """95 % interval of the whole module's score from a sample drawn without replacement."""
    if n == 0:
        return 0.0, 1.0
    z = 1.96
    # Finite population: a sample of most of the mutants says more than one of a few.
    n_eff = n * (population - 1) / (population - n) if population > n else float("inf")
    if math.isinf(n_eff):
        p = killed / n
        return p, p
    p = killed / n
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / (1 + z * z / n_eff)
    return max(0.0, centre - half), min(1.0, centre + half)


def run_core(module: str, jobs: int, python: Path, sample: int | None = None, seed: int = 0,
             only: list[str] | None = None) -> tuple[int, int, list[str], int]:
    """Score one module; returns killed, tested, survivors and the module's mutant count."""
    files, tests = CORE[module]
    tests = [t for t in tests if (ROOT / t).exists()]
    with tempfile.TemporaryDirectory(prefix=f"bevara-mutation-{module}-") as tmp:
        work = scratch_copy(Path(tmp))
        with (work / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n[tool.mutmut]\n"
                     'source_paths = ["archiver", "retention", "fixtures"]\n'
                     f"only_mutate = {json.dumps(files)}\n"
                     f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
                     'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-m", "not browser and not slow", '
                     '"--hypothesis-profile=mutation"]\n')
        mutmut = python.parent / "mutmut"
        env = {**os.environ, "PYTHONPATH": str(work)}
        run = ["nice", "-n", "19", str(mutmut), "run", "--max-children", str(jobs)]
        chosen: list[str] = list(only or [])
        if sample is not None and not only:
            # mutmut has no "generate only": a name that matches no mutant makes it generate
            # the mutants and map tests to functions, then stop before testing any.
            subprocess.run([*run, "bevara-no-such-mutant"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            every = sorted(mutant_status(mutmut, work, env))
            if not every:
                raise SystemExit(f"Error: mutmut generated no mutants for {module}; run it by hand in {work}")
            chosen = sorted(random.Random(seed).sample(every, min(sample, len(every))))
            population = len(every)
        subprocess.run([*run, *chosen], cwd=work, env=env, stdout=subprocess.DEVNULL, check=False)
        status = mutant_status(mutmut, work, env)
        if only:
            population = len(status)
            status = {n: s for n, s in status.items() if any(fnmatch.fnmatch(n, o) for o in only)}
        elif sample is None:
            population = len(status)
        else:
            status = {n: status[n] for n in chosen}
        killed = sum(1 for s in status.values() if s in KILLED)
        survivors = sorted(n for n, s in status.items() if s not in KILLED)
        for n in survivors:
            diff = subprocess.run([str(mutmut), "show", n], cwd=work, env=env, capture_output=True,
                                  text=True, check=False).stdout
            changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            print(f"  survived ({status[n]}): {n}\n    " + "\n    ".join(changed), file=sys.stderr)
    return killed, len(status), survivors, population


def run_browser(python: Path, only: set[str] | None) -> tuple[int, int, list[str]]:
    """Apply each hand-written mutant alone in a scratch copy; its tests must fail."""
    rows = []
    for line in (MUTANTS / "browser.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    survivors, total = [], 0
    for name, path, find, replace, tests in rows:
        if only and name not in only:
            continue
        total += 1
        with tempfile.TemporaryDirectory(prefix=f"bevara-mutant-{name}-") as tmp:
            work = scratch_copy(Path(tmp))
            target = work / path
            text = target.read_text(encoding="utf-8")
            find_s, repl_s = find.replace("\\n", "\n"), replace.replace("\\n", "\n")
            if text.count(find_s) != 1:
                print(f"  {name}: text to replace found {text.count(find_s)} times in {path}; fix browser.tsv",
                      file=sys.stderr)
                survivors.append(name)
                continue
            target.write_text(text.replace(find_s, repl_s), encoding="utf-8")
            result = subprocess.run(["nice", "-n", "19", str(python), "-m", "pytest", "-x", "-q",
                                     "-p", "no:cacheprovider", *tests.split()], cwd=work,
                                    env={**os.environ, "PYTHONPATH": str(work)},
                                    capture_output=True, text=True, check=False)
            verdict = "killed" if result.returncode == 1 else (
                "survived" if result.returncode == 0 else f"error (pytest exit {result.returncode})")
            print(f"  {name}: {verdict}", file=sys.stderr)
            if verdict != "killed":
                survivors.append(name)
    return total - len(survivors), total, survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"core modules ({', '.join(CORE)}), 'browser', "
                        "or browser:NAME for one hand-written mutant; default: every core module")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATION_JOBS", "1")),
                        help="mutants tested at once (default 1: the machine is shared)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="test a random N of each module's mutants; the score gets a 95 %% interval")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample's draw (default 0)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="retest only these mutants (mutmut names, * allowed; repeatable), "
                        "e.g. last run's survivors after adding tests")
    args = parser.parse_args()
    python = Path(sys.executable)
    modules = args.modules or list(CORE)
    reasons = explained()
    total_killed = total = 0
    unexplained: list[str] = []
    browser_only = {m.split(":", 1)[1] for m in modules if m.startswith("browser:")}
    if "browser" in modules or browser_only:
        killed, n, survivors = run_browser(python, browser_only or None)
        print(json.dumps({"module": "browser (hand-written)", "killed": killed, "mutants": n,
                          "score": round(killed / n, 3) if n else None, "survivors": survivors}))
        unexplained += survivors
    for module in modules:
        if module == "browser" or module.startswith("browser:"):
            continue
        if module not in CORE:
            print(f"Error: unknown module {module!r}; choose from {', '.join(CORE)} or browser", file=sys.stderr)
            return 2
        started = time.monotonic()
        killed, n, survivors, population = run_core(module, args.jobs, python, args.sample, args.seed, args.only)
        total_killed += killed
        total += n
        left = [s for s in survivors if s not in reasons]
        unexplained += left
        line: dict[str, object] = {"module": module, "killed": killed, "mutants": n,
                                   "score": round(killed / n, 3) if n else None}
        if args.only:
            line.update(of_module=population)
        elif args.sample is not None:
            low, high = wilson(killed, n, population)
            line.update(sampled_from=population, seed=args.seed, ci95=[round(low, 3), round(high, 3)])
        line.update(explained_survivors=len(survivors) - len(left), unexplained=left,
                    seconds=round(time.monotonic() - started))
        print(json.dumps(line), flush=True)
    if total:
        print(json.dumps({"core": {"killed": total_killed, "mutants": total,
                                   "score": round(total_killed / total, 3)}}))
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
