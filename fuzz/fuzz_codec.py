"""atheris: ``jt808.codec.decode_body`` raises only ``JT808Error`` subclasses.

Input: ``msg_id`` (2 bytes, big-endian) | version selector (1 byte: 0 2011, 1 2013,
2 2019, modulo 3; +3 for strict) | body. A decoded message must re-encode (or raise
JT808Error); a tolerant decode (issue 11) re-encodes to the very body, in the version
it was read with, and decodes again to the same message.
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
    strict = data[2] % 6 >= 3
    body = data[3:]
    try:
        message = decode_body(msg_id, body, version, strict=strict)
    except JT808Error:
        return
    if strict:
        try:
            encode_body(message, version)
        except JT808Error:
            pass
        return
    read_as = message.tolerated.version if message.tolerated is not None else version
    again = encode_body(message, read_as)
    assert again == body, "a tolerant decode must re-encode byte for byte"
    assert decode_body(msg_id, again, read_as) == message


if __name__ == "__main__":
    _harness.main(test_one_input)
