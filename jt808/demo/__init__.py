"""The demo and its helpers: not part of either role.

``run_demo(DemoOptions())`` runs the whole terminal-platform conversation on one
machine (``jt808 demo``). ``MiniTerminal`` is a bare ``TerminalSession`` client for
tests, benchmarks and the demo (``location``, ``media_upload_body`` and
``RawMediaUpload`` build what it sends). ``shared_modem(url)`` opens a Quectel modem
once and gives a ``Terminal`` the URL and ``transport_options`` that share it across
reconnections (``jt808 run`` uses it).

This package sits on top: it may import the terminal, the platform and the HAL;
nothing in ``jt808`` imports it except ``jt808.cli``.
"""
from ._constants import DROPPED_PACKET, PHONE, PHOTO, PHOTO_PACKET
from ._demo import Demo, DemoOptions, run_demo
from ._mini_terminal import MiniTerminal, RawMediaUpload, location, media_upload_body
from ._shared_modem import ModemLink, shared_modem

__all__ = ["run_demo", "DemoOptions", "Demo", "MiniTerminal", "RawMediaUpload", "location",
           "media_upload_body", "ModemLink", "shared_modem", "PHONE", "PHOTO", "PHOTO_PACKET",
           "DROPPED_PACKET"]
