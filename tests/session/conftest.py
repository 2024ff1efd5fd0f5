"""Fixtures: a logged-in terminal/platform session pair (2013 and 2019)."""
from __future__ import annotations

import pytest
from session_pair import SessionPair

from jt808.frame import Version


@pytest.fixture
def pair() -> SessionPair:
    p = SessionPair()
    p.login()
    return p


@pytest.fixture
def pair2019() -> SessionPair:
    p = SessionPair(Version.V2019)
    p.login()
    return p
