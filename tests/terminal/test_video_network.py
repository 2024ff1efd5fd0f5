"""0x9206 task conditions against the terminal's network kind (JT/T 1078-2016 table 37:
bit 0 WIFI, bit 1 LAN, bit 2 3G/4G; none of them set: any network)."""
from __future__ import annotations

import pytest

from jt808.terminal._video_upload import NETWORK_BITS, network_allows, network_of_link
from jt808.transport import memory_pair
from jt808.transport._quectel import QuectelStream


@pytest.mark.parametrize("conditions, allowed", [
    (0x00, {"wifi", "lan", "mobile"}), (0x01, {"wifi"}), (0x02, {"lan"}),
    (0x04, {"mobile"}), (0x06, {"lan", "mobile"}), (0x07, {"wifi", "lan", "mobile"}),
    (0x08, {"wifi", "lan", "mobile"}),         # only reserved bits: read as unset
    (0xF9, {"wifi"})])
def test_conditions_allow_their_networks(conditions, allowed):
    assert {kind for kind in NETWORK_BITS if network_allows(conditions, kind)} == allowed


@pytest.mark.parametrize("target, kind", [
    ("tcp://10.0.0.1:808", "lan"), ("udp://10.0.0.1:808", "lan"),
    ("quectel+tcp:///dev/ttyUSB2?host=10.0.0.1&port=808", "mobile"),
    ("QUECTEL+UDP:///dev/ttyUSB2", "mobile"), (None, "lan")])
def test_the_link_gives_the_network_kind(target, kind):
    assert network_of_link(target) == kind


def test_a_transport_object_gives_the_network_kind():
    assert network_of_link(memory_pair()[0]) == "lan"
    assert network_of_link(QuectelStream.__new__(QuectelStream)) == "mobile"   # no modem
