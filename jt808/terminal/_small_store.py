"""A small JSON document kept next to the blind-area store (``<store>.<name>.json``):
written atomically on each change; a file that cannot be read is moved aside
(``.corrupt``, kept for recovery, logged) and an empty document begins; with no path
(or a disk that refuses the write) the document lives in memory, with a warning."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

__all__ = ["SmallStore", "path_next_to"]

log = logging.getLogger("jt808.terminal")


def path_next_to(store_path: str | os.PathLike[str] | None, name: str) -> Path | None:
    """``<store_path>.<name>.json`` (``None`` without a store path)."""
    if store_path is None:
        return None
    store = Path(store_path)
    return store.with_name(f"{store.name}.{name}.json")


class SmallStore:
    """``data`` (a JSON-able dict) loaded from ``path`` and saved by ``save()``."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        if path is not None and path.exists():
            try:
                loaded = json.loads(path.read_text("utf-8"))
                if not isinstance(loaded, dict):
                    raise ValueError("not a JSON object")
                self.data = loaded
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                log.error("%s is unreadable (%s): moved aside, starting empty", path, exc)
                try:
                    os.replace(path, path.with_name(path.name + ".corrupt"))
                except OSError:
                    pass

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.data, ensure_ascii=False), "utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot save %s (%s): kept in memory only", self.path, exc)
