"""``TerminalHost``: what the ``Terminal`` mixins may use of each other, for the type
checker only.

Each mixin (``_link``, ``_login``, ``_blind``, …) is one concern of the ``Terminal`` and
uses state and methods that another mixin or ``Terminal.__init__`` provides. Under
``TYPE_CHECKING`` the mixins derive from this protocol, so mypy checks those uses; at
run time ``TerminalHost`` is ``object`` and changes nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, overload

if TYPE_CHECKING:
    import anyio
    import anyio.abc

    from ..codec import (DriverIdentityReport, EventReport, Heartbeat, InfoDemand,
                         LocationBatchReport, LocationReport, MediaDataUpload,
                         MediaEventUpload, MediaUploadResponse, Message,
                         PlatformGeneralResponse, QueryServerTime, QuestionAnswer,
                         ServerTimeResponse, TerminalAuth, TerminalLogout,
                         TerminalRegister, TerminalRegisterResponse, TerminalRsaKey,
                         UpgradeResult)
    from ..driver import SessionDriver
    from ..frame import Header, Version
    from ..session import Event, TerminalSession
    from ._auth_file import AuthCodeFile
    from ._param_store import ParamStore
    from ._reporting import Reporter
    from ._store_keeper import StoreKeeper

    # What the platform answers to a terminal request (session.TERMINAL.replies): its
    # own reply or, when it refuses or does not support the request, a 0x8001.
    RegisterReply = TerminalRegisterResponse | PlatformGeneralResponse
    MediaReply = MediaUploadResponse | PlatformGeneralResponse
    ServerTimeReply = ServerTimeResponse | PlatformGeneralResponse
    # Requests that only a 0x8001 answers.
    GeneralRequest = (TerminalAuth | LocationReport | LocationBatchReport | UpgradeResult
                      | TerminalRsaKey | InfoDemand | EventReport | QuestionAnswer
                      | DriverIdentityReport | MediaEventUpload | Heartbeat | TerminalLogout)

    class TerminalHost(Protocol):
        # options (Terminal._init_config)
        version: Version
        params: ParamStore
        clock: Callable[[], float]
        wall_clock: Callable[[], float]
        transport_options: dict[str, Any]
        sms_fallback: Any
        sms_fallback_after: int
        primary_retry_interval: float
        on_sms_fallback: bool
        imei: str
        app_version: str
        _bearer_option: str | None
        _store_path: Any
        _primary: Any
        _target: Any
        # the link and its session (Terminal._init_session, _link)
        session: TerminalSession
        auth_file: AuthCodeFile
        pending_upgrade_result: UpgradeResult | None
        _auth_save_limiter: anyio.CapacityLimiter | None
        _tg: anyio.abc.TaskGroup | None
        _driver: SessionDriver | None
        _link_lost: anyio.Event
        _closed: anyio.Event
        _running: bool
        _answering: dict[int, int]
        encryption_enabled: bool
        error: BaseException | None
        # reports and the blind-area store (Terminal._init_state, _blind)
        reporter: Reporter
        keeper: StoreKeeper | None
        _uploading: bool
        _media_id: int
        _positions_in_flight: set[int]
        _alarms_in_flight: set[int]
        _alarm_serials: dict[int, int]
        _refusals: dict[int, int]
        refused_dropped: int
        min_backoff: float
        max_backoff: float

        @property
        def authenticated(self) -> bool: ...
        @property
        def connected(self) -> bool: ...
        def _require_tg(self) -> anyio.abc.TaskGroup: ...
        def _require_keeper(self) -> StoreKeeper: ...
        def _state_change(self, kind: str, **info: Any) -> None: ...
        def _save_limiter(self) -> anyio.CapacityLimiter: ...
        def _on_event(self, event: Event) -> None: ...
        def _code_arrived(self, code: str) -> None: ...
        def reply(self, header: Header, result: int = 0) -> int: ...
        def start_blind_upload(self) -> None: ...
        async def __aenter__(self) -> Any: ...
        async def __aexit__(self, *exc: Any) -> bool | None: ...
        async def connect(self) -> None: ...
        async def disconnect(self) -> None: ...
        async def close(self) -> None: ...
        async def login(self) -> PlatformGeneralResponse: ...
        @overload
        async def request(self, message: TerminalRegister, timeout: float | None = None
                          ) -> RegisterReply: ...
        @overload
        async def request(self, message: MediaDataUpload, timeout: float | None = None
                          ) -> MediaReply: ...
        @overload
        async def request(self, message: QueryServerTime, timeout: float | None = None
                          ) -> ServerTimeReply: ...
        @overload
        async def request(self, message: GeneralRequest, timeout: float | None = None
                          ) -> PlatformGeneralResponse: ...
        @overload
        async def request(self, message: Message, timeout: float | None = None
                          ) -> Message: ...
        @overload
        async def request_serial(self, message: GeneralRequest, timeout: float | None = None
                                 ) -> tuple[int, PlatformGeneralResponse]: ...
        @overload
        async def request_serial(self, message: Message, timeout: float | None = None
                                 ) -> tuple[int, Message]: ...
        async def report_location(self, report: LocationReport, *,
                                  critical: bool = False
                                  ) -> PlatformGeneralResponse | None: ...
        async def _send_key_quietly(self) -> None: ...
        async def _run_on_sms(self) -> None: ...
        async def _link_once(self, *until: anyio.Event) -> tuple[bool, bool]: ...
        async def _wait_any(self, *events: anyio.Event, timeout: float = ...) -> None: ...
        async def _decoded(self, items: list[Any]) -> list[tuple[int, LocationReport]]: ...
else:
    TerminalHost = object

__all__ = ["TerminalHost"]
