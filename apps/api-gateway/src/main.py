"""api-gateway: Public API gateway (Lucid phase 2)."""
from pathlib import Path

from lucid_common.service import run_service

if __name__ == "__main__":
    run_service(Path(__file__).with_name("pyproject.toml"))
