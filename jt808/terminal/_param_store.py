"""Terminal parameters as the terminal holds them: ``param_id -> value`` (codec units),
optionally persisted to a small JSON file (values kept as wire hex, so every type the
codec knows round-trips exactly).

Values are checked by :func:`value_refusal` wherever they come from (issue 18): the
constructor's raise :class:`LocalProtocolError`; a saved file's that fail are left out with
a WARNING (the default applies), and a file that cannot be read at all is moved aside
(``<name>.corrupt``) so the terminal starts on its defaults instead of not at all.

The file is written off the event loop (issue 14), atomically and newest snapshot last
(``_small_store.SnapshotWriter``): ``update_off_loop`` / ``reset_off_loop`` wait for
the write in a worker thread; ``update`` (synchronous callers on the loop) hands it to
a writer thread and does not wait."""
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
from ._small_store import SnapshotWriter, atomic_write

__all__ = ["ParamStore"]

log = logging.getLogger("jt808.terminal")


class ParamStore:
    """``values``: the current parameters; ``path``: JSON file written on every change."""

    def __init__(self, values: dict[int, object] | None = None,
                 path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._writer = None if self.path is None else SnapshotWriter(
            self.path, lambda text: self._write(text))
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
        """Apply a list now; the file is written by a writer thread (not waited for; a
        refused write is a warning). Returns what changed (id -> value)."""
        changed = self.apply(params)
        writer = self._offer()
        if writer is not None:
            writer.flush_soon(self._warn)
        return changed

    async def update_off_loop(self, params: Iterable[TerminalParam],
                              limiter: anyio.CapacityLimiter | None = None
                              ) -> dict[int, object]:
        """``update`` for the event loop: the values change at once, the file is written
        in a worker thread (issue 14: a flash write must not stall the loop) before this
        returns; a disk that refuses it is a warning (the values stay in memory)."""
        changed = self.apply(params)
        await self._flush_off_loop(limiter)
        return changed

    async def reset_off_loop(self, values: dict[int, object],
                             limiter: anyio.CapacityLimiter | None = None) -> None:
        """All values replaced by ``values`` at once (a factory reset), the file written
        in a worker thread before this returns (a refused write is a warning)."""
        self.values = dict(values)
        await self._flush_off_loop(limiter)

    def apply(self, params: Iterable[TerminalParam]) -> dict[int, object]:
        """Change the values in memory only; returns what changed."""
        changed = {p.param_id: p.value for p in params}
        self.values.update(changed)
        return changed

    def _save(self) -> None:
        """Write the file now, in this thread (not for the event loop)."""
        writer = self._offer()
        if writer is not None:
            writer.flush()

    async def _flush_off_loop(self, limiter: anyio.CapacityLimiter | None) -> None:
        writer = self._offer()
        if writer is not None:
            await writer.flush_off_loop(limiter, self._warn)

    def _offer(self) -> SnapshotWriter | None:
        """The file's text for the values as they are now, offered to the writer
        (``None``: no file)."""
        text = self._serialize()
        if text is not None and self._writer is not None:
            self._writer.offer(text)
        return self._writer

    def _serialize(self) -> str | None:
        if self.path is None:
            return None
        data = {f"{k:08X}": encode_param_value(k, v).hex() for k, v in sorted(self.values.items())}
        return json.dumps(data, indent=1)

    def _write(self, text: str) -> None:
        assert self.path is not None
        atomic_write(self.path, text)

    def _warn(self, exc: OSError) -> None:
        log.warning("cannot save the parameters to %s (%s): kept in memory only",
                    self.path, exc)

    def to_wire(self, param_ids: Iterable[int] | None = None) -> tuple[TerminalParam, ...]:
        ids = sorted(self.values) if param_ids is None else [i for i in param_ids
                                                              if i in self.values]
        return tuple(TerminalParam(i, self.values[i]) for i in ids)

    def get(self, param_id: int, default: object = None) -> object:
        return self.values.get(param_id, default)

    def link_params(self) -> dict[int, Any]:
        """The session's parameters (heartbeat, timeouts, retransmissions: 0x0001-0x0007)."""
        return {k: v for k, v in self.values.items() if 1 <= k <= 7 and isinstance(v, (int, float))}
