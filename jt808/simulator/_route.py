"""One precomputed route shared by every simulated terminal; each starts at its own offset."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hal.gnss import DEFAULT_ROUTE, RouteGnss

from ..codec import LocationReport

__all__ = ["SharedRoute"]

_GMT8 = timezone(timedelta(hours=8))
_STATUS = 0x000C0003         # ACC on, positioned, GPS + BDS in use


class SharedRoute:
    """Positions of ``RouteGnss`` at every second of one lap, computed once.

    ``report(offset, now_wall)`` is the 0x0200 of a vehicle ``offset`` seconds into
    the lap: terminals share the table and differ by their offset (a few bytes each).
    """

    def __init__(self, step: float = 1.0) -> None:
        gnss = RouteGnss(DEFAULT_ROUTE)
        count = max(2, int(gnss.duration / step))
        self.points = tuple(self._point(gnss, i * step) for i in range(count))
        self._time_key = -1
        self._time: datetime | None = None

    @staticmethod
    def _point(gnss: RouteGnss, t: float) -> tuple:
        fix = gnss.fix_at(t)
        return (round(fix.latitude, 6), round(fix.longitude, 6), int(fix.altitude),
                round(fix.speed, 1), int(fix.direction) % 360)

    def offset_for(self, index: int) -> int:
        return (index * 7919) % len(self.points)

    def report(self, offset: int, elapsed: float, wall: float) -> LocationReport:
        latitude, longitude, altitude, speed, direction = \
            self.points[(offset + int(elapsed)) % len(self.points)]
        return LocationReport(0, _STATUS, latitude, longitude, altitude, speed, direction,
                              self._now(wall))

    def _now(self, wall: float) -> datetime:
        key = int(wall)
        if key != self._time_key:                 # one datetime per second, shared
            self._time_key = key
            self._time = datetime.fromtimestamp(key, _GMT8).replace(tzinfo=None)
        return self._time  # type: ignore[return-value]
