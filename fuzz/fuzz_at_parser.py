"""atheris: ``hal.quectel.AtParser.feed`` raises only ``HalError`` subclasses.

Input: command selector byte | modem output (fed in chunks).
"""
import _harness
import atheris

with atheris.instrument_imports(include=["hal"]):
    from hal.errors import HalError
    from hal.quectel import AtParser

COMMANDS = (None, "AT+QIRD=0,1500", "AT+CPIN?", "AT+CREG?", "AT+QGPSLOC=2", "AT+CMGS=20")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    parser = AtParser(max_line=256, max_data=256)
    command = COMMANDS[fdp.ConsumeIntInRange(0, len(COMMANDS) - 1)]
    if command:
        parser.begin(command)
    while fdp.remaining_bytes():
        try:
            parser.feed(fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 64)))
        except HalError:
            pass


if __name__ == "__main__":
    _harness.main(test_one_input)
