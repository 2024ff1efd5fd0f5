"""Transports: move bytes (streams) or datagrams, nothing else.

Open one by URL::

    t = await open_transport("tcp://127.0.0.1:6808")
    async with t:                      # every transport is an anyio AsyncResource
        await t.send(b"\\x7e...\\x7e")
        data = await t.receive()       # b"" once the peer has closed

=====================================================  =========  =====================
URL                                                    kind       module
=====================================================  =========  =====================
``tcp://host:port``                                    stream     ``_tcp``
``udp://host:port``                                    datagram   ``_udp``
``quectel+tcp:///dev/ttyUSB2?host=h&port=p&apn=a``     stream     ``_quectel`` (AT bridge)
``quectel+udp:///dev/ttyUSB2?host=h&port=p&apn=a``     datagram   ``_quectel``
``sms:///dev/ttyUSB2?number=1064899123456``            datagram   ``_sms``
``memory://name`` (``?kind=datagram``)                 stream     ``_memory``
=====================================================  =========  =====================

Further schemes come from the entry-point group ``jt808.transports`` (name = scheme,
value = a module or object with ``open_transport(url: SplitResult, **options)``) or
``register_transport(scheme, "module[:attr]")``. Modules are imported on first use.
``open_listener(url)`` serves ``tcp``, ``udp`` (one datagram transport per peer
address) and ``memory``.

A transport imports nothing from ``jt808.frame``, ``codec`` or ``session``. See
``_base`` for the conventions (``b""`` at end of input; everything else that goes
wrong is a ``TransportError`` with the library error as ``__cause__``).
"""
from __future__ import annotations

import importlib
from typing import Any

from ._base import (ByteStreamTransport, DatagramTransport, Listener, ListenerIterationMixin,
                    check_datagram)
from ._memory import memory_pair
from ._registry import (ENTRY_POINT_GROUP, TRANSPORTS, open_listener, open_transport,
                        register_transport)

__all__ = [
    "open_transport", "open_listener", "register_transport", "memory_pair",
    "ByteStreamTransport", "DatagramTransport", "Listener",
    "TRANSPORTS", "ENTRY_POINT_GROUP",
    # for transports and listeners written outside this package (an SMS centre gateway)
    "ListenerIterationMixin", "check_datagram", "MAX_SMS_DATAGRAM", "number_matches",
]

#: names served from a backend module on first use, so importing the package stays lazy
_FROM_BACKENDS = {"MAX_SMS_DATAGRAM": "_sms", "number_matches": "_sms"}


def __getattr__(name: str) -> Any:
    module = _FROM_BACKENDS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
