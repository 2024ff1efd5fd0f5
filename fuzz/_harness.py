"""Shared start-up for the atheris harnesses: repo on sys.path, one ``main``."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import atheris  # noqa: E402  (after the path fix; ImportError says: pip install atheris)


def main(test_one_input) -> None:
    """``python fuzz/fuzz_<target>.py fuzz/corpus/<target> -max_total_time=60``."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
