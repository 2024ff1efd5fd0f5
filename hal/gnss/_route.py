"""A simulated receiver driving along waypoints: position as a function of time."""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

import attrs

from hal.gnss._fix import Fix

__all__ = ["Waypoint", "RouteGnss", "DEFAULT_ROUTE"]

EARTH_RADIUS_M = 6_371_008.8


@attrs.frozen
class Waypoint:
    """A point of the route; ``speed`` (km/h) applies to the leg that starts here,
    ``dwell`` seconds are spent stopped here first (a traffic light, a stop)."""

    latitude: float
    longitude: float
    speed: float = 40.0
    altitude: float = 50.0
    dwell: float = 0.0


#: Beijing 2nd Ring Road, clockwise from Xizhimen (gate positions approximate,
#: about 32 km); urban-expressway speeds 35-60 km/h with a few stops.
DEFAULT_ROUTE: tuple[Waypoint, ...] = (
    Waypoint(39.9405, 116.3553, 50, 52, 20),   # Xizhimen
    Waypoint(39.9485, 116.3790, 55, 50),       # Deshengmen
    Waypoint(39.9490, 116.4080, 60, 48),       # Andingmen
    Waypoint(39.9410, 116.4340, 45, 45, 30),   # Dongzhimen
    Waypoint(39.9240, 116.4350, 50, 44),       # Chaoyangmen
    Waypoint(39.9080, 116.4350, 35, 43, 15),   # Jianguomen
    Waypoint(39.8990, 116.4340, 55, 42),       # Dongbianmen
    Waypoint(39.8690, 116.4260, 60, 40),       # Zuo'anmen
    Waypoint(39.8650, 116.3980, 50, 41, 25),   # Yongdingmen
    Waypoint(39.8680, 116.3610, 55, 43),       # You'anmen
    Waypoint(39.8990, 116.3560, 45, 46),       # Xibianmen
    Waypoint(39.9230, 116.3560, 50, 49),       # Fuchengmen
)


def distance_m(a: Waypoint, b: Waypoint) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def bearing_deg(a: Waypoint, b: Waypoint) -> float:
    """Initial great-circle bearing from ``a`` to ``b``, 0 <= deg < 360."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dl = math.radians(b.longitude - a.longitude)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


@attrs.frozen
class _Leg:
    start: Waypoint
    end: Waypoint
    dwell: float          # seconds stopped at ``start``
    drive: float          # seconds driving to ``end``
    bearing: float


class RouteGnss:
    """``GnssSource`` that follows ``waypoints`` (default: ``DEFAULT_ROUTE``).

    ``fix_at(t)`` gives the position ``t`` seconds after the start; ``read()`` uses
    ``clock()`` (default ``time.monotonic``) minus its value at construction.
    With ``loop`` the route closes (last waypoint back to the first) and repeats;
    without, the vehicle stops at the last waypoint.
    """

    def __init__(self, waypoints: Sequence[Waypoint] = DEFAULT_ROUTE, *, loop: bool = True,
                 clock: Callable[[], float] = time.monotonic,
                 start_utc: datetime | None = None,
                 satellites: int = 9, hdop: float = 0.9) -> None:
        if len(waypoints) < 2:
            raise ValueError("a route needs at least 2 waypoints")
        self.loop = loop
        self.clock = clock
        self.start_utc = start_utc or datetime.now(timezone.utc)
        self.satellites, self.hdop = satellites, hdop
        points = list(waypoints) + ([waypoints[0]] if loop else [])
        self.legs = tuple(self._leg(a, b) for a, b in zip(points, points[1:]))
        self.duration = sum(leg.dwell + leg.drive for leg in self.legs)
        self._t0 = clock()

    @staticmethod
    def _leg(a: Waypoint, b: Waypoint) -> _Leg:
        if a.speed <= 0 or a.dwell < 0:
            raise ValueError(f"waypoint {a}: speed must be > 0 and dwell >= 0")
        meters = distance_m(a, b)
        if meters == 0:
            raise ValueError(f"consecutive waypoints coincide: {a}")
        return _Leg(a, b, a.dwell, meters / (a.speed / 3.6), bearing_deg(a, b))

    async def read(self) -> Fix:
        return self.fix_at(self.clock() - self._t0)

    def fix_at(self, t: float) -> Fix:
        """The position ``t`` seconds (>= 0) after the start."""
        if t < 0:
            raise ValueError("t must be >= 0")
        utc = self.start_utc + timedelta(seconds=t)
        offset = t % self.duration if self.loop else t
        for leg in self.legs:
            if offset < leg.dwell:
                return self._fix(leg.start, leg.start, 0.0, 0.0, leg.bearing, utc)
            offset -= leg.dwell
            if offset < leg.drive:
                return self._fix(leg.start, leg.end, offset / leg.drive,
                                 leg.start.speed, leg.bearing, utc)
            offset -= leg.drive
        last = self.legs[-1]
        return self._fix(last.end, last.end, 0.0, 0.0, last.bearing, utc)

    def _fix(self, a: Waypoint, b: Waypoint, k: float, speed: float,
             bearing: float, utc: datetime) -> Fix:
        def lerp(x: float, y: float) -> float:
            return x + (y - x) * k
        return Fix(latitude=lerp(a.latitude, b.latitude),
                   longitude=lerp(a.longitude, b.longitude),
                   altitude=lerp(a.altitude, b.altitude), speed=speed,
                   direction=bearing, utc=utc, satellites=self.satellites,
                   valid=True, hdop=self.hdop)
