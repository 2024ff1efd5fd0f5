"""Loading and naming the conformance vectors in ``tests/vectors`` (sources and schema:
``tests/vectors/README.md``); used by ``conftest.py`` and the ``test_codec_*`` modules
as ``from conformance_support import ...``. A missing file is an error, never a skip.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Collection

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SMALLCHI = VECTORS / "smallchi.jsonl"


@functools.lru_cache(maxsize=1)
def _all_records() -> tuple[dict, ...]:
    with SMALLCHI.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def load_smallchi(scope: str | None = None) -> list[dict]:
    """Every record of smallchi.jsonl, or those whose ``scope`` equals ``scope``
    (``FileNotFoundError`` when the file is absent: the tests fail)."""
    return [r for r in _all_records() if scope is None or r["scope"] == scope]


def standard_records(msg_ids: Collection[int],
                     test_kinds: Collection[str] | None = None) -> list[dict]:
    """The records of ``msg_ids`` (and ``test_kinds``, if given) that are neither
    ``extension`` nor ``smallchi_specific`` (``FileNotFoundError`` when the file is absent)."""
    return [r for r in _all_records() if r.get("msg_id") in msg_ids
            and (test_kinds is None or r["test_kind"] in test_kinds)
            and not r.get("extension") and not r.get("smallchi_specific")]


def record_ids(records: list[dict]) -> list[str]:
    """The record ids, made unique by a ``#n`` suffix on repeats (some tests hold several)."""
    seen: dict[str, int] = {}
    ids = []
    for record in records:
        count = seen[record["id"]] = seen.get(record["id"], 0) + 1
        ids.append(record["id"] if count == 1 else f"{record['id']}#{count}")
    return ids
