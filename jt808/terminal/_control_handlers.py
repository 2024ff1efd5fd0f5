"""0x8105 terminal control, for real (JT/T 808-2013 §8.13, tables 18-20).

``on_control(message)`` (if set) is called first, for every command word. Then:

==========  ===========================================================================
word        what the terminal does
==========  ===========================================================================
1 upgrade   result 3 with no upgrade hook; else result 0, download ``url`` (HTTP/FTP,
            ``_download``: bounded, resumed), hand it to ``on_upgrade_file(path,
            parsed)`` or else ``on_upgrade(0, manufacturer_id, firmware_version,
            package)`` -> 0 ok / 1 failed / 2 cancelled, and send 0x0108 (a failed
            download is 1); kept and re-sent after the next authentication if unanswered
2 connect   ``conn_ctrl`` 0: result 0, then serve ``addr``:``tcp_port`` (``udp_port``
            for a UDP link) with ``auth_code`` in the emergency state
            (``terminal.emergency``); back to the home server when no link there is up
            within ``conn_timeout`` minutes. ``conn_ctrl`` 1: result 0, then back home
            (result 1 when not switched)
3 power off result 0, ``on_power_off()``, then the link stops and ``run()`` ends
4 reset     result 0, ``on_reset()``, then the link is dropped and ``run()`` reconnects
5 factory   ``on_factory_reset()``, parameters back to ``terminal.factory_params`` (the
  reset     link defaults when not set), persisted (in a worker thread, issue 14; a
            refused write is a warning, the values stay in memory) and applied live;
            result 0
6, 7 radio  result 0, ``on_radio_off(word)``, then the link stops and ``run()`` ends
other       result 3
==========  ===========================================================================
"""
from __future__ import annotations

import functools
import inspect
import logging
import tempfile
from pathlib import Path
from typing import Any

import anyio

from ..codec import UpgradeResult
from ..errors import JT808Error
from ..frame import Header
from ._download import download
from ._replies import (RESULT_BAD_MESSAGE, RESULT_FAILED, RESULT_NOT_SUPPORTED, RESULT_OK,
                       HandlerTable, call_hook)
from ._server_url import server_url

__all__ = ["CONTROL_HANDLERS", "terminal_control"]

log = logging.getLogger("jt808.terminal")
_UPGRADE_FAILED = 1


async def _hook_in_thread(hook: Any, *args: Any) -> Any:
    """Call ``hook``: coroutine functions on the loop, others in a worker thread."""
    if inspect.iscoroutinefunction(hook):
        return await hook(*args)
    result = await anyio.to_thread.run_sync(functools.partial(hook, *args))
    return await result if inspect.isawaitable(result) else result


async def _flash(terminal, path: Path, parsed: dict[str, Any]) -> int:
    try:
        if terminal.on_upgrade_file is not None:
            result = await _hook_in_thread(terminal.on_upgrade_file, path, parsed)
        else:
            package = await anyio.to_thread.run_sync(path.read_bytes)
            result = await _hook_in_thread(terminal.on_upgrade, 0,
                                           str(parsed.get("manufacturer_id", "")),
                                           str(parsed.get("firmware_version", "")), package)
    except Exception:
        log.exception("upgrade hook failed")
        return _UPGRADE_FAILED
    return result if result in (0, 1, 2) else _UPGRADE_FAILED


async def _upgrade_from_url(terminal, parsed: dict[str, Any]) -> None:
    url = str(parsed["url"])
    folder = terminal.download_dir or Path(tempfile.gettempdir()) / "jt808-upgrade"
    dest = Path(folder) / (Path(url.split("?")[0]).name or "upgrade.bin")
    timeout = float(parsed.get("conn_timeout") or 0) * 60 or 60.0
    try:
        await anyio.to_thread.run_sync(Path(folder).mkdir, 0o755, True, True)
        path = await anyio.to_thread.run_sync(functools.partial(
            download, url, dest, limit=terminal.max_upgrade_bytes, timeout=timeout))
    except (JT808Error, OSError) as exc:
        log.warning("upgrade download failed: %s", exc)
        result = _UPGRADE_FAILED
    else:
        result = await _flash(terminal, path, parsed)
    await terminal.send_upgrade_result(UpgradeResult(0, result))


def _connect_target(terminal, parsed: dict[str, Any]) -> str:
    home = terminal.home_target
    addr, tcp, udp = parsed.get("addr"), parsed.get("tcp_port"), parsed.get("udp_port")
    if isinstance(home, str):
        moved = server_url(home, addr, tcp, udp)
        if moved != home:
            return moved
    return f"tcp://{addr}:{tcp}"


async def _connect(terminal, message, header: Header) -> None:
    parsed = message.parsed
    if parsed.get("conn_ctrl") == 1:
        if terminal.emergency is None:
            terminal.reply(header, RESULT_FAILED)
            return
        terminal.reply(header, RESULT_OK)
        await terminal.drain()
        terminal.restore_server()
        return
    if parsed.get("conn_ctrl") != 0 or not parsed.get("addr") or not parsed.get("tcp_port"):
        terminal.reply(header, RESULT_BAD_MESSAGE)
        return
    terminal.reply(header, RESULT_OK)
    await terminal.drain()
    minutes = parsed.get("conn_timeout") if isinstance(parsed.get("conn_timeout"), int) else 0
    terminal.switch_server(_connect_target(terminal, parsed), str(parsed.get("auth_code") or ""),
                           timeout=minutes * 60 or None)


async def _stop(terminal, header: Header, hook: Any, *args: Any) -> None:
    terminal.reply(header, RESULT_OK)
    await terminal.drain()
    try:
        await call_hook(hook, *args)
    finally:
        await terminal.stop_link()


async def terminal_control(terminal, message, header: Header) -> None:
    await call_hook(terminal.on_control, message)
    word = message.cmd_word
    if word == 1:
        parsed = message.parsed
        if terminal.on_upgrade_file is None and terminal.on_upgrade is None:
            terminal.reply(header, RESULT_NOT_SUPPORTED)
        elif not parsed.get("url"):
            terminal.reply(header, RESULT_BAD_MESSAGE)
        else:
            terminal.reply(header, RESULT_OK)
            await _upgrade_from_url(terminal, parsed)
    elif word == 2:
        await _connect(terminal, message, header)
    elif word == 3:
        await _stop(terminal, header, terminal.on_power_off)
    elif word == 4:
        terminal.reply(header, RESULT_OK)
        await terminal.drain()
        await call_hook(terminal.on_reset)
        terminal.drop_link()
    elif word == 5:
        await call_hook(terminal.on_factory_reset)
        await terminal.factory_reset()
        terminal.reply(header, RESULT_OK)
    elif word in (6, 7):
        await _stop(terminal, header, terminal.on_radio_off, word)
    else:
        terminal.reply(header, RESULT_NOT_SUPPORTED)


CONTROL_HANDLERS: HandlerTable = {0x8105: terminal_control}
