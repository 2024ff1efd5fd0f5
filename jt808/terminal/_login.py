"""Register (0x0100), authenticate (0x0102) and what follows a successful authentication.

The auth code of a successful 0x8100 is kept in the auth file (``_auth_file``, written
in a worker thread), so a restarted terminal authenticates without registering; a
refused code is removed and the re-registration's code replaces it. A platform that
closes the link on our 0x0102 instead of answering it is taken as a refusal: the next
attempt registers first (issue 14).

A code is checked when it arrives (issue 18): one that could not be sent back in a
0x0102 of our version (2019: more than 255 bytes) is neither kept nor saved, and the
registration fails with a ``RemoteProtocolError`` naming field ``auth_code``.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any

import anyio

from ..codec import (PlatformGeneralResponse, TerminalAuth, TerminalRegister,
                     TerminalRegisterResponse, UpgradeResult, encode_body)
from ..errors import (LocalProtocolError, RegistrationRefused, RemoteProtocolError,
                      ResponseTimeout, TransportError)
from ._host import TerminalHost

__all__ = ["LoginMixin", "auth_code_problem"]

log = logging.getLogger("jt808.terminal")


def auth_code_problem(code: str, imei: str, app_version: str, version: Any) -> str | None:
    """Why ``code`` cannot be sent in a 0x0102 of ``version`` (``None``: it can)."""
    try:
        encode_body(TerminalAuth(code, imei, app_version), version)
    except (LocalProtocolError, ValueError, TypeError) as exc:
        return str(exc)
    return None


class LoginMixin(TerminalHost):
    session: Any
    register_info: TerminalRegister | None
    pending_upgrade_result: UpgradeResult | None
    _auth_save_limiter: anyio.CapacityLimiter | None
    auth_code_source: str | None
    _auth_link_closed: bool

    async def register(self, info: TerminalRegister | None = None
                       ) -> TerminalRegisterResponse:
        """0x0100; a result 0 reply stores the auth code. Returns the 0x8100 (check
        ``.result``; ``.auth_code`` is set with result 0). A platform that answers with a
        0x8001 instead raises :class:`RegistrationRefused` carrying that reply."""
        info = info or self.register_info
        if info is None:
            raise LocalProtocolError("no auth code and no register_info to register with",
                                     msg_id=0x0100)
        reply = await self.request(info)
        if not isinstance(reply, TerminalRegisterResponse):
            raise RegistrationRefused(
                f"the platform answered 0x0100 with 0x8001 result {reply.result}"
                + (" (no auth code)" if reply.result == 0 else ""),
                reply=reply, msg_id=0x8001, field="result")
        if reply.result == 0:
            problem = auth_code_problem(reply.auth_code, self.imei, self.app_version,
                                        self.version)
            if problem is not None:
                self.session.auth_code = None
                raise RemoteProtocolError(f"the platform's auth code is unusable: {problem}",
                                          msg_id=0x8100, field="auth_code")
            self.auth_code_source = "register"
            self._state_change("registered", auth_code=reply.auth_code)
        return reply

    def _code_arrived(self, code: str) -> None:
        """A 0x8100 with result 0 came: save its code (in a worker thread) if usable."""
        if auth_code_problem(code, self.imei, self.app_version, self.version) is None:
            self._save_auth_code(code)

    def _save_auth_code(self, code: str | None) -> None:
        if self._tg is not None and self.auth_file.path is not None:
            self._tg.start_soon(self._save_auth_code_now, code)

    async def _save_auth_code_now(self, code: str | None) -> None:
        await anyio.to_thread.run_sync(self.auth_file.save, code, limiter=self._save_limiter())

    async def authenticate(self) -> PlatformGeneralResponse:
        """0x0102 with the stored code; on success the blind-area upload starts."""
        message = TerminalAuth(self.session.auth_code or "", self.imei, self.app_version)
        try:
            reply = await self.request(message)
        except TransportError:
            self._auth_link_closed = True       # the platform hung up on our code
            raise
        self._auth_link_closed = False
        if reply.result == 0:
            self._state_change("authenticated", auth_code_source=self.auth_code_source)
            self.on_authenticated()
        else:
            self._state_change("auth_refused", result=reply.result)
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

    async def login(self) -> PlatformGeneralResponse:
        """Register if there is no auth code, authenticate, register again if the platform
        refuses the code. Returns the 0x8001 to the last 0x0102 (check ``.result``)."""
        if self._auth_link_closed and self.register_info is not None:
            log.info("the platform closed the link on our 0x0102: registering again")
            await self._forget_auth_code()
        if not self.session.auth_code:
            await self.register()
        reply = await self.authenticate()
        if reply.result != 0 and self.register_info is not None:
            await self._forget_auth_code()
            with contextlib.suppress(RegistrationRefused):    # the 0x0102's reply stands
                if (await self.register()).result == 0:
                    reply = await self.authenticate()
        return reply

    async def _forget_auth_code(self) -> None:
        self.session.auth_code = None
        if self.auth_file.path is not None:
            await anyio.to_thread.run_sync(self.auth_file.save, None,
                                           limiter=self._save_limiter())

    def _save_limiter(self) -> anyio.CapacityLimiter:
        """Auth-file writes go one at a time, in order."""
        if self._auth_save_limiter is None:
            self._auth_save_limiter = anyio.CapacityLimiter(1)
        return self._auth_save_limiter
