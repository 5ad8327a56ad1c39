"""Opening the chip: BAC (keys from the MRZ) and PACE v2 with generic mapping over ECDH (key from the CAN
or the MRZ). Both end in a `SecureMessaging` session; a wrong key is a ChipError naming which key.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from devices.chip import tlv
from devices.chip.apdu import Command, Response
from devices.chip.crypto import (
    KEY_ENC,
    KEY_MAC,
    KEY_PACE,
    CipherSuite,
    cbc_decrypt,
    cbc_encrypt,
    pad,
    retail_mac,
)
from devices.chip.curves import CURVES_BY_PARAMETER_ID, Curve
from devices.chip.lds import PACE_ECDH_GM, PaceInfo, encode_oid, mrz_information
from devices.chip.ports import ChipError, ChipErrorCode, MrzKey
from devices.chip.secure_messaging import SecureMessaging

Send = Callable[[Command], Response]
PASSWORD_MRZ = 1
PASSWORD_CAN = 2
TDES = CipherSuite("3des")


def bac(send: Send, key: MrzKey) -> SecureMessaging:
    """Basic Access Control (ICAO 9303-11 §4.3)."""
    seed = hashlib.sha1(mrz_information(key.document_number, key.birth_date, key.expiry_date)).digest()[:16]
    k_enc, k_mac = TDES.derive(seed, KEY_ENC), TDES.derive(seed, KEY_MAC)
    challenge = send(Command(0x00, 0x84, 0x00, 0x00, le=8))
    if not challenge.ok or len(challenge.data) != 8:
        raise ChipError(ChipErrorCode.UNSUPPORTED, f"GET CHALLENGE answered {challenge.sw:04X}")
    rnd_ic = challenge.data
    rnd_ifd, k_ifd = os.urandom(8), os.urandom(16)
    encrypted = cbc_encrypt("3des", k_enc, rnd_ifd + rnd_ic + k_ifd)
    answer = send(Command(0x00, 0x82, 0x00, 0x00, encrypted + retail_mac(k_mac, pad(encrypted, 8)), le=40))
    if not answer.ok or len(answer.data) != 40:
        raise ChipError(ChipErrorCode.WRONG_MRZ, f"MUTUAL AUTHENTICATE answered {answer.sw:04X}")
    if retail_mac(k_mac, pad(answer.data[:32], 8)) != answer.data[32:]:
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, "the card's BAC answer has a wrong MAC")
    plain = cbc_decrypt("3des", k_enc, answer.data[:32])
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, "the card's BAC answer does not echo the challenge")
    session_seed = bytes(a ^ b for a, b in zip(k_ifd, plain[16:32], strict=True))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    return SecureMessaging(TDES, TDES.derive(session_seed, KEY_ENC), TDES.derive(session_seed, KEY_MAC), ssc)


def choose_pace(infos: list[PaceInfo]) -> tuple[PaceInfo, CipherSuite, Curve] | None:
    """The strongest PACE variant the card offers that this reader speaks (ECDH generic mapping)."""
    usable = []
    for info in infos:
        if (
            info.protocol in PACE_ECDH_GM
            and info.parameter_id in CURVES_BY_PARAMETER_ID
            and info.version == 2
        ):
            cipher, bits = PACE_ECDH_GM[info.protocol]
            usable.append((bits if cipher == "aes" else 0, info, CipherSuite(cipher, bits)))  # type: ignore[arg-type]
    if not usable:
        return None
    _, info, suite = max(usable, key=lambda item: item[0])
    assert info.parameter_id is not None
    return info, suite, CURVES_BY_PARAMETER_ID[info.parameter_id]


def pace_password(can: str | None, mrz: MrzKey | None) -> tuple[int, bytes]:
    if can is not None:
        return PASSWORD_CAN, can.encode("ascii")
    if mrz is not None:
        info = mrz_information(mrz.document_number, mrz.birth_date, mrz.expiry_date)
        return PASSWORD_MRZ, hashlib.sha1(info).digest()
    raise ChipError(ChipErrorCode.NO_ACCESS_KEY)


def public_key_object(oid: str, curve: Curve, point: tuple[int, int]) -> bytes:
    """The data object the PACE authentication tokens are computed over (7F49 with the OID and the point)."""
    return tlv.encode(0x7F49, tlv.encode(0x06, encode_oid(oid)) + tlv.encode(0x86, curve.encode(point)))


def pace(
    send: Send, info: PaceInfo, suite: CipherSuite, curve: Curve, password_ref: int, password: bytes
) -> SecureMessaging:
    """PACE v2, generic mapping, ECDH (ICAO 9303-11 §4.4)."""
    wrong_key = ChipErrorCode.WRONG_CAN if password_ref == PASSWORD_CAN else ChipErrorCode.WRONG_MRZ
    setup = tlv.encode(0x80, encode_oid(info.protocol)) + tlv.encode(0x83, bytes([password_ref]))
    setup += tlv.encode(0x84, bytes([info.parameter_id or 0]))
    answer = send(Command(0x00, 0x22, 0xC1, 0xA4, setup))
    if not answer.ok:
        raise ChipError(ChipErrorCode.UNSUPPORTED, f"MSE:Set AT for PACE answered {answer.sw:04X}")
    k_pi = suite.derive(password, KEY_PACE)

    def step(number: int, data: bytes, last: bool = False) -> bytes:
        reply = send(Command(0x00 if last else 0x10, 0x86, 0x00, 0x00, tlv.encode(0x7C, data), le=256))
        if not reply.ok:
            code = wrong_key if last or reply.sw in (0x6300, 0x6982) else ChipErrorCode.SECURE_MESSAGING
            raise ChipError(code, f"PACE step {number} answered {reply.sw:04X}")
        try:
            return tlv.parse_one(reply.data).children()[0].value
        except (tlv.TlvError, IndexError):
            raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"PACE step {number}: malformed answer") from None

    nonce = cbc_decrypt(suite.cipher, k_pi, step(1, b""))
    map_secret = curve.random_scalar()
    map_public = curve.multiply(map_secret, curve.generator)
    try:
        card_map_public = curve.decode(step(2, tlv.encode(0x81, curve.encode(map_public))))
        shared = curve.multiply(map_secret, card_map_public)
        generator = curve.add(curve.multiply(int.from_bytes(nonce, "big"), curve.generator), shared)
        eph_secret = curve.random_scalar()
        eph_public = curve.multiply(eph_secret, generator)
        assert eph_public is not None
        card_eph_public = curve.decode(step(3, tlv.encode(0x83, curve.encode(eph_public))))
    except ValueError as error:
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, f"PACE: {error}") from None
    if card_eph_public == eph_public or card_eph_public is None:
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, "PACE: the card echoed our key")
    secret_point = curve.multiply(eph_secret, card_eph_public)
    if secret_point is None:
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, "PACE: degenerate shared secret")
    secret = secret_point[0].to_bytes(curve.size, "big")
    k_enc, k_mac = suite.derive(secret, KEY_ENC), suite.derive(secret, KEY_MAC)
    token = suite.token_mac(k_mac, public_key_object(info.protocol, curve, card_eph_public))
    card_token = step(4, tlv.encode(0x85, token), last=True)
    if card_token != suite.token_mac(k_mac, public_key_object(info.protocol, curve, eph_public)):
        raise ChipError(ChipErrorCode.SECURE_MESSAGING, "PACE: the card's authentication token is wrong")
    return SecureMessaging(suite, k_enc, k_mac, 0)
