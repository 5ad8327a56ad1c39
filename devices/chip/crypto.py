"""The cryptography of ICAO 9303 part 11: key derivation, padding, 3DES and AES ciphers and MACs.

Block ciphers come from the `cryptography` package; the retail MAC (ISO 9797-1 algorithm 3) is built
from single DES as the standard defines it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

KEY_ENC = 1
KEY_MAC = 2
KEY_PACE = 3

CipherName = Literal["3des", "aes"]


def pad(data: bytes, block: int) -> bytes:
    """ISO 9797-1 padding method 2: 0x80 then zeros to a whole block."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad ISO 9797-1 padding")
    return stripped[:-1]


def derive_key(seed: bytes, counter: int, cipher: CipherName, key_bits: int = 128) -> bytes:
    """KDF(K, c) of ICAO 9303-11 9.7.1: a hash of the seed and a 32-bit counter, cut to the key size."""
    data = seed + counter.to_bytes(4, "big")
    if cipher == "3des":
        return hashlib.sha1(data).digest()[:16]
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[: key_bits // 8]


def _tdes(key: bytes) -> TripleDES:
    return TripleDES(key if len(key) != 16 else key + key[:8])


def cbc_encrypt(cipher: CipherName, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    algorithm = algorithms.AES(key) if cipher == "aes" else _tdes(key)
    block = 16 if cipher == "aes" else 8
    encryptor = Cipher(algorithm, modes.CBC(iv or bytes(block))).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def cbc_decrypt(cipher: CipherName, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    algorithm = algorithms.AES(key) if cipher == "aes" else _tdes(key)
    block = 16 if cipher == "aes" else 8
    decryptor = Cipher(algorithm, modes.CBC(iv or bytes(block))).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def aes_ecb(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 over already padded data: DES-CBC with Ka, then 3DES on the last block."""
    ka, kb = key[:8], key[8:16]
    chained = cbc_encrypt("3des", ka * 2, data)[-8:]  # Ka|Ka is single DES with Ka
    decrypted = Cipher(_tdes(kb * 2), modes.ECB()).decryptor().update(chained)
    return Cipher(_tdes(ka * 2), modes.ECB()).encryptor().update(decrypted)


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC cut to the 8 bytes ICAO 9303 uses."""
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:8]


@dataclass(frozen=True)
class CipherSuite:
    """The secure-messaging algorithms of a session: 3DES (BAC, PACE-3DES) or AES (PACE-AES)."""

    cipher: CipherName
    key_bits: int = 128

    @property
    def block(self) -> int:
        return 16 if self.cipher == "aes" else 8

    def derive(self, seed: bytes, counter: int) -> bytes:
        return derive_key(seed, counter, self.cipher, self.key_bits)

    def mac(self, key: bytes, data: bytes) -> bytes:
        """The MAC of secure messaging: `data` is padded here."""
        padded = pad(data, self.block)
        return aes_cmac(key, padded) if self.cipher == "aes" else retail_mac(key, padded)

    def token_mac(self, key: bytes, data: bytes) -> bytes:
        """The MAC of PACE authentication tokens: CMAC over the bare data object for AES."""
        return aes_cmac(key, data) if self.cipher == "aes" else retail_mac(key, pad(data, 8))
