"""Register (0x0100), authenticate (0x0102) and what follows a successful authentication.

The auth code of a successful 0x8100 is kept in the auth file (``_auth_file``), so a
restarted terminal authenticates without registering; a refused code is removed and the
re-registration's code replaces it.
"""
from __future__ import annotations

import contextlib
from typing import Any

from ..codec import Message, TerminalAuth, TerminalRegister
from ..errors import LocalProtocolError, ResponseTimeout, TransportError

__all__ = ["LoginMixin"]


class LoginMixin:
    session: Any
    register_info: TerminalRegister | None

    async def register(self, info: TerminalRegister | None = None) -> Message:
        """0x0100; a result 0 reply stores the auth code. Returns the 0x8100."""
        info = info or self.register_info
        if info is None:
            raise LocalProtocolError("no auth code and no register_info to register with",
                                     msg_id=0x0100)
        return await self.request(info)

    async def authenticate(self) -> Message:
        """0x0102 with the stored code; on success the blind-area upload starts."""
        message = TerminalAuth(self.session.auth_code or "", self.imei, self.app_version)
        reply = await self.request(message)
        if reply.result == 0:
            self.on_authenticated()
        return reply

    def on_authenticated(self) -> None:
        """Start what follows a successful 0x0102 (also when it was sent by other means,
        e.g. the facade): our RSA key (0x0A00) when encryption is on, a kept 0x0108
        upgrade result, then the blind-area upload."""
        self._require_tg().start_soon(self._after_auth)
        self.start_blind_upload()

    async def _after_auth(self) -> None:
        if self.encryption_enabled:
            await self._send_key_quietly()
        result = self.pending_upgrade_result
        if result is not None:
            with contextlib.suppress(ResponseTimeout, TransportError):
                reply = await self.request(result)
                if self.pending_upgrade_result is result and reply.result == 0:
                    self.pending_upgrade_result = None

    async def login(self) -> Message:
        """Register if there is no auth code, authenticate, register again if the platform
        refuses the code. Returns the 0x8001 to the last 0x0102 (check ``.result``)."""
        if not self.session.auth_code:
            await self.register()
        reply = await self.authenticate()
        if reply.result != 0 and self.register_info is not None:
            self.session.auth_code = None
            self.auth_file.save(None)
            if (await self.register()).result == 0:
                reply = await self.authenticate()
        return reply
