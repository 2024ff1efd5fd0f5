"""Periodic location reporting from the GNSS HAL, and temporary tracking (0x8202).

When to report follows the report strategy of parameters 0x0020-0x002F
(``_report_strategy``: timed, by distance or both; emergency, no-driver, sleeping and
default intervals), re-read at every wake, unless a 0x8202 tracking order is in force
(its interval until its validity period ends; interval 0 stops tracking).

Bad time never costs a position (issue 18): the BCD time of 0x0200 holds 2000-2099
only. A GNSS date in 1981-1999 is a GPS week-number rollover and is moved forward by
1024 weeks (again if needed); any other date outside 2000-2099 (the GPS epoch 1980, a
1970 system clock with no fix) is sent as the standard's "no time" (six zero bytes).
Each such report is counted in ``Reporter.time_faults`` and logged when the kind of
fault changes.

Every fresh GNSS position and every report sent is also noted in ``Reporter.history``
(``_position_history``: the driving recorder's 0x08 / 0x09 records, ``<store>.history.sqlite``).
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
from ._position_history import PositionHistory
from ._report_strategy import (DISTANCE_POLL, DistanceMeter, ReportRule,
                               report_rule)

__all__ = ["Reporter", "fix_to_report", "sane_report_time"]

log = logging.getLogger("jt808.terminal")

_GMT8 = dt.timezone(dt.timedelta(hours=8))
_STATUS_POSITIONED = 1 << 1
_GPS_ROLLOVER = dt.timedelta(weeks=1024)


def sane_report_time(when: dt.datetime | None) -> tuple[dt.datetime | None, str | None]:
    """``(time to send, fault)``: ``when`` itself when it fits 2000-2099, a 1981-1999
    date moved forward by 1024-week GPS rollovers (fault ``"gps-rollover"``), else
    ``None`` (no time; fault ``"out-of-range"``)."""
    if when is None or 2000 <= when.year <= 2099:
        return when, None
    if 1981 <= when.year <= 1999:
        while when.year < 2000:
            when += _GPS_ROLLOVER
        return when, "gps-rollover"
    return None, "out-of-range"


def fix_to_report(fix: Any, *, alarm_flag: int = 0, status: int = 0,
                  extras: tuple = ()) -> LocationReport:
    """A 0x0200 from a ``hal.gnss.Fix`` (signed degrees; UTC time shown as GMT+8)."""
    when = fix.utc
    if when is not None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        when = when.astimezone(_GMT8).replace(tzinfo=None, microsecond=0)
    when, _ = sane_report_time(when)
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
        self.time_faults = 0            # reports whose time was corrected or blanked
        self._last_fault: str | None = None
        self.meter = DistanceMeter()
        self._wake = anyio.Event()
        store = terminal._store_path
        self.history = PositionHistory(None if store is None else f"{store}.history.sqlite")

    def note(self, report: LocationReport) -> None:
        """Keep ``report`` in the recorder's history; persist it (off the loop) when a
        minute ends."""
        if self.history.add(report) and self.terminal._tg is not None:
            self.terminal._tg.start_soon(self.history.flush)

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
        self._note_time(fix.utc)
        self.last_report = fix_to_report(fix, alarm_flag=self.alarm_flag, status=self.status,
                                         extras=self.extras)
        self.note(self.last_report)
        return self.last_report

    def _note_time(self, utc: dt.datetime | None) -> None:
        if utc is not None and utc.tzinfo is None:
            utc = utc.replace(tzinfo=dt.timezone.utc)
        local = utc.astimezone(_GMT8).replace(tzinfo=None) if utc is not None else None
        self._count_fault(sane_report_time(local)[1], utc)

    def _count_fault(self, fault: str | None, raw: object) -> None:
        if fault is not None:
            self.time_faults += 1
        if fault != self._last_fault:
            if fault == "gps-rollover":
                log.warning("GNSS time %s is a week-number rollover: sent +1024 weeks", raw)
            elif fault is not None:
                log.warning("time %s does not fit a report (2000-2099): sent without time "
                            "(zero BCD)", raw)
            self._last_fault = fault

    async def snapshot(self) -> LocationReport:
        """``current()``, or with no position known yet an unpositioned report (0, 0)
        stamped now, so that alarms and 0x0500 can still be sent."""
        report = await self.current()
        if report is not None:
            return report
        wall = self.terminal.wall_clock()
        now, fault = sane_report_time(dt.datetime.fromtimestamp(int(wall), _GMT8).replace(
            tzinfo=None))
        self._count_fault(fault, f"{wall:.0f} s (wall clock)")
        return LocationReport(self.alarm_flag, self.status & ~_STATUS_POSITIONED, 0.0, 0.0,
                              0, 0.0, 0, now, self.extras)

    async def loop(self, stop: anyio.Event, ready: anyio.Event | None = None) -> None:
        """Report by ``rule()`` (timed and/or by distance) until ``stop`` is set; a
        ``wake()`` re-reads the rule at once. With ``ready``, the first report waits for
        it (at most one interval), so the first position after start goes out live once
        the terminal has logged in, not as a 0x0704 batch."""
        if ready is not None:
            with anyio.move_on_after(self.interval()):
                await ready.wait()
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
