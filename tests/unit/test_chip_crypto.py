"""The chip's cryptography against published values and against the `cryptography` package."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from devices.chip import tlv
from devices.chip.active_auth import _iso9796_ok
from devices.chip.apdu import Command, Response
from devices.chip.crypto import KEY_ENC, KEY_MAC, CipherSuite, pad, unpad
from devices.chip.curves import BRAINPOOLP256R1, SECP256R1
from devices.chip.lds import decode_oid, encode_oid, mrz_check_digit, mrz_information
from devices.chip.secure_messaging import SecureMessaging, SecureMessagingError


def test_mrz_check_digits_and_bac_keys_match_the_icao_worked_example() -> None:
    # ICAO 9303-11 appendix D: document L898902C<, born 690806, expires 940623.
    assert mrz_check_digit("L898902C<") == "3"
    info = mrz_information("L898902C", "690806", "940623")
    assert info == b"L898902C<369080619406236"
    seed = hashlib.sha1(info).digest()[:16]
    assert seed.hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    suite = CipherSuite("3des")
    # Parity bits are not adjusted here (DES ignores them): compare with them masked off.
    assert bytes(b & 0xFE for b in suite.derive(seed, KEY_ENC)) == bytes(
        b & 0xFE for b in bytes.fromhex("AB94FDECF2674FDFB9B391F85D7F76F2")
    )
    assert bytes(b & 0xFE for b in suite.derive(seed, KEY_MAC)) == bytes(
        b & 0xFE for b in bytes.fromhex("7962D9ECE03D1ACD4C76089DCE131543")
    )


@pytest.mark.parametrize(
    "curve, reference", [(SECP256R1, ec.SECP256R1()), (BRAINPOOLP256R1, ec.BrainpoolP256R1())]
)
def test_curve_arithmetic_agrees_with_the_cryptography_package(curve, reference) -> None:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(reference)
    numbers = key.public_key().public_numbers()
    assert curve.multiply(key.private_numbers().private_value, curve.generator) == (numbers.x, numbers.y)
    assert curve.multiply(curve.n, curve.generator) is None
    point = curve.multiply(12345, curve.generator)
    assert curve.decode(curve.encode(point)) == point
    with pytest.raises(ValueError):
        curve.decode(b"\x04" + b"\x01" * (2 * curve.size))  # not on the curve


@pytest.mark.parametrize("suite", [CipherSuite("3des"), CipherSuite("aes", 128), CipherSuite("aes", 256)])
def test_secure_messaging_round_trip_and_tamper_detection(suite: CipherSuite) -> None:
    key_enc, key_mac = suite.derive(b"seed", KEY_ENC), suite.derive(b"seed", KEY_MAC)
    reader, card = SecureMessaging(suite, key_enc, key_mac, 41), SecureMessaging(suite, key_enc, key_mac, 41)
    command = Command(0x00, 0xB0, 0x00, 0x10, b"", le=0xDF)
    wire = reader.protect(command)
    received = card.unprotect_command(Command.decode(wire))
    assert (received.ins, received.p1, received.p2, received.le) == (0xB0, 0x00, 0x10, 0xDF)
    answer = card.protect_response(Response("Nguyễn Văn Ánh".encode(), 0x9000))
    assert reader.unprotect(answer) == Response("Nguyễn Văn Ánh".encode(), 0x9000)
    assert reader.ssc == card.ssc == 43  # one step per command, one per response
    tampered = bytearray(card.protect_response(Response(b"data", 0x9000)))
    tampered[3] ^= 1
    with pytest.raises(SecureMessagingError):
        reader.unprotect(bytes(tampered))


def test_padding_tlv_and_oids() -> None:
    assert pad(b"\x01", 8) == b"\x01\x80" + b"\x00" * 6
    assert unpad(pad(b"abc", 16)) == b"abc"
    with pytest.raises(ValueError):
        unpad(b"abc\x00")
    big = tlv.encode(0x5F2E, b"x" * 300)
    assert big[:5] == bytes.fromhex("5F2E82012C")
    assert tlv.parse_one(big).value == b"x" * 300
    with pytest.raises(tlv.TlvError):
        tlv.parse_one(big[:-1])
    assert decode_oid(encode_oid("0.4.0.127.0.7.2.2.4.2.2")) == "0.4.0.127.0.7.2.2.4.2.2"
    assert encode_oid("2.23.136.1.1.1") == bytes.fromhex("678108010101")


def test_iso9796_2_active_authentication_signature_of_an_rsa_chip() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    challenge = bytes(range(8))
    size = 128
    recovered = b"\x11" * (size - 2 - 20)
    message = b"\x6a" + recovered + hashlib.sha1(recovered + challenge).digest() + b"\xbc"
    numbers = key.private_numbers()
    signature = pow(int.from_bytes(message, "big"), numbers.d, numbers.public_numbers.n).to_bytes(size, "big")
    assert _iso9796_ok(key.public_key(), signature, challenge)
    assert not _iso9796_ok(key.public_key(), signature, bytes(8))


def _explicit_spki(key: ec.EllipticCurvePrivateKey, curve: Any) -> bytes:
    """The public key with its curve written out as parameters (as many chips write DG15)."""
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization

    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    size = (curve.p.bit_length() + 7) // 8
    parameters = {
        "version": "ecdpVer1",
        "field_id": {"field_type": "prime_field", "parameters": curve.p},
        "curve": {"a": (curve.a % curve.p).to_bytes(size, "big"), "b": curve.b.to_bytes(size, "big")},
        "base": curve.encode(curve.generator),
        "order": curve.n,
        "cofactor": 1,
    }
    info = {"algorithm": {"algorithm": "ec", "parameters": ("specified", parameters)}, "public_key": point}
    return keys.PublicKeyInfo(info).dump()  # type: ignore[no-any-return]


def test_active_authentication_with_a_dg15_key_written_with_explicit_curve_parameters() -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from devices.chip.active_auth import verify_signature
    from devices.chip.ports import Verdict

    for curve, ours in ((ec.BrainpoolP256R1(), BRAINPOOLP256R1), (ec.SECP256R1(), SECP256R1)):
        key = ec.generate_private_key(curve)
        dg15 = tlv.encode(0x6F, _explicit_spki(key, ours))
        r, s = decode_dss_signature(key.sign(b"\x01" * 8, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        assert verify_signature(dg15, b"\x01" * 8, signature).verdict is Verdict.GENUINE
        assert verify_signature(dg15, b"\x02" * 8, signature).verdict is Verdict.ALTERED
    # A curve this reader does not know (P-256's parameters with another order): not checked, never "altered".
    unknown = tlv.encode(0x6F, _explicit_spki(ec.generate_private_key(ec.SECP256R1()), _Shifted(SECP256R1)))
    answer = verify_signature(unknown, b"\x01" * 8, b"\x00" * 64)
    assert (answer.verdict, answer.performed) == (Verdict.NOT_VERIFIABLE, False)


class _Shifted:
    """A curve's parameters with another order: no known curve matches it."""

    def __init__(self, curve: Any) -> None:
        self.p, self.a, self.b, self.n = curve.p, curve.a, curve.b, curve.n - 2
        self._curve = curve
        self.generator = curve.generator

    def encode(self, point: Any) -> bytes:
        return self._curve.encode(point)  # type: ignore[no-any-return]
