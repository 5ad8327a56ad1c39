"""Active authentication (ICAO 9303-11 §6.1): the chip signs a random challenge with the private key whose
public half is in DG15 (itself covered by the SOD), which a copied chip cannot do.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from devices.chip import tlv
from devices.chip.apdu import Command, Response
from devices.chip.chip_auth import curve_and_point
from devices.chip.ports import Check, Verdict

# ISO/IEC 10118-3 hash identifiers in an ISO 9796-2 trailer "xx CC"; "BC" alone means SHA-1.
_ISO9796_HASHES = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
_CURVES: dict[str, ec.EllipticCurve] = {"secp256r1": ec.SECP256R1(), "brainpoolP256r1": ec.BrainpoolP256R1()}
_ECDSA_HASHES = (hashes.SHA256(), hashes.SHA1(), hashes.SHA384(), hashes.SHA512(), hashes.SHA224())


CHALLENGE_BYTES = 8  # RND.IFD: the 8-byte challenge INTERNAL AUTHENTICATE signs


@dataclass(frozen=True)
class ActiveAnswer:
    """What active authentication found, and the chip's signature over the challenge: a server that chose
    the challenge checks the same signature itself (`verify_signature`), so a replayed read cannot pass."""

    check: Check
    challenge: bytes
    signature: bytes | None


def active_authentication(
    send: Callable[[Command], Response], dg15: bytes | None, challenge: bytes | None = None
) -> ActiveAnswer:
    """INTERNAL AUTHENTICATE on `challenge` (a server's one-time nonce), else on 8 fresh random bytes."""
    challenge = os.urandom(CHALLENGE_BYTES) if challenge is None else challenge
    if len(challenge) != CHALLENGE_BYTES:
        raise ValueError(f"the active-authentication challenge is {CHALLENGE_BYTES} bytes")
    if dg15 is None:
        return ActiveAnswer(
            Check(
                Verdict.NOT_VERIFIABLE,
                ("the card offers no active authentication (no DG15)",),
                performed=False,
            ),
            challenge,
            None,
        )
    answer = send(Command(0x00, 0x88, 0x00, 0x00, challenge, le=256))
    if not answer.ok:
        refused = Check(Verdict.ALTERED, (f"the chip refused to sign a challenge ({answer.sw:04X})",))
        return ActiveAnswer(refused, challenge, None)
    return ActiveAnswer(verify_signature(dg15, challenge, answer.data), challenge, answer.data)


def verify_signature(dg15: bytes, challenge: bytes, signature: bytes) -> Check:
    """Does `signature` answer `challenge` under DG15's key (ECDSA, or RSA with ISO/IEC 9796-2)?"""
    try:
        spki = tlv.parse_one(dg15).value
        key = _load_key(spki)
    except (ValueError, tlv.TlvError, UnsupportedAlgorithm) as error:
        return Check(Verdict.ALTERED, (f"DG15 holds no usable public key: {error}",))
    if key is None:
        return Check(
            Verdict.NOT_VERIFIABLE,
            ("DG15's key is on a curve given by parameters this reader does not know",),
            performed=False,
        )
    if isinstance(key, ec.EllipticCurvePublicKey):
        passed = _ecdsa_ok(key, signature, challenge)
    elif isinstance(key, rsa.RSAPublicKey):
        passed = _iso9796_ok(key, signature, challenge)
    else:
        return Check(
            Verdict.NOT_VERIFIABLE, (f"unsupported AA key type {type(key).__name__}",), performed=False
        )
    if passed:
        return Check(Verdict.GENUINE, ("the chip signed the fresh challenge with its DG15 key",))
    return Check(
        Verdict.ALTERED,
        ("the signature does not answer this challenge with the DG15 key: a replayed read or a cloned chip",),
    )


def _load_key(spki: bytes) -> PublicKeyTypes | None:
    """DG15's key; many chips write an EC key with explicit curve parameters, which `cryptography` does not
    load: those of a known curve are read as it (None: an unknown curve)."""
    try:
        return serialization.load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        if keys.PublicKeyInfo.load(spki)["algorithm"]["parameters"].name != "specified":
            raise
    curve, point = curve_and_point(spki)
    if curve is None or point is None:
        return None
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[curve.name], curve.encode(point))


def _ecdsa_ok(key: ec.EllipticCurvePublicKey, signature: bytes, challenge: bytes) -> bool:
    half = len(signature) // 2
    if not signature or len(signature) % 2:
        return False
    der = encode_dss_signature(
        int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
    )
    for algorithm in _ECDSA_HASHES:  # the hash is named in DG14; trying the standard ones proves as much
        try:
            key.verify(der, challenge, ec.ECDSA(algorithm))
            return True
        except InvalidSignature:
            continue
    return False


def _iso9796_ok(key: rsa.RSAPublicKey, signature: bytes, challenge: bytes) -> bool:
    """ISO/IEC 9796-2 scheme 1 with partial recovery, as eMRTD RSA chips sign."""
    numbers = key.public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    message = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(size, "big")
    if message[0] & 0xC0 != 0x40 or message[-1] not in (0xBC, 0xCC):
        return False
    if message[-1] == 0xBC:
        name, trailer = "sha1", 1
    else:
        name, trailer = _ISO9796_HASHES.get(message[-2], ""), 2
        if not name:
            return False
    digest_size = hashlib.new(name).digest_size
    recovered = message[1 : -(digest_size + trailer)]
    expected = message[-(digest_size + trailer) : -trailer]
    return hashlib.new(name, recovered + challenge).digest() == expected
