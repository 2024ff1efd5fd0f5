"""The terminal's own RSA key pair (sent to the platform in 0x0A00).

``load_key_pair(path)``: the unencrypted PKCS#8 PEM private key at ``path``; when the
file does not exist a new 1024-bit pair is generated and written there (mode 0600).
Without a path the pair is generated in memory on first use.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import LocalProtocolError
from ..session import RsaKeyPair

__all__ = ["load_key_pair"]

_BITS = 1024


def load_key_pair(path: str | os.PathLike[str] | None) -> RsaKeyPair:
    if path is None:
        return RsaKeyPair()
    path = Path(path)
    if not path.exists():
        pair = RsaKeyPair()
        pem = pair.private_key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return pair
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise LocalProtocolError(f"{path} is not an unencrypted PEM private key: {exc}",
                                 field="rsa_key_path") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != _BITS:
        raise LocalProtocolError(f"{path} must hold a {_BITS}-bit RSA key", field="rsa_key_path")
    return RsaKeyPair(key)
