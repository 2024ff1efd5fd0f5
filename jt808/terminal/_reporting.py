"""Periodic location reporting from the GNSS HAL, and temporary tracking (0x8202).

When to report follows the report strategy of parameters 0x0020-0x002F
(``_report_strategy``: timed, by distance or both; emergency, no-driver, sleeping and
default intervals), re-read at every wake, unless a 0x8202 tracking order is in force
(its interval until its validity period ends; interval 0 stops tracking).
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import anyio
import attrs

from ..codec import LocationReport, SatelliteCount
from ..errors import JT808Error
from ._report_strategy import (DEFAULT_INTERVAL, DISTANCE_POLL, DistanceMeter, ReportRule,
                               report_rule)

__all__ = ["Reporter", "fix_to_report"]

log = logging.getLogger("jt808.terminal")

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
        self.meter = DistanceMeter()
        self._wake = anyio.Event()

    def track(self, interval: int, validity: int) -> None:
        """0x8202: report every ``interval`` s for ``validity`` s (interval 0 stops)."""
        if interval <= 0:
            self.tracking_interval = self.tracking_until = None
            self.wake()
            return
        self.tracking_interval = interval
        self.tracking_until = self.terminal.clock() + validity if validity else None
        self.wake()

    def rule(self) -> ReportRule:
        """The report rule in force: a 0x8202 order while it lasts, else the strategy of
        parameters 0x0020-0x002F for the current state (``_report_strategy``)."""
        if self.tracking_interval is not None:
            if self.tracking_until is None or self.terminal.clock() < self.tracking_until:
                return ReportRule(self.tracking_interval, None)
            self.tracking_interval = self.tracking_until = None
        return report_rule(self.terminal.params, status=self.status,
                           alarm_flag=self.alarm_flag,
                           driver_logged_in=getattr(self.terminal, "driver", None) is not None)

    def interval(self) -> float:
        """Seconds between timed reports now (distance-only: the distance poll)."""
        return self.rule().interval or DISTANCE_POLL

    def wake(self) -> None:
        """Re-read the rule now (a 0x8103 or 0x8202 changed it)."""
        self._wake.set()

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
        now = dt.datetime.now(_GMT8).replace(tzinfo=None, microsecond=0)
        return LocationReport(self.alarm_flag, self.status & ~_STATUS_POSITIONED, 0.0, 0.0,
                              0, 0.0, 0, now, self.extras)

    async def loop(self, stop: anyio.Event) -> None:
        """Report by ``rule()`` (timed and/or by distance) until ``stop`` is set; a
        ``wake()`` re-reads the rule at once."""
        last_sent = -math.inf
        while not stop.is_set():
            rule = self.rule()
            try:
                report = await self.current()
            except (JT808Error, OSError) as exc:
                log.warning("GNSS read failed: %s", exc)
                report = None
            now = anyio.current_time()          # the loop's monotonic clock, not a settable one
            if report is not None and self._due(rule, report, now - last_sent):
                last_sent = now
                self.meter.reset()
                self.terminal._require_tg().start_soon(self._report, report)
            elapsed = now - last_sent if last_sent > -math.inf else 0.0  # none yet: wait one
            wait = math.inf if rule.interval is None else rule.interval - elapsed
            if rule.distance is not None:
                wait = min(wait, DISTANCE_POLL)
            self._wake = anyio.Event()
            await _first_of(stop, self._wake, timeout=max(0.0, wait))

    def _due(self, rule: ReportRule, report: LocationReport, since: float) -> bool:
        travelled = (self.meter.add(report.latitude, report.longitude)
                     if rule.distance is not None else 0.0)
        if since == math.inf:
            return True
        if rule.interval is not None and since >= rule.interval:
            return True
        return rule.distance is not None and travelled >= rule.distance

    async def _report(self, report: LocationReport) -> None:
        try:
            await self.terminal.report_location(report)
        except JT808Error as exc:
            log.warning("location report failed: %s", exc)


async def _first_of(*events: anyio.Event, timeout: float) -> None:
    """Until one of ``events`` is set, at most ``timeout`` s."""
    with anyio.move_on_after(timeout):
        async with anyio.create_task_group() as tg:
            async def watch(event: anyio.Event) -> None:
                await event.wait()
                tg.cancel_scope.cancel()
            for event in events:
                tg.start_soon(watch, event)
