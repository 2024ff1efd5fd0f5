"""Public ``Terminal`` methods the seed facade (``_facade``) calls through its portal.

Each is a small setter or a logged request, so the facade never writes session state
from its own thread (STYLE §6): it calls these on the event loop.
"""
from __future__ import annotations

import logging
from typing import Any

import anyio

from ..codec import Message, TerminalRegister
from ..errors import JT808Error, ResponseTimeout
from ._handlers import DEFAULT_HANDLERS, Handler
from ._host import TerminalHost
from ._replies import HandlerTable

log = logging.getLogger("jt808.terminal")


class FacadeSupportMixin(TerminalHost):
    """Identity, register info, one command handler and logged requests."""

    session: Any
    clock: Any
    imei: str
    app_version: str
    register_info: TerminalRegister | None
    handlers: HandlerTable

    def set_identity(self, auth_code: str | None = None, imei: str | None = None,
                     app_version: str | None = None) -> None:
        """The auth code, IMEI and software version the next 0x0102 carries (``None``:
        keep the current value)."""
        if auth_code is not None:
            self.session.auth_code = auth_code
        if imei is not None:
            self.imei = imei
        if app_version is not None:
            self.app_version = app_version

    def set_register_info(self, info: TerminalRegister) -> None:
        """The 0x0100 that ``register()``/``login()`` send from now on."""
        self.register_info = info

    def set_command_handler(self, handler: Handler | None) -> None:
        """Answer every platform command with ``handler`` (``None``: the default table).
        With the seed's callback set, ``handler`` does nothing: the application answers."""
        self.handlers = dict(DEFAULT_HANDLERS) if handler is None else {None: handler}

    @property
    def has_platform_key(self) -> bool:
        """Whether the platform's RSA key is known (given, or brought by 0x8A00)."""
        return self.session.peer_key is not None

    async def request_logged(self, message: Message) -> tuple[int, Message]:
        """``request_serial`` that logs each retransmission at INFO and the give-up at
        WARNING (with the seed's defaults a call waits up to 990 s: say why)."""
        outcome: Any = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._log_retransmissions, message)
            try:
                outcome = await self.request_serial(message)
            except JT808Error as exc:           # raised below, outside the task group
                outcome = exc
            finally:
                tg.cancel_scope.cancel()
        if isinstance(outcome, ResponseTimeout):
            log.warning("0x%04X: giving up, %s", message.msg_id, outcome)
        if isinstance(outcome, JT808Error):
            raise outcome
        return outcome

    async def _log_retransmissions(self, message: Message) -> None:
        await anyio.sleep(0)                    # let request_serial queue the message
        pending = next((p for p in self.session.pending.values() if p.message is message),
                       None)
        seen = 1
        while pending is not None and pending.serial in self.session.pending:
            await anyio.sleep(max(0.0, pending.deadline - self.clock()) + 0.01)
            if pending.attempts > seen:
                seen = pending.attempts
                log.info("0x%04X serial %d: no reply yet, retransmission %d of %d",
                         message.msg_id, pending.serial, seen - 1,
                         self.session.retry.max_retransmissions)
