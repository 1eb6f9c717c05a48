"""Smoke test run outside the image: the service answers /health with its name and version."""
import json, pathlib, sys, threading, unittest, urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(p) for p in (ROOT / "libs").glob("*/src")]
from lucid_common.service import make_server  # noqa: E402


class HealthTest(unittest.TestCase):
    def test_health(self):
        server = make_server(pathlib.Path(__file__).parents[1] / "pyproject.toml", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/health") as response:
            body = json.load(response)
        server.shutdown()
        server.server_close()
        self.assertEqual((body["service"], body["version"], body["status"]), ("session-anchoring", "1.0.0", "ok"))
