"""An append-only SHA-256 hash chain: each link commits to the previous link and its payload."""
import hashlib
from typing import List, Tuple


class HashChain:
    def __init__(self) -> None:
        self.links: List[Tuple[bytes, bytes]] = []  # (payload, link hash)

    def head(self) -> bytes:
        return self.links[-1][1] if self.links else b"\x00" * 32

    def append(self, payload: bytes) -> "HashChain":
        self.links.append((payload, hashlib.sha256(self.head() + payload).digest()))
        return self

    def verify(self) -> bool:
        prev = b"\x00" * 32
        for payload, link in self.links:
            if hashlib.sha256(prev + payload).digest() != link:
                return False
            prev = link
        return True
