"""The position value every GNSS backend returns, and the backend interface."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["Fix", "GnssSource"]


@attrs.frozen
class Fix:
    """One GNSS position.

    ``latitude``/``longitude`` are signed degrees (south and west negative),
    ``altitude`` metres above mean sea level, ``speed`` km/h over ground,
    ``direction`` degrees clockwise from true north (0 <= d < 360), ``utc`` a
    timezone-aware UTC ``datetime`` (or ``None`` when the receiver has no time yet),
    ``satellites`` in use, ``valid`` whether the receiver reports a fix,
    ``hdop`` horizontal dilution of precision (``None`` when unknown).
    """

    latitude: float = 0.0
    longitude: float = 0.0
    altitude: float = 0.0
    speed: float = 0.0
    direction: float = 0.0
    utc: datetime | None = None
    satellites: int = 0
    valid: bool = False
    hdop: float | None = None


@runtime_checkable
class GnssSource(Protocol):
    """Anything that gives the current position.

    ``read()`` returns the newest ``Fix`` (``valid`` False when the receiver
    talks but has no fix) or ``None`` when no position data is available now.
    """

    async def read(self) -> Fix | None: ...
