import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "src"))
from blockchain_common.chain import HashChain  # noqa: E402


class ChainTest(unittest.TestCase):
    def test_tamper_detected(self):
        chain = HashChain().append(b"a").append(b"b")
        assert chain.verify()
        chain.links[0] = (b"x", chain.links[0][1])
        assert not chain.verify()
