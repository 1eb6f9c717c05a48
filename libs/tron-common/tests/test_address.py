import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "src"))
from tron_common.address import encode_address, is_valid_address  # noqa: E402


class AddressTest(unittest.TestCase):
    def test_round_trip(self):
        address = encode_address(bytes([0x41]) + bytes(range(20)))
        assert address.startswith("T") and is_valid_address(address)
        assert not is_valid_address(address[:-1] + ("1" if address[-1] != "1" else "2"))
