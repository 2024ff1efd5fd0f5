"""Mutation run over the sans-IO layers (frame, codec, session) with mutmut.

Not part of CI (it takes tens of minutes). Install the tool with
``pip install -e '.[test,mutation]'``, then::

    nice python tools/mutation.py                       # the sample modules below
    nice python tools/mutation.py jt808/frame/_header.py jt808/session/_retry.py
    python tools/mutation.py --report-only              # summarise the last run again

The run happens in a scratch copy (``--workdir``, default ``/tmp/jt808-mutation``) holding
``jt808/``, the fast unit tests (``tests/frame``, ``tests/codec``, ``tests/session``,
``tests/conformance``), their vectors and a ``setup.cfg`` with the mutmut settings, so
the repository itself is never touched. mutmut runs for every mutant only the tests that
reached the mutated function. The summary prints, per module, the mutants killed,
survived, timed out and not covered, the score (killed + timeout) / (all - skipped),
and the name of every survivor (``mutmut show NAME`` in the workdir shows its diff).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ("jt808/frame/_header.py", "jt808/frame/_escape.py", "jt808/codec/_general.py",
          "jt808/codec/_link.py", "jt808/session/_retry.py", "jt808/session/_packets.py")
TEST_DIRS = ("tests/frame", "tests/codec", "tests/session", "tests/conformance")
COPIED = ("jt808", "pyproject.toml", "tests/vectors", *TEST_DIRS)
KILLED = {"killed", "timeout"}
#: left out of every mutant's run: a memory bound test that takes ~40 s on its own
SLOW = ("tests/session/test_rsa_and_bounds.py::test_hostile_totals_do_not_grow_memory",)


def prepare(workdir: Path, modules: list[str]) -> None:
    """A fresh scratch copy of the code, the unit tests and a mutmut config."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    for name in COPIED:
        source, target = REPO / name, workdir / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (workdir / "setup.cfg").write_text(_config(modules), encoding="utf-8")


def _config(modules: list[str]) -> str:
    lines = ["[mutmut]", "source_paths = jt808", "only_mutate ="]
    lines += [f"    {module}" for module in modules]
    lines += ["pytest_add_cli_args_test_selection ="]
    lines += [f"    {path}" for path in TEST_DIRS]
    lines += ["pytest_add_cli_args =", "    -p", "    no:randomly", "    -x", "    -q"]
    lines += [f"    --deselect={test}" for test in SLOW]
    return "\n".join(lines) + "\n"


def run(workdir: Path, max_children: int) -> int:
    command = [sys.executable, "-m", "mutmut", "run", f"--max-children={max_children}"]
    return subprocess.call(command, cwd=workdir)


def results(workdir: Path) -> dict[str, str]:
    """mutant name -> status, from ``mutmut results --all true``."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                         cwd=workdir, capture_output=True, text=True, check=True).stdout
    statuses = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status.strip()
    return statuses


def module_of(mutant: str) -> str:
    """``jt808.frame._header.x_pack__mutmut_3`` -> ``jt808/frame/_header.py``."""
    parts = mutant.split(".")
    while parts and "__mutmut_" not in parts[-1]:
        parts.pop()
    return "/".join(parts[:-1]) + ".py"


def summary(statuses: dict[str, str]) -> str:
    per_module: dict[str, Counter] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for name, status in statuses.items():
        module = module_of(name)
        per_module[module][status] += 1
        if status in {"survived", "no tests"}:
            survivors[module].append(f"{name} ({status})")
    lines = ["| module | mutants | killed | timeout | survived | no tests | score |",
             "|---|---|---|---|---|---|---|"]
    total: Counter = Counter()
    for module in sorted(per_module):
        counts = per_module[module]
        total.update(counts)
        lines.append(_row(module, counts))
    lines.append(_row("**all**", total))
    for module in sorted(survivors):
        lines.append(f"\n{module}:")
        lines += [f"  {name}" for name in sorted(survivors[module])]
    return "\n".join(lines)


def _row(label: str, counts: Counter) -> str:
    tested = sum(counts.values()) - counts["skipped"]
    killed = sum(counts[status] for status in KILLED)
    score = f"{100 * killed / tested:.1f} %" if tested else "-"
    return (f"| {label} | {tested} | {counts['killed']} | {counts['timeout']} | "
            f"{counts['survived']} | {counts['no tests']} | {score} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(SAMPLE),
                        help="source files to mutate (default: the sample modules)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jt808-mutation"),
                        help="scratch copy to run in (default: %(default)s)")
    parser.add_argument("--max-children", type=int, default=2,
                        help="parallel mutant runs (default: %(default)s)")
    parser.add_argument("--report-only", action="store_true",
                        help="summarise the last run in --workdir without running")
    args = parser.parse_args(argv)
    if not args.report_only:
        prepare(args.workdir, args.modules)
        code = run(args.workdir, args.max_children)
        if code not in (0, 1):
            return code
    print(summary(results(args.workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
