"""Handlers of 0x8301-0x8304 (events, questions, information menu and service; 2011/2013
only: a 2019 terminal has no such messages and answers 0x0001 result 3 as its standard
deletes them), 0x8400 call back and 0x8401 phone book.

- 0x8301 / 0x8303 / 0x8401: applied to the terminal's store (``_text_store``,
  ``_phonebook``; persisted next to the blind area, written in a worker thread before
  the answer: issue 14); result 0, or 1 when the set type is unknown or the list would
  pass its bound (nothing changed). A disk that refuses the write leaves the change in
  memory, with a warning, and the answer is still 0.
- 0x8302: result 0, then ``on_question(message) -> answer id`` (sync or async); an
  id among the candidates is sent at once as 0x0302; otherwise the question is kept in
  ``terminal.questions`` (last 16) until ``terminal.answer_question(serial, id)``.
- 0x8304: kept per info type (``terminal.info``), ``on_info(info_type, content)``.
- 0x8400: dials through ``terminal.voice`` (``hal.modem.VoiceCalls``; flag 1 =
  monitoring: microphone on, speaker off); result 0 once the modem took the dial,
  1 when it refused or the phone book forbids the number, 3 with no voice HAL.
"""
from __future__ import annotations

import logging

from ..errors import JT808Error
from ..frame import Header
from ._replies import (RESULT_FAILED, RESULT_NOT_SUPPORTED, RESULT_OK, HandlerTable,
                       call_hook, has_message)
from ._text_store import SetRefused

__all__ = ["TEXT_HANDLERS", "MAX_QUESTIONS"]

log = logging.getLogger("jt808.terminal")
MAX_QUESTIONS = 16


def _deleted_in_version(terminal, header: Header) -> bool:
    """0x8301-0x8304 do not exist in 2019: answer as that standard says (result 3)."""
    if has_message(terminal, header.msg_id):
        return False
    terminal.reply(header, RESULT_NOT_SUPPORTED)
    return True


async def _apply(terminal, header: Header, store, change) -> None:
    """``change()`` in memory, then ``store`` written off the loop, then the answer."""
    try:
        change()
    except SetRefused as exc:
        log.warning("0x%04X refused: %s", header.msg_id, exc)
        terminal.reply(header, RESULT_FAILED)
        return
    await store.save_off_loop()
    terminal.reply(header, RESULT_OK)


async def set_events(terminal, message, header: Header) -> None:
    if _deleted_in_version(terminal, header):
        return
    items = [(e.event_id, e.content) for e in message.events]
    store = terminal.text_store
    await _apply(terminal, header, store, lambda: store.set_events(message.set_type, items))


async def set_info_menu(terminal, message, header: Header) -> None:
    if _deleted_in_version(terminal, header):
        return
    items = [(i.info_type, i.name) for i in message.infos]
    store = terminal.text_store
    await _apply(terminal, header, store, lambda: store.set_menu(message.set_type, items))


async def info_service(terminal, message, header: Header) -> None:
    if _deleted_in_version(terminal, header):
        return
    store = terminal.text_store
    await _apply(terminal, header, store,
                 lambda: store.keep_info(message.info_type, message.content))
    await call_hook(terminal.on_info, message.info_type, message.content)


async def question(terminal, message, header: Header) -> None:
    if _deleted_in_version(terminal, header):
        return
    questions = terminal.questions
    questions[header.serial] = message
    while len(questions) > MAX_QUESTIONS:
        del questions[next(iter(questions))]
    terminal.reply(header, RESULT_OK)
    try:
        choice = await call_hook(terminal.on_question, message)
    except Exception:                        # an app bug: the question stays pending
        log.exception("on_question failed")
        return
    if choice is None:
        return
    try:
        await terminal.answer_question(header.serial, choice)
    except (ValueError, JT808Error) as exc:
        log.warning("0x0302 not sent: %s", exc)


async def phone_book(terminal, message, header: Header) -> None:
    book = terminal.phone_book
    await _apply(terminal, header, book, lambda: book.apply(message.set_type, message.contacts))


async def call_back(terminal, message, header: Header) -> None:
    voice = terminal.voice
    if voice is None:
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    if not terminal.phone_book.may_call(message.phone_number):
        log.warning("0x8400: %s is not an outgoing number of the phone book",
                    message.phone_number)
        terminal.reply(header, RESULT_FAILED)
        return
    try:
        await voice.dial(message.phone_number, monitor=message.flag == 1)
    except Exception as exc:                 # the modem refused: say so, keep the link
        log.warning("0x8400: dialling %s failed: %s", message.phone_number, exc)
        terminal.reply(header, RESULT_FAILED)
        return
    terminal.reply(header, RESULT_OK)


TEXT_HANDLERS: HandlerTable = {0x8301: set_events, 0x8302: question, 0x8303: set_info_menu,
                 0x8304: info_service, 0x8400: call_back, 0x8401: phone_book}
