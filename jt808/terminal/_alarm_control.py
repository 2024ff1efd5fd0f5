"""Raising, clearing and confirming the alarm bits of the terminal's reports.

``set_alarm(bits)`` / ``clear_alarm(bits)`` change the ``alarm_flag`` of every report
(bits: an int mask, ``ALARM_BITS`` names or bit numbers); a change is reported at once
with 0x0200, critical (kept until confirmed; see ``_blind``) when it raises a
clear-on-reply bit (``_alarms``). Those bits clear when the platform confirms a report
carrying them, or by 0x8203 (which also drops the matching stored alarms); the other
bits hold until ``clear_alarm``.
"""
from __future__ import annotations

import logging
from typing import Any

from ..errors import JT808Error
from ._alarms import CONFIRMABLE_MASK, alarm_mask, clear_on_reply_mask
from ._blind import ALARM_KIND
from ._host import TerminalHost

__all__ = ["AlarmMixin"]

log = logging.getLogger("jt808.terminal")


class AlarmMixin(TerminalHost):
    reporter: Any
    keeper: Any

    @property
    def alarm_flag(self) -> int:
        return self.reporter.alarm_flag

    def set_alarm(self, bits: Any) -> int:
        """Raise alarm ``bits`` (mask, ``ALARM_BITS`` name(s) or bit numbers); a change is
        reported at once (critical when it raises a clear-on-reply bit). Returns the flag."""
        return self._change_alarm(self.reporter.alarm_flag | alarm_mask(bits))

    def clear_alarm(self, bits: Any) -> int:
        """Clear alarm ``bits``; a change is reported at once. Returns the flag."""
        return self._change_alarm(self.reporter.alarm_flag & ~alarm_mask(bits))

    def _change_alarm(self, new: int) -> int:
        old, self.reporter.alarm_flag = self.reporter.alarm_flag, new
        raised = new & ~old
        if new != old and self._tg is not None:
            critical = bool(raised & clear_on_reply_mask(self.version))
            self._tg.start_soon(self._report_alarm, critical)
        return new

    async def _report_alarm(self, critical: bool) -> None:
        try:
            await self.report_location(await self.reporter.snapshot(), critical=critical)
        except (JT808Error, OSError) as exc:
            log.warning("alarm report failed: %s", exc)

    def confirm_alarms(self, alarm_type: int, serial: int = 0) -> None:
        """0x8203: clear the confirmed bits at once; drop (in a task, off the event loop)
        the stored alarm reports they confirm (all of those types for serial 0, else the
        one sent with ``serial``)."""
        mask = alarm_type & CONFIRMABLE_MASK
        self.reporter.alarm_flag &= ~mask
        if self.keeper is None or not mask:
            return
        if serial:
            alarm_id = self._alarm_serials.pop(serial, None)
            if alarm_id is not None:
                self._require_tg().start_soon(self.keeper.delete, [alarm_id])
            return
        self._require_tg().start_soon(self._drop_confirmed_alarms, mask)

    async def _drop_confirmed_alarms(self, mask: int) -> None:
        critical = clear_on_reply_mask(self.version)
        stored = await self.keeper.oldest(await self.keeper.count(ALARM_KIND), ALARM_KIND)
        items = await self._decoded(stored)
        await self.keeper.delete(i for i, r in items if r.alarm_flag & critical & ~mask == 0)
