"""atheris: ``jt808.codec.decode_body`` raises only ``JT808Error`` subclasses.

Input: ``msg_id`` (2 bytes, big-endian) | version selector (1 byte: 0 2011, 1 2013,
2 2019, modulo 3) | body. A decoded message must re-encode (or raise JT808Error).
"""
import _harness
import atheris

with atheris.instrument_imports(include=["jt808"]):
    from jt808.codec import decode_body, encode_body
    from jt808.errors import JT808Error
    from jt808.frame import Version

VERSIONS = (Version.V2011, Version.V2013, Version.V2019)


def test_one_input(data: bytes) -> None:
    if len(data) < 3:
        return
    msg_id = int.from_bytes(data[:2], "big")
    version = VERSIONS[data[2] % 3]
    try:
        message = decode_body(msg_id, data[3:], version)
        encode_body(message, version)
    except JT808Error:
        pass


if __name__ == "__main__":
    _harness.main(test_one_input)
