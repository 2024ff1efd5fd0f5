"""Terminal parameters as the terminal holds them: ``param_id -> value`` (codec units),
optionally persisted to a small JSON file (values kept as wire hex, so every type the
codec knows round-trips exactly).

Values are checked by :func:`value_refusal` wherever they come from (issue 18): the
constructor's raise :class:`LocalProtocolError`; a saved file's that fail are left out with
a WARNING (the default applies), and a file that cannot be read at all is moved aside
(``<name>.corrupt``) so the terminal starts on its defaults instead of not at all."""
from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable

import anyio

from ..codec import TerminalParam, decode_param_value, encode_param_value
from ..errors import JT808Error, LocalProtocolError
from ._params_rules import value_refusal

__all__ = ["ParamStore"]

log = logging.getLogger("jt808.terminal")


class ParamStore:
    """``values``: the current parameters; ``path``: JSON file written on every change."""

    def __init__(self, values: dict[int, object] | None = None,
                 path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.values: dict[int, object] = {}
        if self.path is not None and self.path.exists():
            self.values.update(self._load(self.path))
        for param_id, value in (values or {}).items():
            reason = value_refusal(int(param_id), value, local=True)
            if reason is not None:
                raise LocalProtocolError(reason, field="params")
            self.values.setdefault(int(param_id), value)

    @staticmethod
    def _load(path: Path) -> dict[int, object]:
        try:
            raw = json.loads(path.read_text("utf-8"))
            saved = {int(k, 16): decode_param_value(int(k, 16), bytes.fromhex(v))
                     for k, v in raw.items()}
        except (OSError, ValueError, AttributeError, JT808Error) as exc:
            aside = path.with_name(path.name + ".corrupt")
            log.warning("parameter file %s cannot be read (%s): moved to %s, starting on "
                        "the defaults", path, exc, aside.name)
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            return {}
        for param_id, value in list(saved.items()):
            reason = value_refusal(param_id, value, local=True)
            if reason is not None:
                log.warning("parameter file %s: %s; not applied, the default stays",
                            path, reason)
                del saved[param_id]
        return saved

    def update(self, params: Iterable[TerminalParam]) -> dict[int, object]:
        """Apply a 0x8103 list and write the file; returns what changed (id -> value)."""
        changed = self.apply(params)
        self._save()
        return changed

    async def update_off_loop(self, params: Iterable[TerminalParam],
                              limiter: anyio.CapacityLimiter | None = None
                              ) -> dict[int, object]:
        """``update`` for the event loop: the values change at once, the file is written
        in a worker thread (issue 14: a flash write must not stall the loop)."""
        changed = self.apply(params)
        text = self._serialize()
        if text is not None:
            await anyio.to_thread.run_sync(self._write, text, limiter=limiter)
        return changed

    def apply(self, params: Iterable[TerminalParam]) -> dict[int, object]:
        """Change the values in memory only; returns what changed."""
        changed = {p.param_id: p.value for p in params}
        self.values.update(changed)
        return changed

    def _save(self) -> None:
        text = self._serialize()
        if text is not None:
            self._write(text)

    def _serialize(self) -> str | None:
        if self.path is None:
            return None
        data = {f"{k:08X}": encode_param_value(k, v).hex() for k, v in sorted(self.values.items())}
        return json.dumps(data, indent=1)

    def _write(self, text: str) -> None:
        assert self.path is not None
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, self.path)

    def to_wire(self, param_ids: Iterable[int] | None = None) -> tuple[TerminalParam, ...]:
        ids = sorted(self.values) if param_ids is None else [i for i in param_ids
                                                              if i in self.values]
        return tuple(TerminalParam(i, self.values[i]) for i in ids)

    def get(self, param_id: int, default: object = None) -> object:
        return self.values.get(param_id, default)

    def link_params(self) -> dict[int, Any]:
        """The session's parameters (heartbeat, timeouts, retransmissions: 0x0001-0x0007)."""
        return {k: v for k, v in self.values.items() if 1 <= k <= 7 and isinstance(v, (int, float))}
