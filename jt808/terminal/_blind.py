"""Location reports and the blind-area glue: what could not be reported is stored and
uploaded after the next authentication.

Positions that cannot be reported (link down, or a 0x0200 that timed out) go to the
blind-area store and are uploaded with 0x0704 type 1 after the next authentication,
oldest first, each batch deleted only once the platform's 0x8001 acknowledges it.
Critical alarm reports are stored as kind ``"alarm"`` before they are sent and deleted
once a 0x8001 with result 0 or 4 confirms them; unconfirmed ones are re-sent (as 0x0200,
oldest first, before the position backlog) after the next authentication. Over the SMS
fallback only the alarms are re-sent: the position backlog waits for the data link.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

from ..codec import LocationBatchReport, LocationReport, Message, decode_body, encode_body
from ..errors import RemoteProtocolError, ResponseTimeout, TransportError
from ._alarms import CONFIRMED_RESULTS, clear_on_reply_mask

__all__ = ["BlindMixin", "BLIND_KIND", "ALARM_KIND", "position_time"]

log = logging.getLogger("jt808.terminal")

BLIND_KIND = "position"
ALARM_KIND = "alarm"
_GMT8 = datetime.timezone(datetime.timedelta(hours=8))
_ALARM_SERIALS_KEPT = 64


def position_time(report: LocationReport, wall_now: float) -> float:
    """When the position was taken (its GMT+8 time; ``wall_now`` if it has none), so the
    blind area uploads positions in the order they were taken, not the order they failed
    to go out (a report that times out is stored after a later one that found the link
    down)."""
    if report.time is None:
        return wall_now
    return report.time.replace(tzinfo=_GMT8).timestamp()


class BlindMixin:
    """``report_location`` and the blind-area store's upload."""

    store: Any
    blind_batch: int

    async def report_location(self, report: LocationReport, *, critical: bool = False
                              ) -> Message | None:
        """0x0200; returns the platform's 0x8001, or ``None`` when the position went to
        the blind-area store (link down, not authenticated, or no reply). A ``critical``
        report (an alarm that must be confirmed) is stored as kind ``"alarm"`` first and
        deleted only once a 0x8001 with result 0 or 4 confirms it."""
        alarm_id = self._store(ALARM_KIND, report) if critical else None
        if alarm_id is not None:
            self._alarms_in_flight.add(alarm_id)
        try:
            return await self._send_report(report, alarm_id)
        finally:
            self._alarms_in_flight.discard(alarm_id)

    async def _send_report(self, report: LocationReport, alarm_id: int | None
                           ) -> Message | None:
        if not self.authenticated:
            if alarm_id is None:
                self.store_blind(report)
            return None
        try:
            serial, reply = await self.request_serial(report)
        except ResponseTimeout as exc:
            self._report_unanswered(report, alarm_id, exc.serial)
            return None
        except TransportError:
            self._report_unanswered(report, alarm_id, None)
            return None
        if alarm_id is not None:
            self._remember_alarm(serial, alarm_id)
        self._report_answered(report, reply, alarm_id)
        if reply.result == 0 and self.store is not None and self.store.count():
            self.start_blind_upload()
        return reply

    def _report_unanswered(self, report: LocationReport, alarm_id: int | None,
                           serial: int | None) -> None:
        if alarm_id is None:
            self.store_blind(report)
        elif serial is not None:
            self._remember_alarm(serial, alarm_id)

    def _report_answered(self, report: LocationReport, reply: Message,
                         alarm_id: int | None) -> None:
        """The standard's clear-on-reply rule, and the stored alarm's confirmation."""
        if reply.result not in CONFIRMED_RESULTS:
            return
        self.reporter.alarm_flag &= ~(report.alarm_flag & clear_on_reply_mask(self.version))
        if alarm_id is not None and self.store is not None:
            self.store.delete([alarm_id])

    def _remember_alarm(self, serial: int, alarm_id: int) -> None:
        """Which stored alarm went out with which serial (for a 0x8203 naming it)."""
        self._alarm_serials[serial] = alarm_id
        while len(self._alarm_serials) > _ALARM_SERIALS_KEPT:
            del self._alarm_serials[next(iter(self._alarm_serials))]

    def _store(self, kind: str, report: LocationReport) -> int:
        if self.store is None:
            self._open_store()
        return self.store.append(kind, encode_body(report, self.version),
                                 position_time(report, self.wall_clock()))

    def store_blind(self, report: LocationReport) -> None:
        self._store(BLIND_KIND, report)

    def start_blind_upload(self) -> None:
        if not self._uploading and self._tg is not None:
            self._uploading = True
            self._tg.start_soon(self._upload_blind)

    async def _upload_blind(self) -> None:
        try:
            # Over the SMS fallback only alarms go: the position backlog waits for the data
            # link (one 0x0704 of 10 positions is ~3 SMS; see _fallback).
            if await self._resend_alarms() and not self.on_sms_fallback:
                await self._upload_positions()
        finally:
            self._uploading = False

    def _decoded(self, items: list) -> list[tuple[int, LocationReport]]:
        """(store id, report) of stored items; undecodable ones are dropped."""
        good, bad = [], []
        for item in items:
            try:
                good.append((item.id, decode_body(0x0200, item.body, self.version)))
            except RemoteProtocolError:
                bad.append(item.id)
        self.store.delete(bad)
        return good

    async def _resend_alarms(self) -> bool:
        """Critical alarm reports kept unconfirmed, one 0x0200 each, oldest first."""
        while self.authenticated and self.store is not None:
            items = [i for i in self.store.oldest(self.blind_batch, ALARM_KIND)
                     if i.id not in self._alarms_in_flight]
            if not items:
                return True
            for alarm_id, report in self._decoded(items):
                try:
                    serial, reply = await self.request_serial(report)
                except ResponseTimeout as exc:
                    self._remember_alarm(exc.serial, alarm_id)
                    return False
                except TransportError:
                    return False
                self._remember_alarm(serial, alarm_id)
                self._report_answered(report, reply, alarm_id)
                if reply.result not in CONFIRMED_RESULTS:
                    return False
        return False

    async def _upload_positions(self) -> None:
        while self.authenticated and self.store is not None:
            items = self.store.oldest(self.blind_batch, BLIND_KIND)
            if not items:
                return
            decoded = self._decoded(items)
            if not decoded:
                continue
            try:
                reply = await self.request(LocationBatchReport(1, tuple(r for _, r in decoded)))
            except (ResponseTimeout, TransportError):
                return
            if reply.result != 0:
                return
            self.store.delete(item.id for item in items)
