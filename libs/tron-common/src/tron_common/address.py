"""TRON base58check addresses: 0x41-prefixed 21-byte payload plus a 4-byte double-SHA256 checksum."""
import hashlib

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + ALPHABET.index(ch)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + raw


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + out


def checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def encode_address(payload21: bytes) -> str:
    if len(payload21) != 21 or payload21[0] != 0x41:
        raise ValueError("a TRON address payload is 21 bytes starting with 0x41")
    return b58encode(payload21 + checksum(payload21))


def is_valid_address(address: str) -> bool:
    try:
        raw = b58decode(address)
    except ValueError:
        return False
    payload, check = raw[:-4], raw[-4:]
    return len(payload) == 21 and payload[0] == 0x41 and checksum(payload) == check
