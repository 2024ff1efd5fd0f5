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

mutmut changes code inside functions only, not module-level tables, and the field
widths and bit positions live in such tables. ``--tables`` therefore also applies each
change of ``TABLE_MUTANTS`` to the scratch copy in turn, runs the same unit tests with
``-x`` and reports whether they failed (killed) or passed (survived).
"""
from __future__ import annotations

import argparse
import os
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


#: (file, text, replacement, what it means): hand-made mutants of module-level tables
TABLE_MUTANTS = (
    ("jt808/codec/_general.py", "Version.V2011: (5, 8, 7)", "Version.V2011: (5, 20, 7)",
     "2011 0x0100 model width 8 -> 20"),
    ("jt808/codec/_general.py", "Version.V2013: (5, 20, 7)", "Version.V2013: (5, 20, 8)",
     "2013 0x0100 terminal id width 7 -> 8"),
    ("jt808/codec/_general.py", "Version.V2019: (11, 30, 30)", "Version.V2019: (11, 20, 30)",
     "2019 0x0100 model width 30 -> 20"),
    ("jt808/codec/_general.py", "Version.V2019: (11, 30, 30)", "Version.V2019: (5, 30, 30)",
     "2019 0x0100 maker width 11 -> 5"),
    ("jt808/codec/_general.py", 'struct.Struct(">HHB")', 'struct.Struct(">HBB")',
     "0x0001/0x8001 reply id WORD -> BYTE"),
    ("jt808/frame/_header.py", "MAX_BODY = 0x3FF", "MAX_BODY = 0x1FF",
     "body length bits 0-9 -> 0-8"),
    ("jt808/frame/_header.py", "_ENCRYPTION_SHIFT = 10", "_ENCRYPTION_SHIFT = 11",
     "encryption bits 10-12 -> 11-13"),
    ("jt808/frame/_header.py", "_SUBPACKAGED = 1 << 13", "_SUBPACKAGED = 1 << 12",
     "subpackage bit 13 -> 12"),
    ("jt808/frame/_header.py", "_VERSION_FLAG = 1 << 14", "_VERSION_FLAG = 1 << 15",
     "version flag bit 14 -> 15"),
    ("jt808/frame/_header.py", "_RESERVED = 1 << 15", "_RESERVED = 1 << 14",
     "reserved bit 15 -> 14"),
    ("jt808/frame/_header.py", '_HEAD_2019 = struct.Struct(">HHB10sH")',
     '_HEAD_2019 = struct.Struct(">HHH10sH")', "2019 protocol version BYTE -> WORD"),
    ("jt808/session/_retry.py", "0x0002: 30, 0x0003: 3", "0x0002: 20, 0x0003: 3",
     "TCP reply timeout default 30 -> 20 s"),
    ("jt808/session/_retry.py", "0x0006: 60, 0x0007: 3", "0x0006: 30, 0x0007: 3",
     "SMS reply timeout default 60 -> 30 s"),
    ("jt808/session/_retry.py", '"udp": (0x0004, 0x0005)', '"udp": (0x0002, 0x0003)',
     "UDP bearer reads the TCP parameters"),
)


def run_tables(workdir: Path) -> list[tuple[str, str, str]]:
    """(file, what, killed/survived) for each of ``TABLE_MUTANTS``."""
    outcomes = []
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly",
               "-p", "no:cacheprovider", *TEST_DIRS, *(f"--deselect={t}" for t in SLOW)]
    for name, text, replacement, what in TABLE_MUTANTS:
        path = workdir / name
        original = path.read_text(encoding="utf-8")
        if original.count(text) != 1:
            raise SystemExit(f"{name}: {text!r} is not there once: update TABLE_MUTANTS")
        path.write_text(original.replace(text, replacement), encoding="utf-8")
        try:
            code = subprocess.call(command, cwd=workdir, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=_env(workdir))
        finally:
            path.write_text(original, encoding="utf-8")
        outcomes.append((name, what, "survived" if code == 0 else "killed"))
    return outcomes


def _env(workdir: Path) -> dict[str, str]:
    """The scratch copy's ``jt808`` first on the path (not the installed one)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir),
                                                      env.get("PYTHONPATH", "")]))
    return env


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
    parser.add_argument("--tables", action="store_true",
                        help="also run the hand-made TABLE_MUTANTS (module-level tables)")
    parser.add_argument("--only-tables", action="store_true",
                        help="run the TABLE_MUTANTS only, not mutmut")
    args = parser.parse_args(argv)
    if args.only_tables:
        prepare(args.workdir, args.modules)
        print(tables_summary(run_tables(args.workdir)))
        return 0
    if not args.report_only:
        prepare(args.workdir, args.modules)
        code = run(args.workdir, args.max_children)
        if code not in (0, 1):
            return code
    print(summary(results(args.workdir)))
    if args.tables:
        print(tables_summary(run_tables(args.workdir)))
    return 0


def tables_summary(outcomes: list[tuple[str, str, str]]) -> str:
    killed = sum(1 for *_, outcome in outcomes if outcome == "killed")
    lines = [f"\nmodule-level tables: {killed} of {len(outcomes)} killed",
             "| file | change | outcome |", "|---|---|---|"]
    lines += [f"| {name} | {what} | {outcome} |" for name, what, outcome in outcomes]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
