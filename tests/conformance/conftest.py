"""Shared access to the conformance vectors in ``tests/vectors`` (sources and schema:
``tests/vectors/README.md``).

Three ways to use ``smallchi.jsonl``:

* ``load_smallchi(scope=None) -> list[dict]`` (in ``conformance_support``, cached; raises
  ``FileNotFoundError`` when the file is absent, so the tests fail: they never skip);
* the session fixture ``smallchi_records``: the same callable, as a fixture;
* parametrisation: a test that takes an argument named ``smallchi_record`` and carries
  ``@pytest.mark.smallchi(scope="frame")`` (scope optional) runs once per record, with
  the record id as test id (``#2``, ``#3``… added to repeated ids).
"""
from __future__ import annotations

from typing import Callable

import pytest

from conformance_support import load_smallchi, record_ids


@pytest.fixture(scope="session")
def smallchi_records() -> Callable[..., list[dict]]:
    """``smallchi_records(scope=None)``: the records of that scope."""
    return load_smallchi


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "smallchi(scope=None): parametrise argument 'smallchi_record' over "
                   "smallchi.jsonl records of that scope")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "smallchi_record" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("smallchi")
    scope = marker.kwargs.get("scope") if marker else None
    records = load_smallchi(scope)
    metafunc.parametrize("smallchi_record", records, ids=record_ids(records))
