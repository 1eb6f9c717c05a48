"""A minimal HTTP service: /health answers with the service's name, version and check results."""
import json
import logging
import os
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Optional

Check = Callable[[], bool]


def read_project(pyproject: Path) -> Dict[str, str]:
    with pyproject.open("rb") as f:
        project = tomllib.load(f)["project"]
    return {"name": project["name"], "version": project["version"]}


def make_server(pyproject: Path, port: Optional[int] = None, checks: Optional[Dict[str, Check]] = None) -> ThreadingHTTPServer:
    project = read_project(pyproject)
    checks = checks or {}
    listen_port = int(os.environ.get("LUCID_SERVICE_PORT", "8080")) if port is None else port

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path != "/health":
                self.send_error(404)
                return
            results = {}
            for name, check in checks.items():
                try:
                    results[name] = bool(check())
                except Exception:  # a failing check reports, it does not crash the server
                    results[name] = False
            ok = all(results.values())
            body = json.dumps({"service": project["name"], "version": project["version"],
                               "status": "ok" if ok else "degraded", "checks": results}).encode()
            self.send_response(200 if ok else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args) -> None:
            logging.getLogger(project["name"]).info(fmt, *args)

    return ThreadingHTTPServer(("0.0.0.0", listen_port), Handler)


def run_service(pyproject: Path, checks: Optional[Dict[str, Check]] = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = make_server(pyproject, checks=checks)
    logging.getLogger("lucid").info("listening on :%d", server.server_port)
    server.serve_forever()
