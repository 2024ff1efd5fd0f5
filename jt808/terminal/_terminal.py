"""``Terminal``: the async core that joins one transport to one ``TerminalSession``.

Use it as an async context manager (it owns a task group)::

    async with Terminal("tcp://127.0.0.1:6808", phone="13800138000",
                        register_info=TerminalRegister(...)) as terminal:
        await terminal.connect()
        await terminal.login()
        reply = await terminal.report_location(report)

or let ``await terminal.run()`` connect, log in, report positions from the GNSS HAL
every parameter 0x0029 seconds and reconnect with backoff until ``close()``.

The options are a ``TerminalOptions`` (``Terminal(url, phone=…, …)`` builds one). The
protocol version is 2019 unless ``version=`` says otherwise (``"2013"``, ``2011``, a
``Version``). Errors out of ``async with Terminal(…)`` are the library's own (a
``TransportError``, …), not an ``ExceptionGroup``. The class is assembled from one
module per concern, each readable on its own:

- ``_link``: the link (one task per link, served by ``jt808.driver.SessionDriver``:
  one reader, one writer sending one frame per write, one timer) and sending;
- ``_dispatch``: session events (a table by event type) and platform commands (the
  handler table of ``_handlers``; override with ``on(msg_id, fn)``);
- ``_login``: register / authenticate, the auth file (``_auth_file``);
- ``_blind``: location reports (each kept in the store until acknowledged) and the
  blind-area upload; ``_store_keeper``: the store off the event loop, never fatal;
- ``_alarm_control``: alarm bits, critical alarms, 0x8203;
- ``_reconnect``: ``run()`` with backoff; ``_fallback``: the SMS fallback;
- ``_encryption``: RSA body encryption (0x0A00 / 0x8A00);
- ``_state_events``: ``add_state_listener`` (link up/down, registered/authenticated
  with the auth code's source, backlog size and upload progress) and log records.

Wall time is read only through the ``wall_clock`` option; timers use ``clock``
(monotonic).

Auth code, upgrade, vehicle control:

- The auth code of a successful 0x8100 is kept in ``<store_path>.auth.json`` (or
  ``auth_path``), so a restarted terminal authenticates without registering; a refused
  code is removed and the re-registration's code replaces it. A code in the file wins
  over the ``auth_code`` argument.
- ``rsa_key`` (an ``RsaKeyPair``) or ``rsa_key_path`` (PEM, created when missing) is the
  terminal's key, else one is generated on first use (see ``_encryption``).
- 0x8108: the session reassembles the subpackets (2019 asks for lost ones with 0x0005; a
  2013 terminal waits for the platform to send them). The terminal answers 0x0001, calls
  ``on_upgrade(upgrade_type, manufacturer_id, firmware_version, package)`` (sync hooks run
  in a worker thread; returns 0 ok / 1 failed / 2 cancelled) and reports 0x0108 with that
  result (kept and sent after the next authentication if the link is down). No hook:
  0x0001 result 3 (not supported).
- 0x8500: ``on_vehicle_control(message)`` is called, then 0x0500 with the current
  position is sent. 0x8203: the confirmed bits are cleared and 0x0001 is sent.
"""
from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import anyio
import attrs

from ..codec import Message, UpgradeResult
from ..driver import SessionDriver
from ..session import AUTHENTICATED, TerminalSession
from ._alarm_control import AlarmMixin
from ._auth_file import AuthCodeFile, auth_path_for
from ._blind import BlindMixin
from ._blind_store import BlindAreaStore, MemoryBlindStore
from ._dispatch import DispatchMixin, Listener
from ._encryption import EncryptionMixin
from ._command_support import CommandStateMixin, LinkControlMixin
from ._facade_support import FacadeSupportMixin
from ._fallback import SmsFallbackMixin
from ._handlers import DEFAULT_HANDLERS
from ._link import LinkMixin, bearer_of_scheme, bearer_of_transport
from ._login import LoginMixin, auth_code_problem
from ._options import TerminalOptions
from ._param_store import ParamStore
from ._reconnect import ReconnectMixin
from ._replies import HandlerTable
from ._reporting import Reporter
from ._state_events import StateEventsMixin
from ._store_keeper import StoreKeeper, open_blind_store

if sys.version_info < (3, 11):                  # anyio depends on the backport there
    from exceptiongroup import BaseExceptionGroup

__all__ = ["Terminal", "bearer_of_scheme", "bearer_of_transport"]

log = logging.getLogger("jt808.terminal")
_CLOSE_TIMEOUT = 10.0     # seconds a cancelled terminal waits for its link to close


class Terminal(FacadeSupportMixin, LinkControlMixin, CommandStateMixin, LinkMixin,
               DispatchMixin, LoginMixin, BlindMixin, AlarmMixin, ReconnectMixin, SmsFallbackMixin, EncryptionMixin, StateEventsMixin):
    """A JT/T 808 terminal on one link. See the module docstring."""

    blind_batch = 10          # positions per 0x0704 blind-area upload

    def __init__(self, url_or_transport: Any, options: TerminalOptions | None = None,
                 **kwargs: Any) -> None:
        """``Terminal(url, phone=…, version=…, …)`` (keywords: the ``TerminalOptions``
        fields) or ``Terminal(url, options)``."""
        if options is None:
            options = TerminalOptions(**kwargs)
        elif kwargs:
            options = attrs.evolve(options, **kwargs)
        self.options = options
        self._target = self._primary = url_or_transport
        self._init_config(options)
        self._init_session(url_or_transport, options)
        self._init_state()

    def _init_config(self, o: TerminalOptions) -> None:
        self.version = o.version
        self.sms_fallback = o.sms_fallback
        self.sms_fallback_after = o.sms_fallback_after
        self.primary_retry_interval = o.primary_retry_interval
        self.transport_options = o.transport_options
        self.on_sms_fallback = False    # run() is on the SMS fallback link (_fallback)
        self.params = ParamStore(o.params, o.params_path)
        self.register_info = o.register_info
        self.imei, self.app_version = o.imei, o.app_version
        self.gnss, self.modem_info, self.camera = o.gnss, o.modem_info, o.camera
        self.clock: Callable[[], float] = o.clock
        self.wall_clock: Callable[[], float] = o.wall_clock
        self._rsa_key, self._rsa_key_path = o.rsa_key, o.rsa_key_path
        self._store_path = o.store_path
        self._bearer_option = o.bearer

    def _init_session(self, target: Any, o: TerminalOptions) -> None:
        bearer = o.bearer
        if bearer is None:
            bearer = (bearer_of_scheme(target.split(":", 1)[0]) if isinstance(target, str)
                      else bearer_of_transport(target))
        self.session = TerminalSession(o.phone, self.version, bearer=bearer,
                                       params=self.params.link_params())
        self.auth_file = AuthCodeFile(auth_path_for(o.store_path, o.auth_path), o.phone)
        saved = self.auth_file.load()
        if saved and auth_code_problem(saved, o.imei, o.app_version, self.version):
            log.warning("auth code in %s cannot be sent in a %d 0x0102: ignored",
                        self.auth_file.path, self.version)
            saved = None
        self.session.auth_code = saved or o.auth_code
        self.auth_code_source = "file" if saved else "argument" if o.auth_code else None
        self._auth_link_closed = False   # the platform hung up on our last 0x0102
        self._auth_save_limiter: anyio.CapacityLimiter | None = None

    def _init_state(self) -> None:
        self.encryption_enabled = False
        self.on_upgrade: Callable[..., Any] | None = None
        self.on_vehicle_control: Callable[..., Any] | None = None
        self.pending_upgrade_result: UpgradeResult | None = None
        self.handlers: HandlerTable = dict(DEFAULT_HANDLERS)
        self.listeners: list[Listener] = []
        self._answering: dict[int, int] = {}          # msg id -> commands being answered
        self._state_listeners: list[Callable[..., Any]] = []
        self.areas: dict[tuple[int, int], Message] = {}      # (set msg id, area id) -> area
        self.reporter = Reporter(self)
        self._tmpdir: str | None = None
        self.keeper: StoreKeeper | None = None
        self._positions_in_flight: set[int] = set()    # store ids sent live, not yet acked
        self._refusals: dict[int, int] = {}            # store id -> times refused
        self.refused_dropped = 0                       # items dropped after MAX_REFUSALS
        self._backlog = True          # the store may hold items to upload
        self._tg: anyio.abc.TaskGroup | None = None
        self._driver: SessionDriver | None = None
        self._conn_done = anyio.Event()
        self._conn_done.set()
        self._link_lost = anyio.Event()
        self._closed = anyio.Event()
        self._uploading = False
        self._running = False         # run() owns the link: it drops a dead one (§5.3)
        self._alarms_in_flight: set[int] = set()
        self._alarm_serials: dict[int, int] = {}       # serial of a sent alarm -> store id
        self._media_id = 0
        self.error: BaseException | None = None      # last connection error (for status)

    # -- lifetime -------------------------------------------------------------------
    async def __aenter__(self) -> "Terminal":
        await anyio.to_thread.run_sync(self._open_store)
        self._tg = tg = anyio.create_task_group()
        await tg.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        try:
            # Shielded: when we leave because the caller's scope was cancelled, the link
            # must still be closed (by its own task) and the task group exited, or the
            # caller's cancel scope stack is left broken.
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                try:
                    await self.close()
                except Exception:                        # noqa: BLE001 - keep unwinding
                    log.exception("closing the terminal failed")
            tg = self._require_tg()
            tg.cancel_scope.cancel()
            try:
                return await tg.__aexit__(*exc)
            except BaseExceptionGroup as group:
                raise _unwrapped(group) from None
        finally:
            self._tg = None
            self._close_store()

    @property
    def store(self) -> BlindAreaStore | MemoryBlindStore | None:
        """The blind-area store in use (the memory fallback once the disk failed)."""
        return self.keeper.store if self.keeper is not None else None

    def _open_store(self) -> StoreKeeper:
        if self.keeper is not None:
            return self.keeper
        path = self._store_path
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="jt808-blind-")
            path = Path(self._tmpdir) / "blind.sqlite"
        self.keeper = keeper = StoreKeeper(open_blind_store(Path(path)))
        return keeper

    def _require_keeper(self) -> StoreKeeper:
        return self.keeper if self.keeper is not None else self._open_store()

    def _close_store(self) -> None:
        if self.keeper is not None:
            self.keeper.close()
            self.keeper = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _require_tg(self) -> anyio.abc.TaskGroup:
        if self._tg is None:
            raise RuntimeError("use the Terminal inside 'async with terminal:'")
        return self._tg

    # -- state ----------------------------------------------------------------------
    @property
    def authenticated(self) -> bool:
        return self.connected and self.session.state == AUTHENTICATED

    @property
    def auth_code(self) -> str | None:
        return self.session.auth_code

    @property
    def reports_in_flight(self) -> int:
        """Reports sent live and not yet answered (they are in the store meanwhile)."""
        return len(self._positions_in_flight) + len(self._alarms_in_flight)


def _unwrapped(group: BaseExceptionGroup) -> BaseException:
    """The one exception that matters in a task group's ``ExceptionGroup``, so that
    ``async with Terminal(...)`` raises the library's (or the caller's) own exception:
    the first that is not a cancellation (nested groups flattened), else the group."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)
    walk(group)
    cancelled = anyio.get_cancelled_exc_class()
    real = [e for e in leaves if not isinstance(e, cancelled)]
    return real[0] if real else group
