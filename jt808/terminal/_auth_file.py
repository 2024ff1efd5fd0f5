"""The auth code from 0x8100, kept in a small JSON file so that a restarted terminal
authenticates without registering again.

Where: ``auth_path`` if given, else ``<store_path>.auth.json`` next to the blind-area
store (no ``store_path``: the store is temporary and the code is not kept). The file
holds ``{"phone": ..., "auth_code": ...}``; a file written for another phone is ignored.
Written atomically (temp file + rename) whenever registration gives a new code, removed
when the platform refuses the code.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

__all__ = ["AuthCodeFile", "auth_path_for"]

log = logging.getLogger("jt808.terminal")


def auth_path_for(store_path: str | os.PathLike[str] | None,
                  auth_path: str | os.PathLike[str] | None) -> Path | None:
    if auth_path is not None:
        return Path(auth_path)
    if store_path is not None:
        store = Path(store_path)
        return store.with_name(store.name + ".auth.json")
    return None


class AuthCodeFile:
    def __init__(self, path: Path | None, phone: str) -> None:
        self.path = path
        self.phone = phone

    def load(self) -> str | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("auth code file %s unreadable, ignored: %s", self.path, exc)
            return None
        code = data.get("auth_code") if isinstance(data, dict) else None
        if data.get("phone") != self.phone or not isinstance(code, str) or not code:
            return None
        return code

    def save(self, code: str | None) -> None:
        if self.path is None:
            return
        try:
            if not code:
                self.path.unlink(missing_ok=True)
                return
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps({"phone": self.phone, "auth_code": code}), "utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:                       # a full disk must not kill the link
            log.warning("auth code not saved to %s: %s", self.path, exc)
