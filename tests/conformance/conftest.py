"""Shared access to the conformance vectors in ``<repo>/../shared/vectors``.

Three ways to use ``smallchi.jsonl`` (schema: ``../shared/vectors/README.md``):

* ``load_smallchi(scope=None) -> list[dict]`` (in ``conformance_support``, cached; raises
  ``FileNotFoundError`` when the file is absent);
* the session fixture ``smallchi_records``: a callable ``smallchi_records(scope=None)``
  that skips the test with a clear reason when the file is absent;
* parametrisation: a test that takes an argument named ``smallchi_record`` and carries
  ``@pytest.mark.smallchi(scope="frame")`` (scope optional) runs once per record, with
  the record id as test id (``#2``, ``#3``… added to repeated ids). When the file is
  absent the test is collected once and skipped with the reason.
"""
from __future__ import annotations

from typing import Callable

import pytest

from conformance_support import MISSING_REASON, SMALLCHI, load_smallchi, record_ids


@pytest.fixture(scope="session")
def smallchi_records() -> Callable[..., list[dict]]:
    """``smallchi_records(scope=None)``: the records, or a skip when the file is absent."""
    if not SMALLCHI.is_file():
        pytest.skip(MISSING_REASON)
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
    if not SMALLCHI.is_file():
        metafunc.parametrize("smallchi_record", [
            pytest.param(None, marks=pytest.mark.skip(reason=MISSING_REASON))], ids=["missing"])
        return
    records = load_smallchi(scope)
    metafunc.parametrize("smallchi_record", records, ids=record_ids(records))
