"""QuectelModem over a real pty against the scripted peer (quectel-at.md §2-§8)."""
from __future__ import annotations

import datetime as dt

import anyio
import pytest

from hal.errors import ModemError, ModemTimeout, SocketClosedError, SocketOpenError
from hal.quectel import QGpsLoc, QuectelModem, encode_deliver, decode_submit, open_channel
from quectel_fake_peer import FakePeer

pytestmark = pytest.mark.anyio
HEARTBEATS = bytes.fromhex("7E00020000013800138000002A827E7E00020000013800138000002B837E")  # §3
REPLY_8001 = bytes.fromhex("7E800100050138001380000001002A000200077E")                      # §3


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def peer():
    p = FakePeer()
    yield p
    p.close()


async def _modem(ch, **kw):
    modem = QuectelModem(ch, **kw)
    modem.send_retry_delay = 0.01
    await modem.init()
    return modem


async def test_init_sequence(peer):
    async with open_channel(peer.path) as ch:
        await _modem(ch)
    assert peer.commands == ["ATE0", "AT+CMEE=1", "AT+QISDE=0", 'AT+QURCCFG="urcport","usbat"']
    assert peer.echo is False


async def test_pdp_activate_already_active_and_recover(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        assert await modem.activate_pdp(1, apn="cmnet") == "10.7.157.1"
        assert 'AT+QICSGP=1,1,"cmnet","","",0' in peer.commands
        # second time: listed by AT+QIACT? so no AT+QIACT
        n = peer.commands.count("AT+QIACT=1")
        assert await modem.activate_pdp(1, apn="cmnet") == "10.7.157.1"
        assert peer.commands.count("AT+QIACT=1") == n
        assert await modem.recover_pdp(1) == "10.7.157.1"
        assert peer.commands[-3:] == ["AT+QIDEACT=1", "AT+QIACT=1", "AT+QIACT?"]
        with pytest.raises(ValueError):
            await modem.activate_pdp(1, apn='bad"apn')


async def test_tcp_send_receive_close_section3(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        sock = await modem.open_socket("TCP", "203.0.113.10", 7611)
        assert sock.connect_id == 0 and not sock.closed
        assert peer.commands[-1] == 'AT+QIOPEN=1,0,"TCP","203.0.113.10",7611,0,0'
        await sock.send(HEARTBEATS)
        assert bytes(peer.sent[0]) == HEARTBEATS
        peer.deliver(0, REPLY_8001)
        with anyio.fail_after(5):
            assert await sock.receive() == REPLY_8001
        peer.deliver(0, b"x" * 3000)                       # drained 1500 at a time
        with anyio.fail_after(5):
            got = b""
            while len(got) < 3000:
                got += await sock.receive()
        assert got == b"x" * 3000
        peer.inject('+QIURC: "closed",0')
        with anyio.fail_after(5):
            assert await sock.receive() == b""
        assert sock.closed
        with pytest.raises(SocketClosedError):
            await sock.send(b"late")
        await sock.aclose()
        assert peer.commands[-1] == "AT+QICLOSE=0"
        again = await modem.open_socket("UDP", "203.0.113.10", 7612)  # id 0 free again
        assert again.connect_id == 0


async def test_data_left_in_buffer_is_read_after_close(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        sock = await modem.open_socket("TCP", "h", 1)
        peer.rx[0] = bytearray(b"tail")                     # no recv URC, then closed
        peer.inject('+QIURC: "closed",0')
        with anyio.fail_after(5):
            assert await sock.receive() == b"tail"
            assert await sock.receive() == b""


async def test_large_send_is_chunked(peer):
    data = bytes(range(256)) * 12                           # 3072 -> 1460 + 1460 + 152
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        sock = await modem.open_socket("TCP", "h", 1)
        await sock.send(data)
    assert bytes(peer.sent[0]) == data
    assert [c for c in peer.commands if c.startswith("AT+QISEND")] == [
        "AT+QISEND=0,1460", "AT+QISEND=0,1460", "AT+QISEND=0,152"]


async def test_send_fail_retried_then_raised(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        sock = await modem.open_socket("TCP", "h", 1)
        peer.send_fails = 2
        await sock.send(b"abc")
        assert bytes(peer.sent[0]) == b"abc"
        peer.send_fails = 99
        with pytest.raises(ModemError) as info:
            await sock.send(b"def")
        assert info.value.final == "SEND FAIL"


@pytest.mark.parametrize("err, meaning", [(566, "socket connect failed"), (565, "DNS parse failed")])
async def test_open_errors_section2(peer, err, meaning):
    peer.open_errors = [err]
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        with pytest.raises(SocketOpenError) as info:
            await modem.open_socket("TCP", "203.0.113.10", 7611)
    assert (info.value.err, info.value.meaning, info.value.connect_id) == (err, meaning, 0)


async def test_open_563_closes_and_retries_section3(peer):
    peer.open_errors = [563, 0]
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        sock = await modem.open_socket("TCP", "203.0.113.10", 7611)
    assert sock.connect_id == 0
    assert "AT+QICLOSE=0" in peer.commands


async def test_open_timeout_and_bad_args(peer):
    peer.replies['AT+QIOPEN=1,0,"TCP","h",1,0,0'] = "\r\nOK\r\n"   # no +QIOPEN URC
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        with pytest.raises(ModemTimeout):
            await modem.open_socket("TCP", "h", 1, timeout=0.2)
        for args in (("SCTP", "h", 1), ("TCP", 'h"', 1), ("TCP", "h", 0)):
            with pytest.raises(ValueError):
                await modem.open_socket(*args)


async def test_connect_ids_allocated_and_exhausted(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        socks = [await modem.open_socket("UDP", "h", 9) for _ in range(12)]
        assert [s.connect_id for s in socks] == list(range(12))
        with pytest.raises(ModemError):
            await modem.open_socket("UDP", "h", 9)


async def test_pdpdeact_closes_sockets_and_calls_hook(peer):
    lost = []
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch, on_pdp_lost=lost.append)
        sock = await modem.open_socket("TCP", "h", 1)

        async def reader():
            with pytest.raises(SocketClosedError, match="pdpdeact"):
                await sock.receive()

        async with anyio.create_task_group() as tg:
            tg.start_soon(reader)
            await anyio.sleep(0.05)
            peer.inject('+QIURC: "pdpdeact",1')
        assert lost == [1] and sock.closed
        with pytest.raises(SocketClosedError):
            await sock.send(b"x")


async def test_sms_send_single_and_concatenated_section6(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        await modem.sms_init()
        assert peer.commands[-4:] == ["AT+CMGF=0", "AT+CNMI=2,1,0,0,0",
                                      'AT+CPMS="SM","SM","SM"', "AT+CMGL=4"]
        assert await modem.send_sms("+8613800138000", HEARTBEATS) == [1]
        assert "AT+CMGS=45" in peer.commands                       # §6 transcript
        assert peer.sms_sent[0] == ("0011000D91683108108300F00004A71E"
                                    "7E00020000013800138000002A827E7E00020000013800138000002B837E")
        refs = await modem.send_sms("13800138000", bytes(300))
        assert refs == [2, 3, 4]
    parts = [decode_submit(bytes.fromhex(h)) for h in peer.sms_sent[1:]]
    assert [p.concat[1:] for p in parts] == [(3, 1), (3, 2), (3, 3)]
    assert b"".join(p.data for p in parts) == bytes(300)


async def test_sms_receive_cmti_cmgr_cmgd_section6(peer):
    pdu = ("0891683108200805F0040D91683108108300F0000452113021453023107E81050001013800138000000204297E")
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        await modem.sms_init()
        peer.sms_store[3] = pdu
        peer.inject('+CMTI: "SM",3')
        with anyio.fail_after(5):
            msg = await modem.receive_sms()
        assert msg.sender == "+8613800138000"
        assert msg.data == bytes.fromhex("7E81050001013800138000000204297E")
        assert peer.commands[-2:] == ["AT+CMGR=3", "AT+CMGD=3"]
        assert 3 not in peer.sms_store


async def test_sms_receive_concatenated_and_stored_before_init(peer):
    ts = dt.datetime(2025, 11, 3, 12, 54, 3, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    data = bytes(range(256)) + bytes(50)
    parts = encode_deliver("+8613800138000", data, timestamp=ts, ref=77, smsc="+8613800200500")
    peer.sms_store[1] = parts[2][0].hex().upper()                  # stored while host was down
    peer.sms_store[2] = "00DEAD"                                    # malformed: deleted, skipped
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        await modem.sms_init()
        peer.sms_store[5] = parts[0][0].hex().upper()
        peer.sms_store[6] = parts[1][0].hex().upper()
        peer.inject('+CMTI: "ME",5')
        peer.inject('+CMTI: "ME",6')
        with anyio.fail_after(5):
            msg = await modem.receive_sms()
    assert msg.data == data and msg.concat is None and msg.timestamp == ts
    assert modem.bad_sms == 1 and peer.sms_store == {}


async def test_info_section7(peer):
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        assert await modem.imei() == "867584030123454"
        assert await modem.iccid() == "8986001234567890123"
        assert await modem.imsi() == "460001234567890"
        assert await modem.signal() == (24, 99)
        assert await modem.registration() == (0, 1)
        assert await modem.firmware() == "EC25EFAR06A08M4G_01.001.01.001"
        peer.replies["AT+QGMR"] = "\r\nERROR\r\n"
        assert await modem.firmware() == "EC25EFAR06A08M4G"
        peer.replies["AT+GSN"] = "\r\n+CGSN: 867584030123454\r\n\r\nOK\r\n"
        assert await modem.imei() == "867584030123454"
        peer.replies["AT+QCCID"] = "\r\nERROR\r\n"
        peer.replies["AT+CCID"] = "\r\n+CCID: 89860012345678901238\r\n\r\nOK\r\n"
        assert await modem.iccid() == "89860012345678901238"


async def test_gnss_section8(peer):
    line = "+QGPSLOC: 024158.0,40.90340,111.78228,1.5,1125.0,2,307.37,0.0,0.0,271223,04"
    async with open_channel(peer.path) as ch:
        modem = await _modem(ch)
        await modem.gnss_on()
        assert await modem.gnss_location() is None                  # CME 516
        peer.replies["AT+QGPSLOC=2"] = f"\r\n{line}\r\n\r\nOK\r\n"
        loc = await modem.gnss_location()
        assert loc == QGpsLoc("024158.0", 40.9034, 111.78228, 1.5, 1125.0, 2, 307.37, 0.0, 0.0,
                              "271223", 4)
        assert loc.timestamp == dt.datetime(2023, 12, 27, 2, 41, 58, tzinfo=dt.timezone.utc)
        peer.replies["AT+QGPS=1"] = "\r\n+CME ERROR: 504\r\n"        # already on: fine
        await modem.gnss_on()
        peer.replies["AT+QGPSEND"] = "\r\n+CME ERROR: 505\r\n"       # not on: fine
        await modem.gnss_off()
        peer.replies["AT+QGPSLOC=2"] = "\r\n+CME ERROR: 505\r\n"
        with pytest.raises(ModemError):
            await modem.gnss_location()


def test_qgpsloc_parse_rejects_garbage():
    from hal.errors import AtProtocolError
    for text in ("", "1,2,3", "024158.0,x,111.78,1.5,1125.0,2,307.37,0.0,0.0,271223,04",
                 "024158.0,40.9,111.78,1.5,1125.0,2,307.37,0.0,0.0,321399,04"):
        with pytest.raises(AtProtocolError):
            QGpsLoc.parse(text)
