import json
import pathlib
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "src"))
from lucid_common.service import make_server  # noqa: E402


class ServiceTest(unittest.TestCase):
    def serve(self, checks):
        tmp = pathlib.Path(tempfile.mkdtemp()) / "pyproject.toml"
        tmp.write_text('[project]\nname = "demo"\nversion = "2.3.4"\n')
        server = make_server(tmp, port=0, checks=checks)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_port}"

    def test_failing_check_is_503(self):
        base = self.serve({"db": lambda: False})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(base + "/health")
        with ctx.exception as error:
            self.assertEqual(error.code, 503)
            self.assertEqual(json.load(error)["checks"], {"db": False})

    def test_unknown_path_is_404(self):
        base = self.serve({})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(base + "/nope")
        with ctx.exception as error:
            self.assertEqual(error.code, 404)
