"""Periodic location reporting from the GNSS HAL, and temporary tracking (0x8202).

The interval is parameter 0x0029 (default 30 s) unless a 0x8202 tracking order is in
force (its interval until its validity period ends; interval 0 stops tracking).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import anyio
import attrs

from ..codec import LocationReport, SatelliteCount
from ..errors import JT808Error

__all__ = ["Reporter", "fix_to_report"]

log = logging.getLogger("jt808.terminal")

DEFAULT_INTERVAL = 30
_GMT8 = dt.timezone(dt.timedelta(hours=8))
_STATUS_POSITIONED = 1 << 1


def fix_to_report(fix: Any, *, alarm_flag: int = 0, status: int = 0,
                  extras: tuple = ()) -> LocationReport:
    """A 0x0200 from a ``hal.gnss.Fix`` (signed degrees; UTC time shown as GMT+8)."""
    when = fix.utc
    if when is not None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        when = when.astimezone(_GMT8).replace(tzinfo=None, microsecond=0)
    if fix.valid:
        status |= _STATUS_POSITIONED
    else:
        status &= ~_STATUS_POSITIONED
    if fix.satellites and not any(type(e) is SatelliteCount for e in extras):
        extras = (*extras, SatelliteCount(min(int(fix.satellites), 255)))
    return LocationReport(alarm_flag, status, round(fix.latitude, 6), round(fix.longitude, 6),
                          max(0, min(int(round(fix.altitude)), 0xFFFF)),
                          round(max(0.0, fix.speed), 1), int(fix.direction) % 360, when,
                          tuple(extras))


class Reporter:
    """Builds reports from the terminal's GNSS and sends them on schedule."""

    def __init__(self, terminal: Any) -> None:
        self.terminal = terminal
        self.alarm_flag = 0
        self.status = 0
        self.extras: tuple = ()
        self.tracking_interval: int | None = None
        self.tracking_until: float | None = None
        self.last_report: LocationReport | None = None

    def track(self, interval: int, validity: int) -> None:
        """0x8202: report every ``interval`` s for ``validity`` s (interval 0 stops)."""
        if interval <= 0:
            self.tracking_interval = self.tracking_until = None
            return
        self.tracking_interval = interval
        self.tracking_until = self.terminal.clock() + validity if validity else None

    def interval(self) -> float:
        if self.tracking_interval is not None:
            if self.tracking_until is None or self.terminal.clock() < self.tracking_until:
                return self.tracking_interval
            self.tracking_interval = self.tracking_until = None
        value = self.terminal.params.get(0x0029, DEFAULT_INTERVAL)
        return value if isinstance(value, (int, float)) and value > 0 else DEFAULT_INTERVAL

    async def current(self) -> LocationReport | None:
        """A report of the GNSS position now (the last one, with today's alarm and status
        flags, if the receiver gives none)."""
        gnss = self.terminal.gnss
        fix = await gnss.read() if gnss is not None else None
        if fix is None:
            last = self.last_report
            if last is not None and (last.alarm_flag, last.status) != (self.alarm_flag,
                                                                      self.status):
                self.last_report = attrs.evolve(last, alarm_flag=self.alarm_flag,
                                                status=self.status)
            return self.last_report
        self.last_report = fix_to_report(fix, alarm_flag=self.alarm_flag, status=self.status,
                                         extras=self.extras)
        return self.last_report

    async def snapshot(self) -> LocationReport:
        """``current()``, or with no position known yet an unpositioned report (0, 0)
        stamped now, so that alarms and 0x0500 can still be sent."""
        report = await self.current()
        if report is not None:
            return report
        now = dt.datetime.fromtimestamp(int(self.terminal.wall_clock()), _GMT8).replace(
            tzinfo=None)
        return LocationReport(self.alarm_flag, self.status & ~_STATUS_POSITIONED, 0.0, 0.0,
                              0, 0.0, 0, now, self.extras)

    async def loop(self, stop: anyio.Event) -> None:
        """Report every ``interval()`` seconds until ``stop`` is set."""
        while not stop.is_set():
            try:
                report = await self.current()
            except (JT808Error, OSError) as exc:
                log.warning("GNSS read failed: %s", exc)
                report = None
            if report is not None:
                self.terminal._require_tg().start_soon(self._report, report)
            with anyio.move_on_after(self.interval()):
                await stop.wait()

    async def _report(self, report: LocationReport) -> None:
        try:
            await self.terminal.report_location(report)
        except JT808Error as exc:
            log.warning("location report failed: %s", exc)
