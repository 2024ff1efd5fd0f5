"""State changes a user interface shows: one ``StateChange`` per change, to listeners
and as an INFO log record of logger ``jt808.terminal.state``.

``terminal.add_state_listener(fn)``: ``fn(change)`` is called in the event loop with a
``StateChange(kind, info)``; a listener that raises is logged, never fatal. Kinds
(``info`` keys):

- ``link_up`` (``bearer``), ``link_down`` (``error``: text or ``None``);
- ``registered`` (``auth_code``), ``authenticated`` (``auth_code_source``: ``"file"``,
  ``"argument"`` or ``"register"``), ``auth_refused`` (``result``);
- ``backlog`` (``size``: stored reports when an upload starts), ``backlog_progress``
  (``sent``: uploaded so far in this upload, ``left``: still stored).

The log records carry the kind and info as ``record.state`` / ``record.state_info``.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import attrs

from ._host import TerminalHost

__all__ = ["StateChange", "StateEventsMixin", "STATE_KINDS"]

log = logging.getLogger("jt808.terminal.state")

STATE_KINDS = frozenset({"link_up", "link_down", "registered", "authenticated",
                         "auth_refused", "backlog", "backlog_progress"})


@attrs.frozen
class StateChange:
    kind: str
    info: dict[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        details = " ".join(f"{k}={v}" for k, v in self.info.items())
        return f"{self.kind} {details}".strip()


class StateEventsMixin(TerminalHost):
    _state_listeners: list[Callable[[StateChange], Any]]

    def add_state_listener(self, listener: Callable[[StateChange], Any]) -> None:
        """``listener(change)`` sees every ``StateChange`` (see the module docstring)."""
        self._state_listeners.append(listener)

    def _state_change(self, kind: str, **info: Any) -> None:
        change = StateChange(kind, info)
        log.info("%s", change, extra={"state": kind, "state_info": info})
        for listener in list(self._state_listeners):
            try:
                listener(change)
            except Exception:                     # a user callback must not kill the link
                log.exception("state listener failed on %s", kind)
