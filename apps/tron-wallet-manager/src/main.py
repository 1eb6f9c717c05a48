"""tron-wallet-manager: TRON wallet manager (Lucid phase 4)."""
from pathlib import Path

from lucid_common.service import run_service
from tron_common.address import is_valid_address


if __name__ == "__main__":
    run_service(Path(__file__).with_name("pyproject.toml"), checks={"tron-address-codec": lambda: is_valid_address("T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb")})
