"""Events (0x8301), the information menu (0x8303) and information service (0x8304)
as the terminal keeps them (JT/T 808-2011/2013 §8.20-8.23; deleted in 2019), persisted
next to the blind-area store (``<store>.text.json``) and bounded.

Set types (0x8301 and 0x8303, same for the phone book 0x8401): 0 delete all, 1 update
(replace the whole list), 2 append (an id already held is replaced), 3 modify (only ids
already held change; others are ignored), 4 delete the listed ids (0x8301 only).
A set that would exceed a bound, or an unknown set type, is refused as a whole.

The changes are made in memory; the file is written off the event loop (issue 14): the
handlers ``await save_off_loop()`` before they answer; ``subscribe`` (called by the
application on the loop) writes in a writer thread it does not wait for.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import anyio

from ._small_store import SmallStore

__all__ = ["TextStore", "apply_set", "SetRefused", "MAX_EVENTS", "MAX_MENU", "MAX_INFO_TYPES",
           "MAX_INFO_BYTES"]

MAX_EVENTS = 255          # ids are a BYTE
MAX_MENU = 255
MAX_INFO_TYPES = 255
MAX_INFO_BYTES = 64 * 1024     # all kept 0x8304 contents together


class SetRefused(ValueError):
    """A set command the store cannot apply (unknown type, too many items)."""


def apply_set(held: dict[int, str], set_type: int, items: Iterable[tuple[int, str]],
              limit: int, *, delete_listed: bool = False) -> dict[int, str]:
    """The list after a set command of ``set_type`` (see the module docstring)."""
    items = list(items)
    if set_type == 0:
        result: dict[int, str] = {}
    elif set_type == 1:
        result = dict(items)
    elif set_type == 2:
        result = {**held, **dict(items)}
    elif set_type == 3:
        result = {**held, **{k: v for k, v in items if k in held}}
    elif set_type == 4 and delete_listed:
        gone = {k for k, _ in items}
        result = {k: v for k, v in held.items() if k not in gone}
    else:
        raise SetRefused(f"unknown set type {set_type}")
    if len(result) > limit:
        raise SetRefused(f"{len(result)} items (at most {limit})")
    return result


def _ints(raw: dict[str, str]) -> dict[int, str]:
    return {int(k): str(v) for k, v in raw.items()}


class TextStore:
    """``events`` {id: content}, ``menu`` {info type: name}, ``info`` {info type: last
    content}, ``subscribed`` (info types ordered with 0x0303)."""

    def __init__(self, path: Path | None) -> None:
        self._file = SmallStore(path)
        data = self._file.data
        try:
            self.events = _ints(data.get("events", {}))
            self.menu = _ints(data.get("menu", {}))
            self.info = _ints(data.get("info", {}))
            self.subscribed = {int(i) for i in data.get("subscribed", [])}
        except (AttributeError, TypeError, ValueError):
            self.events, self.menu, self.info, self.subscribed = {}, {}, {}, set()

    def _snapshot(self) -> None:
        self._file.data = {"events": self.events, "menu": self.menu, "info": self.info,
                           "subscribed": sorted(self.subscribed)}

    def save(self) -> None:
        """Write the file now, in this thread (not for the event loop)."""
        self._snapshot()
        self._file.save()

    async def save_off_loop(self, limiter: anyio.CapacityLimiter | None = None) -> None:
        """Write the file as it is now in a worker thread (``SmallStore.save_off_loop``)."""
        self._snapshot()
        await self._file.save_off_loop(limiter)

    def set_events(self, set_type: int, items: Iterable[tuple[int, str]]) -> None:
        self.events = apply_set(self.events, set_type, items, MAX_EVENTS, delete_listed=True)

    def set_menu(self, set_type: int, items: Iterable[tuple[int, str]]) -> None:
        self.menu = apply_set(self.menu, set_type, items, MAX_MENU)
        self.subscribed &= set(self.menu)

    def subscribe(self, info_type: int, on: bool) -> None:
        """Order (or cancel) ``info_type``; written by a writer thread, not waited for."""
        if on:
            self.subscribed.add(info_type)
        else:
            self.subscribed.discard(info_type)
        self._snapshot()
        self._file.save_soon()

    def keep_info(self, info_type: int, content: str) -> None:
        """The last 0x8304 of each type; the oldest types go past the byte budget."""
        self.info.pop(info_type, None)
        self.info[info_type] = content
        while len(self.info) > 1 and (len(self.info) > MAX_INFO_TYPES or sum(
                len(v.encode("utf-8")) for v in self.info.values()) > MAX_INFO_BYTES):
            del self.info[next(iter(self.info))]
