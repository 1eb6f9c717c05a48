"""blockchain-core: Blockchain core node (Lucid phase 2)."""
from pathlib import Path

from lucid_common.service import run_service
from blockchain_common.chain import HashChain


if __name__ == "__main__":
    run_service(Path(__file__).with_name("pyproject.toml"), checks={"hash-chain": lambda: HashChain().append(b"genesis").verify()})
