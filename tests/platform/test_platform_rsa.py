"""Issue 18: with an RSA key, an unauthenticated peer's valid ciphertext cost ~3 s of CPU
per 4.2 MB in one blocking call. Decrypt only for a connection that authenticated and
sent its key, in a worker thread, within a byte budget. Real keys, real sockets."""
from __future__ import annotations

import threading

import pytest

from jt808.codec import TerminalRsaKey
from jt808.demo import MiniTerminal, location
from jt808.platform import Platform
from jt808.session import RsaKeyPair, encrypt_body

from platform_peers import RawPeer, frame

pytestmark = pytest.mark.anyio

PHONE = "13800000001"


class CountingKey:
    """A real private key that notes every block it decrypts and in which thread."""

    def __init__(self, pair: RsaKeyPair) -> None:
        self.real = pair.private_key
        self.blocks = 0
        self.threads: set[int] = set()

    def decrypt(self, block, padding):
        self.blocks += 1
        self.threads.add(threading.get_ident())
        return self.real.decrypt(block, padding)

    def __getattr__(self, name):
        return getattr(self.real, name)


def _keys() -> tuple[RsaKeyPair, CountingKey]:
    pair = RsaKeyPair()
    counting = CountingKey(pair)
    pair.private_key = counting
    return pair, counting


def _cipher_frame(pair: RsaKeyPair, phone: str, serial: int, size: int) -> bytes:
    body = encrypt_body(b"\x00" * size, pair.private_key.public_key())
    return frame(0x0200, phone, serial, body, encryption=1)


async def test_unauthenticated_ciphertext_is_never_decrypted():
    pair, counting = _keys()
    async with Platform(session_options={"rsa_key": pair}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        peer = await RawPeer.tcp(platform.address())
        await peer.send(_cipher_frame(pair, PHONE, 1, 800))       # 7 blocks of 128
        [(header, reply)] = await peer.receive()
        assert header.msg_id == 0x8001 and reply.result != 0
        await peer.aclose()
    assert counting.blocks == 0


async def _agreed_terminal(platform: Platform, pair: RsaKeyPair
                           ) -> tuple[MiniTerminal, RsaKeyPair]:
    own = RsaKeyPair()
    terminal = MiniTerminal(await _open(platform), PHONE, session_options={"rsa_key": own})
    return terminal, own


async def _open(platform: Platform):
    from jt808.transport import open_transport
    return await open_transport(platform.url())


async def test_authenticated_terminal_that_sent_its_key_is_decrypted_off_the_event_loop():
    pair, counting = _keys()
    async with Platform(session_options={"rsa_key": pair}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        terminal, own = await _agreed_terminal(platform, pair)
        async with terminal:
            await terminal.login()
            assert (await terminal.request(TerminalRsaKey(own.e, own.n_bytes))).result == 0
            public = pair.private_key.public_key().public_numbers()
            terminal.session.set_peer_key(public.e, public.n)
            terminal.session.encrypt = True
            reply = await terminal.report(location(31.5, 121.5))
            assert reply.result == 0
        [(header, report)] = [(h, m) for h, m in platform.terminals[PHONE].received
                              if h.msg_id == 0x0200]
        assert header.encryption == 1 and report.latitude == 31.5
    assert counting.blocks >= 1
    assert threading.get_ident() not in counting.threads


async def test_decryption_has_a_byte_budget_per_connection():
    pair, counting = _keys()
    async with Platform(session_options={"rsa_key": pair}, rsa_budget=(4 * 128, 3600.0)
                        ) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        terminal, own = await _agreed_terminal(platform, pair)
        async with terminal:
            await terminal.login()
            await terminal.request(TerminalRsaKey(own.e, own.n_bytes))
            public = pair.private_key.public_key().public_numbers()
            terminal.session.set_peer_key(public.e, public.n)
            terminal.session.encrypt = True
            results = [(await terminal.report()).result for _ in range(8)]
        assert results[:4] == [0] * 4                 # one 128-byte block per report
        assert set(results[4:]) == {2}                # past the budget: refused, cheap
    assert counting.blocks == 4
