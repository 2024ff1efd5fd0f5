"""Hardware abstraction layer: GNSS, modem and camera interfaces plus backends.

``hal`` imports nothing from ``jt808``; it is the bottom layer. Subpackages:

- ``hal.quectel``: the Quectel modem driver (AT channel, sockets, SMS, GNSS, info).

Public names are added to ``__all__`` below by each subpackage's owner.
"""
from __future__ import annotations

__all__: list[str] = []

# hal.gnss, hal.modem, hal.camera (interfaces and backends)
from hal.camera import (  # noqa: E402
    Camera, CameraError, DirectoryCamera, FfmpegCamera, StaticCamera,
)
from hal.gnss import (  # noqa: E402
    Fix, GnssSource, NmeaFileGnss, NmeaSerialGnss, QuectelGnss, RouteGnss, Waypoint,
)
from hal.modem import ModemInfo, QuectelModemInfo, Signal, StaticModemInfo  # noqa: E402

__all__ += [
    "Fix", "GnssSource", "NmeaSerialGnss", "NmeaFileGnss", "QuectelGnss", "RouteGnss",
    "Waypoint", "ModemInfo", "QuectelModemInfo", "StaticModemInfo", "Signal",
    "Camera", "CameraError", "StaticCamera", "DirectoryCamera", "FfmpegCamera",
]
