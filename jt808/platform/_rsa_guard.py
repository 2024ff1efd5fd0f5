"""The platform's RSA key as one connection may use it: a byte budget per time window.

The session decrypts with ``rsa_key.private_key.decrypt(block, padding)`` per 128-byte
block; ``BudgetedKeyPair`` hands it a key that refuses (``ValueError``, which the session
reports as a ``DecryptionError`` and answers with result 2) once the connection has had
``budget`` bytes decrypted within ``window`` seconds. The driver calls the session from a
worker thread for such a connection, so the blocking RSA work stays off the event loop.
"""
from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["BudgetedKeyPair", "DEFAULT_RSA_BUDGET"]

#: Bytes of ciphertext one connection may have decrypted per window (bytes, seconds):
#: 1 MiB a minute is ~0.7 s of CPU at the ~1.4 MB/s measured for 1024-bit PKCS#1 v1.5.
DEFAULT_RSA_BUDGET = (1024 * 1024, 60.0)


class _BudgetedPrivateKey:
    def __init__(self, key: Any, budget: int, window: float) -> None:
        self._key = key
        self._budget = budget
        self._window = window
        self._start = time.monotonic()
        self._used = 0
        self._lock = threading.Lock()
        self.refused = 0

    def decrypt(self, block: bytes, padding: Any) -> bytes:
        with self._lock:
            now = time.monotonic()
            if now - self._start >= self._window:
                self._start, self._used = now, 0
            if self._used + len(block) > self._budget:
                self.refused += 1
                raise ValueError(f"decryption budget of {self._budget} bytes per "
                                 f"{self._window:g} s used up on this connection")
            self._used += len(block)
        return self._key.decrypt(block, padding)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._key, name)


class BudgetedKeyPair:
    """``pair`` (an ``RsaKeyPair``) with a per-connection decryption budget."""

    def __init__(self, pair: Any, budget: int, window: float) -> None:
        self._pair = pair
        self.private_key = _BudgetedPrivateKey(pair.private_key, budget, window)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pair, name)
