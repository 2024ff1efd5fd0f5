"""RSA for message bodies (JT/T 808 §4.4.3 encryption bits, 0x8A00 / 0x0A00 keys).

Our choice, since the standard names RSA but no padding or blocking: 1024-bit keys,
PKCS#1 v1.5 padding, the body cut into blocks of at most 117 bytes (what fits a
1024-bit key with PKCS#1 v1.5), each encrypted to a 128-byte block, the blocks
concatenated. Any body size works; the encrypted body is split into subpackets like
any other body when it exceeds the packet size.
"""
from __future__ import annotations

from typing import Any, Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..errors import DecryptionError, LocalProtocolError

__all__ = ["RsaKeyPair", "DecryptionKey", "encrypt_body", "decrypt_body",
           "public_key_from_numbers", "RSA_BITS", "BLOCK", "PLAIN_BLOCK"]

RSA_BITS = 1024
BLOCK = RSA_BITS // 8          # cipher block: 128 bytes
PLAIN_BLOCK = BLOCK - 11       # PKCS#1 v1.5 overhead is 11 bytes
_PADDING = padding.PKCS1v15()


class DecryptionKey(Protocol):
    """What a session decrypts with: an ``RsaKeyPair``, or a wrapper of one that keeps
    its ``private_key`` (the platform's per-connection budgeted pair)."""

    @property
    def private_key(self) -> Any: ...


class RsaKeyPair:
    """Our own key pair; ``e`` and ``n`` go to the peer in 0x0A00 / 0x8A00."""

    def __init__(self, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self.private_key = private_key or rsa.generate_private_key(65537, RSA_BITS)
        numbers = self.private_key.public_key().public_numbers()
        self.e = numbers.e
        self.n = numbers.n

    @property
    def n_bytes(self) -> bytes:
        return self.n.to_bytes(BLOCK, "big")


def public_key_from_numbers(e: int, n: int) -> rsa.RSAPublicKey:
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise DecryptionError(f"peer's RSA key (e={e}) is not usable: {exc}",
                              field="rsa_key") from exc


def encrypt_body(body: bytes, key: rsa.RSAPublicKey) -> bytes:
    if key.key_size != RSA_BITS:
        raise LocalProtocolError(f"RSA key must be {RSA_BITS} bits, got {key.key_size}",
                                 field="rsa_key")
    return b"".join(key.encrypt(body[i:i + PLAIN_BLOCK], _PADDING)
                    for i in range(0, max(len(body), 1), PLAIN_BLOCK))


def decrypt_body(body: bytes, key: rsa.RSAPrivateKey, msg_id: int | None = None) -> bytes:
    if not body or len(body) % BLOCK:
        raise DecryptionError(f"encrypted body of {len(body)} bytes is not a whole number of "
                              f"{BLOCK}-byte blocks", msg_id=msg_id, field="body")
    try:
        return b"".join(key.decrypt(body[i:i + BLOCK], _PADDING)
                        for i in range(0, len(body), BLOCK))
    except ValueError as exc:
        raise DecryptionError(f"RSA decryption failed: {exc}", msg_id=msg_id,
                              field="body") from exc
