"""Public ``Terminal`` state and methods the platform-command handlers act on.

``LinkControlMixin``: 0x8103 applied live, 0x8105 server switch / reset / factory reset /
power off, 0x0108. ``CommandStateMixin``: the hooks and HALs of the handlers and the
small stores they keep (events, menu, phone book, media index, recorder, driver,
pass-through), created on first use next to the blind-area store.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import anyio

from ..codec import Message, QuestionIssue
from ..errors import ResponseTimeout, TransportError
from ._host import TerminalHost

log = logging.getLogger("jt808.terminal")


class LinkControlMixin(TerminalHost):
    """0x8103 live, 0x8105 link control, 0x0108."""

    _primary: Any
    _target: Any

    def apply_params(self, changed: dict[int, Any]) -> None:
        """Make 0x8103 ``changed`` values live: link timing (heartbeat, reply timeouts,
        retries) now, report strategy at the reporter's next wake, server address and
        port (0x0013/0x0018) at the next connect of a ``tcp://``/``udp://`` primary."""
        self.session.update_params(self.params.link_params())
        if self._driver is not None:
            self._driver.flush()                          # re-arm the heartbeat timer
        self.reporter.wake()
        if {0x0013, 0x0018, 0x0019} & set(changed) and isinstance(self._primary, str):
            from ._server_url import server_url
            target = server_url(self._primary, self.params.get(0x0013),
                                self.params.get(0x0018), self.params.get(0x0019))
            if self._target is self._primary:
                self._target = target
            self._primary = target

    on_control: Callable[..., Any] | None = None         # 0x8105 (message), first
    on_upgrade_file: Callable[..., Any] | None = None    # (path, parsed) -> 0|1|2
    on_power_off: Callable[..., Any] | None = None
    on_reset: Callable[..., Any] | None = None
    on_factory_reset: Callable[..., Any] | None = None
    on_radio_off: Callable[..., Any] | None = None       # (cmd_word 6 or 7)
    download_dir: Any = None       # where 0x8105 upgrades are fetched (default: a temp dir)
    max_upgrade_bytes = 64 * 1024 * 1024
    factory_params: dict[int, Any] | None = None       # 0x8105 word 5 (None: link defaults)

    @property
    def home_target(self) -> Any:
        """The server (URL or transport) outside the 0x8105 emergency state."""
        home = self.__dict__.get("_home")
        return self._target if home is None else home[0]

    @property
    def emergency(self) -> Any:
        """The server of the 0x8105 word 2 emergency state, or ``None``."""
        return None if self.__dict__.get("_home") is None else self._target

    def switch_server(self, target: Any, auth_code: str = "", *,
                      timeout: float | None = None) -> None:
        """0x8105 word 2: serve ``target`` from the next link on (``run()`` reconnects
        now), authenticating with ``auth_code``; back home (``restore_server``) if no
        link there is authenticated within ``timeout`` s."""
        if self.__dict__.get("_home") is None:
            self.__dict__["_home"] = (self._target, self.session.auth_code)
        self._target = target
        if auth_code:
            self.session.auth_code = auth_code
        old_link_lost = self._link_lost if self.connected else None
        self.drop_link()
        if timeout and self._tg is not None:
            self._tg.start_soon(self._emergency_watchdog, target, timeout, old_link_lost)

    async def _emergency_watchdog(self, target: Any, timeout: float,
                                  old_link_lost: anyio.Event | None) -> None:
        with anyio.move_on_after(timeout):
            if old_link_lost is not None:
                await old_link_lost.wait()
            while not (self.authenticated and self._target is target):
                await anyio.sleep(0.2)
            return
        if self._target is target:
            log.warning("no link to %s within %s s: back to the home server", target, timeout)
            self.restore_server()

    def restore_server(self) -> bool:
        """Back to the server (and auth code) before ``switch_server``; False if none."""
        home = self.__dict__.pop("_home", None)
        if home is None:
            return False
        self._target, self.session.auth_code = home
        self.drop_link()
        return True

    async def drain(self, timeout: float = 2.0) -> None:
        """Until what the session queued has been handed to the link (before a command
        that drops it), at most ``timeout`` s."""
        with anyio.move_on_after(timeout):
            while self._driver is not None and self._driver.outbox_bytes:
                await anyio.sleep(0.01)
            await anyio.sleep(0.05)                      # the writer's send in progress

    async def send_upgrade_result(self, result: Any) -> None:
        """0x0108; kept and sent again after the next authentication until acknowledged."""
        self.pending_upgrade_result = result
        try:
            reply = await self.request(result)
        except (ResponseTimeout, TransportError) as exc:
            log.warning("0x0108 not acknowledged, sent again after login: %s", exc)
            return
        if self.pending_upgrade_result is result and reply.result == 0:
            self.pending_upgrade_result = None

    async def factory_reset(self) -> None:
        """Parameters back to ``factory_params`` (link defaults when ``None``), applied
        live and persisted in a worker thread (through the limiter of 0x8103's writes, so
        the two stay in order; a refused write is a warning, the values stay)."""
        from ..session._retry import LINK_PARAM_DEFAULTS
        defaults = dict(LINK_PARAM_DEFAULTS if self.factory_params is None
                        else self.factory_params)
        await self.params.reset_off_loop(defaults, self._save_limiter())
        self.apply_params(defaults)

    def drop_link(self) -> None:
        """End the current link; under ``run()`` it reconnects (0x8105 reset/switch)."""
        if self._driver is not None:
            self._driver.stop()

    async def stop_link(self) -> None:
        """Stop ``run()`` and drop the link (0x8105 power off, radio off)."""
        await self.close()


class CommandStateMixin(TerminalHost):
    """Hooks, HALs and stores of the command handlers."""

    # hooks and HALs of the command handlers (set them as attributes)
    voice: Any = None              # hal.modem.VoiceCalls: 0x8400 call back
    audio: Any = None              # hal.audio.AudioRecorder: 0x8804 recording
    on_question: Callable[..., Any] | None = None    # 0x8302 -> answer id (or None)
    on_info: Callable[..., Any] | None = None        # 0x8304 (info_type, content)

    def _kept(self, name: str, make: Callable[[], Any]) -> Any:
        value = self.__dict__.get(name)
        if value is None:
            value = self.__dict__[name] = make()
        return value

    @property
    def text_store(self) -> Any:
        """Events, info menu and info service (``<store>.text.json``)."""
        from ._small_store import path_next_to
        from ._text_store import TextStore
        return self._kept("_text_store", lambda: TextStore(
            path_next_to(self._store_path, "text")))

    @property
    def phone_book(self) -> Any:
        """The 0x8401 phone book (``<store>.phonebook.json``)."""
        from ._phonebook import PhoneBook
        from ._small_store import path_next_to
        return self._kept("_phone_book", lambda: PhoneBook(
            path_next_to(self._store_path, "phonebook")))

    @property
    def media_index(self) -> Any:
        """The media shot (``hal.camera.MediaIndex``, ``<store>.media.sqlite``)."""
        from hal.camera import MediaIndex
        path = None if self._store_path is None else Path(f"{self._store_path}.media.sqlite")
        return self._kept("_media_index", lambda: MediaIndex(path))

    @property
    def recorder(self) -> Any:
        """The driving recorder (``_recorder.Recorder``) answering 0x8700 / 0x8701."""
        from ._recorder import Recorder
        return self._kept("_recorder", lambda: Recorder(self))

    @property
    def events(self) -> dict[int, str]:
        """Events set by 0x8301: id -> content (report one with ``report_event``)."""
        return dict(self.text_store.events)

    @property
    def info_menu(self) -> dict[int, str]:
        """The 0x8303 menu: info type -> name (order one with ``subscribe_info``)."""
        return dict(self.text_store.menu)

    @property
    def questions(self) -> dict[int, QuestionIssue]:
        """0x8302 questions not answered yet, by the serial they came with."""
        return self._kept("_questions", dict)

    async def report_event(self, event_id: int) -> Message:
        """0x0301 for an event the platform set (0x8301); returns the 0x8001."""
        from ..codec import EventReport
        if event_id not in self.text_store.events:
            raise ValueError(f"event {event_id} was not set by the platform")
        return await self.request(EventReport(event_id))

    async def subscribe_info(self, info_type: int, on: bool = True) -> Message:
        """0x0303: order (or cancel) the menu's ``info_type``; returns the 0x8001."""
        from ..codec import InfoDemand
        if info_type not in self.text_store.menu:
            raise ValueError(f"info type {info_type} is not in the menu")
        reply = await self.request(InfoDemand(info_type, int(on)))
        if reply.result == 0:
            self.text_store.subscribe(info_type, on)
        return reply

    ic_card: Any = None            # async read() -> DriverIdentityReport | None (0x8702)
    on_pass_through: Callable[..., Any] | None = None   # 0x8900 (data_type, data)

    @property
    def pass_through(self) -> Any:
        """0x8900 data no hook took (``_driver_handlers.PassThroughBox``)."""
        from ._driver_handlers import PassThroughBox
        return self._kept("_pass_through", PassThroughBox)

    @property
    def driver(self) -> Any:
        """The last driver record (a ``DriverIdentityReport``), or ``None``."""
        return self.__dict__.get("_driver_record")

    async def set_driver(self, record: Any, *, report: bool = True) -> None:
        """A driver logged in (a ``DriverIdentityReport``) or out (``None``, or a record
        with status 2); sent as 0x0702 when linked and ``report``."""
        self.__dict__["_driver_record"] = None if record is None or record.status == 2 else record
        self.reporter.wake()
        if report and self.authenticated and record is not None:
            await self.request(record)

    async def answer_question(self, serial: int, answer_id: int) -> Message:
        """0x0302: the chosen candidate of the 0x8302 that came with ``serial``."""
        from ..codec import QuestionAnswer
        asked = self.questions.get(serial)
        if asked is None or answer_id not in {a.answer_id for a in asked.answers}:
            raise ValueError(f"no pending question {serial} with answer {answer_id}")
        del self.questions[serial]
        return await self.request(QuestionAnswer(serial, answer_id))
