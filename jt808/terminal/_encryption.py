"""The terminal's half of RSA body encryption (a mixin of ``Terminal``).

The session encrypts our bodies of ``encrypt_ids`` with the platform's key (from 0x8A00
or given here) and decrypts the platform's encrypted bodies with ``session.rsa_key``;
this part picks our key, turns encryption on and tells the platform our key (0x0A00).
"""
from __future__ import annotations

import logging
from typing import Any

import anyio

from ..codec import Message, PlatformGeneralResponse, TerminalRsaKey
from ..errors import LocalProtocolError, ResponseTimeout, TransportError
from ..session import RsaKeyPair
from ._host import TerminalHost
from ._rsa_key import load_key_pair

__all__ = ["EncryptionMixin", "modulus_int"]

log = logging.getLogger("jt808.terminal")


def modulus_int(n: Any) -> int:
    """An RSA modulus given as int, bytes or a hex string."""
    if isinstance(n, (bytes, bytearray)):
        return int.from_bytes(n, "big")
    if isinstance(n, str):
        try:
            return int(n, 16)
        except ValueError as exc:
            raise LocalProtocolError(f"RSA modulus {n[:16]!r}... is not hex",
                                     field="rsa_n") from exc
    if isinstance(n, int) and not isinstance(n, bool):
        return n
    raise LocalProtocolError(f"RSA modulus {n!r} is not an int, bytes or hex", field="rsa_n")


class EncryptionMixin(TerminalHost):
    session: Any
    encryption_enabled: bool
    _rsa_key: RsaKeyPair | None
    _rsa_key_path: Any

    @property
    def rsa_key(self) -> RsaKeyPair:
        """Our key pair (loaded from ``rsa_key_path`` or generated on first use; the
        async methods make it in a worker thread, off the event loop)."""
        if self._rsa_key is None:
            self._rsa_key = load_key_pair(self._rsa_key_path)
        return self._rsa_key

    async def _ensure_rsa_key(self) -> None:
        """Generate or load our key in a worker thread (RSA key generation takes many
        milliseconds, seconds on a small ARM board)."""
        if self._rsa_key is None:
            key = await anyio.to_thread.run_sync(load_key_pair, self._rsa_key_path)
            if self._rsa_key is None:
                self._rsa_key = key

    def configure_encryption(self, platform_e: int | None = None,
                             platform_n: Any = None) -> None:
        """Turn encryption on without sending anything (``enable_encryption`` sends)."""
        if (platform_e is None) != (platform_n is None):
            raise LocalProtocolError("give both platform_e and platform_n, or neither",
                                     field="rsa_e")
        if platform_e is not None:
            self.session.set_peer_key(int(platform_e), modulus_int(platform_n))
        self.session.rsa_key = self.rsa_key
        self.session.encrypt = True
        self.encryption_enabled = True

    async def enable_encryption(self, platform_e: int | None = None,
                                platform_n: Any = None) -> Message | None:
        """Encrypt the seed's encryptable messages with the platform key (these arguments,
        or the 0x8A00 the platform sends) and send our key (0x0A00). Returns the 0x8001 to
        the 0x0A00, or ``None`` when not connected (it is sent after authentication)."""
        await self._ensure_rsa_key()
        self.configure_encryption(platform_e, platform_n)
        if not self.authenticated:
            return None
        return await self.send_rsa_key()

    def disable_encryption(self) -> None:
        self.session.encrypt = False
        self.encryption_enabled = False

    async def send_rsa_key(self) -> PlatformGeneralResponse:
        """0x0A00 with our public key; returns the platform's 0x8001."""
        await self._ensure_rsa_key()
        key = self.rsa_key
        self.session.rsa_key = key
        return await self.request(TerminalRsaKey(key.e, key.n_bytes))

    async def _send_key_quietly(self) -> None:
        try:
            reply = await self.send_rsa_key()
        except (ResponseTimeout, TransportError) as exc:
            log.warning("terminal RSA key (0x0A00) not acknowledged: %s", exc)
            return
        if reply.result != 0:
            log.warning("platform refused the terminal RSA key (result %d)", reply.result)
