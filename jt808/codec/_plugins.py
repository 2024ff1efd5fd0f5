"""Codec plug-ins: the ``jt808.codecs`` entry-point group, imported once, on first decode.

Each entry point names a module that registers its classes when imported
(``register``, ``register_extra``, ``register_param``). A plug-in that fails to import,
or tries to shadow a built-in, is logged on the ``jt808.codec`` logger and kept in
:data:`FAILED`; decoding goes on without it (its ids stay raw).
"""
from __future__ import annotations

import importlib.metadata
import logging

__all__ = ["ENTRY_POINT_GROUP", "FAILED", "load"]

ENTRY_POINT_GROUP = "jt808.codecs"
#: entry-point name -> the exception its import raised.
FAILED: dict[str, BaseException] = {}
_log = logging.getLogger("jt808.codec")
_loaded = False


def load() -> None:
    """Import every ``jt808.codecs`` entry point, the first time only."""
    global _loaded
    if _loaded:
        return
    _loaded = True  # first: a plug-in that decodes while importing must not recurse
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except Exception as exc:  # a broken plug-in costs only its own ids
            FAILED[entry_point.name] = exc
            _log.warning("codec plug-in %r (%s) not loaded: %s: %s", entry_point.name,
                         entry_point.value, type(exc).__name__, exc)
