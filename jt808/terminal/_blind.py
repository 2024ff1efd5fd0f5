"""Location reports and the blind-area glue: every report is kept until acknowledged.

At least once (issue 18): each 0x0200 is written to the blind-area store *before* it is
sent and deleted when the platform's 0x8001 acknowledges it (result 0, or 4 "alarm
processing confirmed"), so a SIGKILL, a half-open link or a timeout loses nothing. What
is left in the store (link down, no reply, or refused with result 1/2/3) is uploaded
after the next authentication with 0x0704 type 1, oldest first, each batch deleted only
once acknowledged. A refused item is retried later, at most ``MAX_REFUSALS`` times
(then dropped with a warning and counted in ``refused_dropped``).

Critical alarm reports are kept as kind ``"alarm"`` (never evicted by the store's
bound) and re-sent as 0x0200, oldest first, before the position backlog. Over the SMS
fallback only the alarms are re-sent: the position backlog waits for the data link.
The store is reached through ``StoreKeeper`` (a worker thread; never fatal).
"""
from __future__ import annotations

import datetime
import logging
from typing import Any, cast

from ..codec import (LocationBatchReport, LocationReport, PlatformGeneralResponse, decode_body,
                     encode_body)
from ..errors import RemoteProtocolError, ResponseTimeout, TransportError
from ._alarms import CONFIRMED_RESULTS, clear_on_reply_mask
from ._host import TerminalHost

__all__ = ["BlindMixin", "BLIND_KIND", "ALARM_KIND", "MAX_REFUSALS", "position_time"]

log = logging.getLogger("jt808.terminal")

BLIND_KIND = "position"
ALARM_KIND = "alarm"
MAX_REFUSALS = 3                  # a refused item is retried this many times, then dropped
_GMT8 = datetime.timezone(datetime.timedelta(hours=8))
_ALARM_SERIALS_KEPT = 64
_REFUSALS_KEPT = 10_000


def position_time(report: LocationReport, wall_now: float) -> float:
    """When the position was taken (its GMT+8 time; ``wall_now`` if it has none), so the
    blind area uploads positions in the order they were taken."""
    if report.time is None:
        return wall_now
    return report.time.replace(tzinfo=_GMT8).timestamp()


class BlindMixin(TerminalHost):
    """``report_location`` and the blind-area store's upload."""

    keeper: Any
    blind_batch: int
    _uploading: bool
    _backlog: bool

    async def report_location(self, report: LocationReport, *, critical: bool = False
                              ) -> PlatformGeneralResponse | None:
        """0x0200, kept in the blind-area store until acknowledged; returns the
        platform's 0x8001, or ``None`` when it is left for the blind-area upload (link
        down, not authenticated, or no reply). A ``critical`` report (an alarm that must
        be confirmed) is kept as kind ``"alarm"`` and re-sent as 0x0200."""
        kind = ALARM_KIND if critical else BLIND_KIND
        row = await self._keep(kind, report)
        self.reporter.note(report)                     # the recorder's 0x08 / 0x09 history
        in_flight = self._alarms_in_flight if critical else self._positions_in_flight
        in_flight.add(row)
        try:
            return await self._send_report(report, row, critical)
        finally:
            in_flight.discard(row)

    async def _keep(self, kind: str, report: LocationReport) -> int:
        body = encode_body(report, self.version)
        return await self._require_keeper().append(
            kind, body, position_time(report, self.wall_clock()))

    async def _send_report(self, report: LocationReport, row: int, critical: bool
                           ) -> PlatformGeneralResponse | None:
        if not self.authenticated:
            self._backlog = True
            return None
        try:
            serial, reply = await self.request_serial(report)
        except ResponseTimeout as exc:
            self._left_in_store(row, critical, exc.serial)
            return None
        except TransportError:
            self._left_in_store(row, critical, None)
            return None
        if critical:
            self._remember_alarm(serial, row)
        await self._report_answered(report, reply, row)
        if reply.result == 0 and self._backlog:
            self.start_blind_upload()
        return reply

    def _left_in_store(self, row: int, critical: bool, serial: int | None) -> None:
        self._backlog = True
        if critical and serial is not None:
            self._remember_alarm(serial, row)

    async def _report_answered(self, report: LocationReport, reply: PlatformGeneralResponse,
                               row: int) -> None:
        """Delete the acknowledged row (and apply the clear-on-reply rule), or count a
        refusal and keep it for later."""
        if reply.result in CONFIRMED_RESULTS:
            self.reporter.alarm_flag &= ~(report.alarm_flag
                                          & clear_on_reply_mask(self.version))
            self._refusals.pop(row, None)
            await self.keeper.delete([row])
        else:
            self._backlog = True
            await self._refused([row], reply.result)

    async def _refused(self, rows: list[int], result: int) -> None:
        """Count a refusal per row; rows refused ``MAX_REFUSALS`` times are dropped."""
        give_up = []
        for row in rows:
            self._refusals[row] = self._refusals.get(row, 0) + 1
            if self._refusals[row] >= MAX_REFUSALS:
                give_up.append(row)
                del self._refusals[row]
        while len(self._refusals) > _REFUSALS_KEPT:
            del self._refusals[next(iter(self._refusals))]
        if give_up:
            log.warning("platform refused %d stored report(s) %d times (result %d): "
                        "dropped", len(give_up), MAX_REFUSALS, result)
            self.refused_dropped += len(give_up)
            await self.keeper.delete(give_up)

    def _remember_alarm(self, serial: int, alarm_id: int) -> None:
        """Which stored alarm went out with which serial (for a 0x8203 naming it)."""
        self._alarm_serials[serial] = alarm_id
        while len(self._alarm_serials) > _ALARM_SERIALS_KEPT:
            del self._alarm_serials[next(iter(self._alarm_serials))]

    def start_blind_upload(self) -> None:
        if not self._uploading and self._tg is not None:
            self._uploading = True
            self._tg.start_soon(self._upload_blind)

    async def _upload_blind(self) -> None:
        try:
            # Over the SMS fallback only alarms go: the position backlog waits for the data
            # link (one 0x0704 of 10 positions is ~3 SMS; see _fallback).
            if await self._resend_alarms() and not self.on_sms_fallback:
                if await self._upload_positions():
                    self._backlog = False
        finally:
            self._uploading = False

    async def _decoded(self, items: list[Any]) -> list[tuple[int, LocationReport]]:
        """(store id, report) of stored items; undecodable ones are dropped."""
        good: list[tuple[int, LocationReport]] = []
        bad: list[int] = []
        for item in items:
            try:
                report = cast(LocationReport, decode_body(0x0200, item.body, self.version))
                good.append((item.id, report))
            except RemoteProtocolError:
                bad.append(item.id)
        if bad:
            log.warning("%d undecodable item(s) dropped from the blind-area store", len(bad))
            await self.keeper.delete(bad)
        return good

    async def _waiting(self, kind: str, in_flight: set[int]) -> list:
        """Up to ``blind_batch`` stored items of ``kind`` not being sent live now."""
        items = await self.keeper.oldest(self.blind_batch + len(in_flight), kind)
        return [i for i in items if i.id not in in_flight][:self.blind_batch]

    async def _resend_alarms(self) -> bool:
        """Critical alarm reports kept unconfirmed, one 0x0200 each, oldest first.
        Returns whether none is left."""
        while self.authenticated and self.keeper is not None:
            items = await self._waiting(ALARM_KIND, self._alarms_in_flight)
            if not items:
                return True
            for alarm_id, report in await self._decoded(items):
                try:
                    serial, reply = await self.request_serial(report)
                except ResponseTimeout as exc:
                    if exc.serial is not None:              # always set by request_serial
                        self._remember_alarm(exc.serial, alarm_id)
                    return False
                except TransportError:
                    return False
                self._remember_alarm(serial, alarm_id)
                await self._report_answered(report, reply, alarm_id)
                if reply.result not in CONFIRMED_RESULTS:
                    return False
        return False

    async def _upload_positions(self) -> bool:
        """0x0704 batches of the oldest positions. Returns whether none is left."""
        size = sent = 0
        while self.authenticated and self.keeper is not None:
            items = await self._waiting(BLIND_KIND, self._positions_in_flight)
            if not items:
                return True
            if not size:
                size = max(len(items), await self.keeper.count(BLIND_KIND)
                           - len(self._positions_in_flight))
                self._state_change("backlog", size=size)
            decoded = await self._decoded(items)
            if not decoded:
                continue
            try:
                reply = await self.request(LocationBatchReport(1, tuple(r for _, r in decoded)))
            except (ResponseTimeout, TransportError):
                return False                       # kept in the store: retried later
            ids = [i for i, _ in decoded]
            if reply.result != 0:
                await self._refused(ids, reply.result)
                return False
            for i in ids:
                self._refusals.pop(i, None)
            await self.keeper.delete(ids)
            sent += len(ids)
            self._state_change("backlog_progress", sent=sent, left=max(0, size - sent))
        return False
