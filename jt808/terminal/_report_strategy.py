"""When the terminal reports its position: parameters 0x0020-0x002F (JT/T 808-2013 §8.9
table 12), read anew at every wake, so a 0x8103 takes effect at once.

- 0x0020 strategy: 0 timed, 1 by distance, 2 timed and by distance (whichever comes first).
- 0x0021 scheme: 0 by ACC state; 1 by driver login state first, then by ACC state.
- The state picks the interval (s) and distance (m) pair: emergency alarm (alarm bit 0)
  0x0028/0x002F; driver not logged in (scheme 1) 0x0022/0x002D; ACC off (status bit 0
  clear) "sleeping" 0x0027/0x002E; else the defaults 0x0029/0x002C. A pair member that
  is not set falls back to the default (0x0029, default 30 s; 0x002C, none).
- A 0x8202 tracking order replaces all of this while it lasts (``Reporter.track``).

Distance is measured along the fixes read every :data:`DISTANCE_POLL` seconds.
"""
from __future__ import annotations

import math
from typing import Any

import attrs

__all__ = ["ReportRule", "report_rule", "DistanceMeter", "DISTANCE_POLL", "DEFAULT_INTERVAL"]

DEFAULT_INTERVAL = 30
DISTANCE_POLL = 1.0
_EARTH_M = 6_371_000.0

_EMERGENCY, _NO_DRIVER, _SLEEPING, _DEFAULT = ((0x0028, 0x002F), (0x0022, 0x002D),
                                              (0x0027, 0x002E), (0x0029, 0x002C))


@attrs.frozen
class ReportRule:
    """``interval`` s between timed reports (None: not timed); ``distance`` m between
    distance reports (None: not by distance)."""

    interval: float | None
    distance: float | None


def _positive(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def report_rule(params: Any, *, status: int, alarm_flag: int,
                driver_logged_in: bool = True) -> ReportRule:
    """The rule in force for this state (``params``: anything with ``get(id)``)."""
    if alarm_flag & 1:
        pair = _EMERGENCY
    elif params.get(0x0021, 0) == 1 and not driver_logged_in:
        pair = _NO_DRIVER
    elif not status & 1:
        pair = _SLEEPING
    else:
        pair = _DEFAULT
    interval = (_positive(params.get(pair[0])) or _positive(params.get(0x0029))
                or float(DEFAULT_INTERVAL))
    distance = _positive(params.get(pair[1])) or _positive(params.get(0x002C))
    strategy = params.get(0x0020, 0)
    if strategy == 1 and distance is not None:
        return ReportRule(None, distance)
    if strategy == 2:
        return ReportRule(interval, distance)
    return ReportRule(interval, None)


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


class DistanceMeter:
    """Metres travelled since the last report, summed over the fixes seen."""

    def __init__(self) -> None:
        self.travelled = 0.0
        self._last: tuple[float, float] | None = None

    def add(self, latitude: float, longitude: float) -> float:
        if self._last is not None:
            self.travelled += metres_between(*self._last, latitude, longitude)
        self._last = (latitude, longitude)
        return self.travelled

    def reset(self) -> None:
        self.travelled = 0.0
