"""Chip authentication (ICAO 9303-11 §6.2, ECDH): the reader agrees a new session key with the chip's
static key from DG14 (covered by the SOD); only the real chip holds its private half, so a copy cannot go
on talking under the new keys. Like active authentication, it proves the chip is not a clone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import keys

from devices.chip import tlv
from devices.chip.apdu import Command, Response
from devices.chip.crypto import KEY_ENC, KEY_MAC, CipherSuite
from devices.chip.curves import BRAINPOOLP256R1, SECP256R1, Curve, Point
from devices.chip.lds import decode_oid, encode_oid
from devices.chip.ports import Check, Verdict
from devices.chip.secure_messaging import SecureMessaging

CA_ECDH_PREFIX = "0.4.0.127.0.7.2.2.3.2"
CA_ECDH = {
    f"{CA_ECDH_PREFIX}.1": ("3des", 128),
    f"{CA_ECDH_PREFIX}.2": ("aes", 128),
    f"{CA_ECDH_PREFIX}.3": ("aes", 192),
    f"{CA_ECDH_PREFIX}.4": ("aes", 256),
}
PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
NAMED_CURVES = {"1.2.840.10045.3.1.7": SECP256R1, "1.3.36.3.3.2.8.1.1.7": BRAINPOOLP256R1}


@dataclass(frozen=True)
class ChipKey:
    protocol: str
    suite: CipherSuite
    curve: Curve
    point: Point
    key_id: int | None


def parse_dg14(dg14: bytes) -> ChipKey | str:
    """The chip-authentication key DG14 offers, or why none can be used."""
    try:
        infos = tlv.parse_one(tlv.parse_one(dg14).value).children()
    except tlv.TlvError as error:
        return f"DG14 cannot be parsed: {error}"
    protocols: list[tuple[str, int | None]] = []
    public_keys: dict[int | None, bytes] = {}
    for info in infos:
        parts = info.children()
        if len(parts) < 2 or parts[0].tag != 0x06:
            continue
        oid = decode_oid(parts[0].value)
        key_id = int.from_bytes(parts[2].value, "big") if len(parts) > 2 and parts[2].tag == 0x02 else None
        if oid in CA_ECDH:
            protocols.append((oid, key_id))
        elif oid == PK_ECDH:
            public_keys[key_id] = tlv.encode(parts[1].tag, parts[1].value)
    if not protocols or not public_keys:
        return "DG14 offers no ECDH chip authentication (DH is not supported here)"
    oid, key_id = protocols[0]
    spki = public_keys.get(key_id) or next(iter(public_keys.values()))
    curve, point = curve_and_point(spki)
    if curve is None:
        return "the chip-authentication key is on a curve this reader does not know"
    cipher, bits = CA_ECDH[oid]
    return ChipKey(oid, CipherSuite(cipher, bits), curve, point, key_id)  # type: ignore[arg-type]


def curve_and_point(spki: bytes) -> tuple[Curve | None, Point]:
    """An EC public key's curve (named, or explicit parameters of a known one) and point; None: unknown."""
    info = keys.PublicKeyInfo.load(spki)
    parameters = info["algorithm"]["parameters"]
    curve: Curve | None = None
    if parameters.name == "named":
        curve = NAMED_CURVES.get(parameters.chosen.dotted)
    elif parameters.name == "specified":  # explicit parameters, as many chips write them
        spec = parameters.chosen
        prime = spec["field_id"]["parameters"].native
        a = int.from_bytes(spec["curve"]["a"].native, "big")
        base = bytes(spec["base"].native)
        for known in NAMED_CURVES.values():
            same_field = (known.p, known.a % known.p, known.n) == (prime, a % prime, spec["order"].native)
            if same_field and base == known.encode(known.generator):
                curve = known
    if curve is None:
        return None, None
    try:
        return curve, curve.decode(bytes(info["public_key"].native))
    except ValueError:
        return None, None


def chip_authentication(
    send: Callable[[Command], Response], install: Callable[[SecureMessaging], None], dg14: bytes | None
) -> Check:
    """Run CA; `install` puts the new secure-messaging keys in place, and the next command proves them."""
    if dg14 is None:
        return Check(
            Verdict.NOT_VERIFIABLE, ("the card offers no chip authentication (no DG14)",), performed=False
        )
    key = parse_dg14(dg14)
    if isinstance(key, str):
        return Check(Verdict.NOT_VERIFIABLE, (key,), performed=False)
    curve = key.curve
    secret = curve.random_scalar()
    public = curve.encode(curve.multiply(secret, curve.generator))
    reference = tlv.encode(0x84, bytes([key.key_id])) if key.key_id is not None else b""
    if key.suite.cipher == "3des":
        answer = send(Command(0x00, 0x22, 0x41, 0xA6, tlv.encode(0x91, public) + reference))
    else:
        answer = send(Command(0x00, 0x22, 0x41, 0xA4, tlv.encode(0x80, encode_oid(key.protocol)) + reference))
        if answer.ok:
            answer = send(Command(0x00, 0x86, 0x00, 0x00, tlv.encode(0x7C, tlv.encode(0x80, public)), le=256))
    if not answer.ok:
        return Check(Verdict.ALTERED, (f"the chip refused chip authentication ({answer.sw:04X})",))
    shared = curve.multiply(secret, key.point)
    assert shared is not None
    seed = shared[0].to_bytes(curve.size, "big")
    install(SecureMessaging(key.suite, key.suite.derive(seed, KEY_ENC), key.suite.derive(seed, KEY_MAC), 0))
    return Check(Verdict.GENUINE, ("the chip agreed new session keys with its DG14 key",))
