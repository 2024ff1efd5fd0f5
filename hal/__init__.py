"""Hardware abstraction layer: GNSS, modem and camera interfaces plus backends.

``hal`` imports nothing from ``jt808``; it is the bottom layer. Subpackages:

- ``hal.quectel``: the Quectel modem driver (AT channel, sockets, SMS, GNSS, info).

Public names are added to ``__all__`` below by each subpackage's owner.
"""
from __future__ import annotations

__all__: list[str] = []
