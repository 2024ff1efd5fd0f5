"""The phone book of 0x8401 (JT/T 808 §8.26), bounded and persisted next to the
blind-area store (``<store>.phonebook.json``). Entries are keyed by name (the standard
modifies "by contact"); set types as in ``_text_store``: 0 delete all, 1 update (replace
all), 2 append, 3 modify (only names held change). ``apply`` changes the book in
memory; ``await save_off_loop()`` writes it in a worker thread (issue 14)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import anyio
import attrs

from ..codec import Contact
from ._small_store import SmallStore
from ._text_store import SetRefused

__all__ = ["PhoneBook", "MAX_CONTACTS"]

MAX_CONTACTS = 500


class PhoneBook:
    """``contacts``: name -> :class:`~jt808.codec.Contact` (``call_type`` 1 incoming,
    2 outgoing, 3 both)."""

    def __init__(self, path: Path | None) -> None:
        self._file = SmallStore(path)
        try:
            self.contacts = {c["name"]: Contact(int(c["call_type"]), str(c["phone"]),
                                                str(c["name"]))
                             for c in self._file.data.get("contacts", [])}
        except (AttributeError, KeyError, TypeError, ValueError):
            self.contacts = {}

    def apply(self, set_type: int, items: Iterable[Contact]) -> None:
        new = {c.name: c for c in items}
        if set_type == 0:
            result: dict[str, Contact] = {}
        elif set_type == 1:
            result = new
        elif set_type == 2:
            result = {**self.contacts, **new}
        elif set_type == 3:
            result = {**self.contacts, **{k: v for k, v in new.items() if k in self.contacts}}
        else:
            raise SetRefused(f"unknown set type {set_type}")
        if len(result) > MAX_CONTACTS:
            raise SetRefused(f"{len(result)} contacts (at most {MAX_CONTACTS})")
        self.contacts = result

    def _snapshot(self) -> None:
        self._file.data = {"contacts": [attrs.asdict(c) for c in self.contacts.values()]}

    def save(self) -> None:
        """Write the file now, in this thread (not for the event loop)."""
        self._snapshot()
        self._file.save()

    async def save_off_loop(self, limiter: anyio.CapacityLimiter | None = None) -> None:
        """Write the book as it is now in a worker thread (``SmallStore.save_off_loop``)."""
        self._snapshot()
        await self._file.save_off_loop(limiter)

    def may_call(self, number: str, outgoing: bool = True) -> bool:
        """Whether the book allows a call with ``number`` (an empty book allows all)."""
        if not self.contacts:
            return True
        bit = 2 if outgoing else 1
        return any(c.phone == number and c.call_type & bit for c in self.contacts.values())
