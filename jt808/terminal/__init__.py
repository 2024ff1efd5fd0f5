"""The terminal: ``Terminal`` (async core), ``JTT808`` (the seed's sync API), the seed's
configuration classes, default answers to platform commands and the blind-area store."""
from ._blind_store import BlindAreaStore, BlindStoreError, MemoryBlindStore
from ._enums import LicensePlateColor, ResultCode
from ._facade import JTT808
from ._location_config import LocAdditionalInfoConfig, LocAlarmWarningConfig, LocStatusConfig
from ._options import TerminalOptions
from ._params_config import TerminalParams
from ._reporting import fix_to_report
from ._state_events import StateChange
from ._terminal import Terminal
from ._video import VideoService, enable_video, quectel_link_url

__all__ = [
    "Terminal", "TerminalOptions", "StateChange", "JTT808", "TerminalParams",
    "LocStatusConfig", "LocAlarmWarningConfig", "LocAdditionalInfoConfig",
    "LicensePlateColor", "ResultCode", "BlindAreaStore", "MemoryBlindStore",
    "BlindStoreError", "fix_to_report", "VideoService", "enable_video", "quectel_link_url",
]
