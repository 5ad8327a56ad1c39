"""An emulated ICAO 9303 chip (the card side): BAC, PACE-ECDH-GM, secure messaging, files, active
authentication. The fake reader talks to it in memory and the tests through a virtual PC/SC reader;
`specimen.py` builds its contents.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from devices.chip import lds, tlv
from devices.chip.access import PASSWORD_CAN, TDES, public_key_object
from devices.chip.apdu import (
    SW_AUTH_FAILED,
    SW_CONDITIONS,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_SECURITY_NOT_SATISFIED,
    SW_SM_DATA_WRONG,
    SW_WRONG_PARAMETERS,
    Command,
    Response,
)
from devices.chip.chip_auth import CA_ECDH
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
from devices.chip.curves import CURVES_BY_PARAMETER_ID, Curve, Point
from devices.chip.lds import PACE_ECDH_GM, mrz_information
from devices.chip.ports import MrzKey
from devices.chip.secure_messaging import SecureMessaging, SecureMessagingError

CARD_ACCESS_FID = 0x011C  # in the master file, readable without access control
ATR = bytes.fromhex("3B8880010000000000718100F9")  # an ISO 14443 type-B card as PC/SC readers report it


@dataclass
class CardContents:
    files: dict[int, bytes]  # file id → bytes
    can: str
    mrz_key: MrzKey
    card_access: bytes | None  # None: no PACE (BAC only)
    bac: bool = True
    aa_key: ec.EllipticCurvePrivateKey | None = None
    ca_key: ec.EllipticCurvePrivateKey | None = None  # the key DG14 publishes (or, for a clone, another)
    ca_protocol: str = ""


@dataclass
class _Pace:
    suite: CipherSuite
    curve: Curve
    oid: str
    password: bytes
    nonce: bytes = b""
    map_secret: int = 0
    generator: Point = None
    eph_secret: int = 0
    eph_public: Point = None
    terminal_public: Point = None
    keys: tuple[bytes, bytes] = (b"", b"")
    step: int = 0


@dataclass
class EmulatedCard:
    contents: CardContents
    applet_selected: bool = False
    selected_file: int | None = None
    sm: SecureMessaging | None = None
    commands: int = 0
    _challenge: bytes = b""
    _pace: _Pace | None = None
    _ca_pending: bool = False
    _next_sm: SecureMessaging | None = None
    log: list[int] = field(default_factory=list)  # INS of every command, for tests

    def power_on(self) -> bytes:
        self.applet_selected, self.selected_file, self.sm, self._pace = False, None, None, None
        return ATR

    def process(self, apdu: bytes) -> bytes:
        self.commands += 1
        try:
            command = Command.decode(apdu)
        except ValueError:
            return Response(b"", 0x6700).encode()
        self.log.append(command.ins)
        if self.sm is not None and command.cla & 0x0C:
            try:
                command = self.sm.unprotect_command(command)
            except (SecureMessagingError, tlv.TlvError):
                self.sm = None  # ICAO: an SM error ends the session
                return Response(b"", SW_SM_DATA_WRONG).encode()
            answer = self.sm.protect_response(self._dispatch(command))
            if self._next_sm is not None:  # chip authentication: the answer goes under the old keys
                self.sm, self._next_sm = self._next_sm, None
            return answer
        if self.sm is not None:  # a plain command ends the secure session
            self.sm = None
        return self._dispatch(command).encode()

    def _dispatch(self, command: Command) -> Response:
        handler = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0x84: self._get_challenge,
            0x82: self._mutual_authenticate,
            0x22: self._set_authentication_template,
            0x86: self._general_authenticate,
            0x88: self._internal_authenticate,
        }.get(command.ins)
        return handler(command) if handler else Response(b"", SW_INS_NOT_SUPPORTED)

    # --- files ----------------------------------------------------------------------------------

    def _select(self, command: Command) -> Response:
        if command.p1 == 0x04:
            if command.data != lds.EMRTD_APPLET:
                return Response(b"", SW_FILE_NOT_FOUND)
            self.applet_selected, self.selected_file = True, None
            return Response(b"", SW_OK)
        file_id = int.from_bytes(command.data, "big")
        if not self.applet_selected or file_id not in self.contents.files:
            return Response(b"", SW_FILE_NOT_FOUND)
        if self.sm is None:
            return Response(b"", SW_SECURITY_NOT_SATISFIED)
        self.selected_file = file_id
        return Response(b"", SW_OK)

    def _read_binary(self, command: Command) -> Response:
        if command.p1 & 0x80:  # by short file id (only EF.CardAccess here); it becomes the current file
            if command.p1 & 0x1F != lds.CARD_ACCESS_SFI or self.contents.card_access is None:
                return Response(b"", SW_FILE_NOT_FOUND)
            self.selected_file, offset = CARD_ACCESS_FID, command.p2
        else:
            offset = (command.p1 << 8) | command.p2
        if self.selected_file is None:
            return Response(b"", SW_CONDITIONS)
        if self.selected_file == CARD_ACCESS_FID:
            data = self.contents.card_access or b""
        elif self.sm is None:
            return Response(b"", SW_SECURITY_NOT_SATISFIED)
        else:
            data = self.contents.files[self.selected_file]
        if offset > len(data):
            return Response(b"", SW_WRONG_PARAMETERS)
        return Response(data[offset : offset + (command.le or 256)], SW_OK)

    # --- BAC ------------------------------------------------------------------------------------

    def _bac_keys(self) -> tuple[bytes, bytes]:
        key = self.contents.mrz_key
        import hashlib

        seed = hashlib.sha1(mrz_information(key.document_number, key.birth_date, key.expiry_date)).digest()[
            :16
        ]
        return TDES.derive(seed, KEY_ENC), TDES.derive(seed, KEY_MAC)

    def _get_challenge(self, command: Command) -> Response:
        self._challenge = os.urandom(8)
        return Response(self._challenge, SW_OK)

    def _mutual_authenticate(self, command: Command) -> Response:
        if not self.contents.bac or not self._challenge or len(command.data) != 40:
            return Response(b"", SW_CONDITIONS)
        k_enc, k_mac = self._bac_keys()
        encrypted, mac = command.data[:32], command.data[32:]
        if retail_mac(k_mac, pad(encrypted, 8)) != mac:
            return Response(b"", SW_AUTH_FAILED)
        plain = cbc_decrypt("3des", k_enc, encrypted)
        rnd_ifd, rnd_ic, k_ifd = plain[:8], plain[8:16], plain[16:]
        if rnd_ic != self._challenge:
            return Response(b"", SW_AUTH_FAILED)
        k_ic = os.urandom(16)
        answer = cbc_encrypt("3des", k_enc, rnd_ic + rnd_ifd + k_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        response = Response(answer + retail_mac(k_mac, pad(answer, 8)), SW_OK)
        self.sm = SecureMessaging(TDES, TDES.derive(seed, KEY_ENC), TDES.derive(seed, KEY_MAC), ssc)
        self._challenge = b""
        return response

    # --- PACE -----------------------------------------------------------------------------------

    def _set_authentication_template(self, command: Command) -> Response:
        if command.p1 == 0x41 and self.sm is not None and self.contents.ca_key is not None:
            return self._chip_authentication_setup(command)
        if command.p1 != 0xC1 or command.p2 != 0xA4 or self.contents.card_access is None:
            return Response(b"", SW_WRONG_PARAMETERS)
        items = {element.tag: element.value for element in tlv.iter_tlv(command.data)}
        oid = lds.decode_oid(items.get(0x80, b"\x00"))
        parameter = int.from_bytes(items.get(0x84, b"\x0d"), "big")
        if oid not in PACE_ECDH_GM or parameter not in CURVES_BY_PARAMETER_ID:
            return Response(b"", SW_WRONG_PARAMETERS)
        cipher, bits = PACE_ECDH_GM[oid]
        reference = items.get(0x83, b"\x00")[0]
        if reference == PASSWORD_CAN:
            password = self.contents.can.encode()
        else:
            import hashlib

            key = self.contents.mrz_key
            password = hashlib.sha1(
                mrz_information(key.document_number, key.birth_date, key.expiry_date)
            ).digest()
        suite = CipherSuite(cipher, bits)  # type: ignore[arg-type]
        self._pace = _Pace(suite, CURVES_BY_PARAMETER_ID[parameter], oid, password)
        self.sm = None
        return Response(b"", SW_OK)

    def _general_authenticate(self, command: Command) -> Response:
        if self._ca_pending:
            self._ca_pending = False
            try:
                point = tlv.parse_one(tlv.parse_one(command.data).value)
            except tlv.TlvError:
                return Response(b"", 0x6A80)
            return self._agree_chip_keys(point.value)
        state = self._pace
        if state is None:
            return Response(b"", SW_CONDITIONS)
        try:
            inner = tlv.parse_one(command.data).value
            received = tlv.parse_one(inner).value if inner else b""
        except tlv.TlvError:
            return Response(b"", 0x6A80)
        curve, suite = state.curve, state.suite
        state.step += 1
        if state.step == 1:
            state.nonce = os.urandom(suite.block)
            k_pi = suite.derive(state.password, KEY_PACE)
            return _dynamic(0x80, cbc_encrypt(suite.cipher, k_pi, state.nonce))
        if state.step == 2:
            state.map_secret = curve.random_scalar()
            shared = curve.multiply(state.map_secret, curve.decode(received))
            state.generator = curve.add(
                curve.multiply(int.from_bytes(state.nonce, "big"), curve.generator), shared
            )
            return _dynamic(0x82, curve.encode(curve.multiply(state.map_secret, curve.generator)))
        if state.step == 3:
            state.terminal_public = curve.decode(received)
            state.eph_secret = curve.random_scalar()
            state.eph_public = curve.multiply(state.eph_secret, state.generator)
            secret = curve.multiply(state.eph_secret, state.terminal_public)
            assert secret is not None
            seed = secret[0].to_bytes(curve.size, "big")
            state.keys = (suite.derive(seed, KEY_ENC), suite.derive(seed, KEY_MAC))
            return _dynamic(0x84, curve.encode(state.eph_public))
        k_enc, k_mac = state.keys
        assert state.eph_public is not None and state.terminal_public is not None
        expected = suite.token_mac(k_mac, public_key_object(state.oid, curve, state.eph_public))
        self._pace = None
        if received != expected:
            return Response(b"", SW_AUTH_FAILED)  # wrong CAN or MRZ
        token = suite.token_mac(k_mac, public_key_object(state.oid, curve, state.terminal_public))
        self.sm = SecureMessaging(suite, k_enc, k_mac, 0)
        return _dynamic(0x86, token)

    # --- chip authentication ---------------------------------------------------------------------

    def _chip_authentication_setup(self, command: Command) -> Response:
        items = {element.tag: element.value for element in tlv.iter_tlv(command.data)}
        if command.p2 == 0xA6 and 0x91 in items:  # MSE:Set KAT (CA with 3DES): the key comes now
            return self._agree_chip_keys(items[0x91])
        if command.p2 == 0xA4 and lds.decode_oid(items.get(0x80, b"\x00")) == self.contents.ca_protocol:
            self._ca_pending = True  # the key comes in GENERAL AUTHENTICATE
            return Response(b"", SW_OK)
        return Response(b"", SW_WRONG_PARAMETERS)

    def _agree_chip_keys(self, point: bytes) -> Response:
        key = self.contents.ca_key
        assert key is not None
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
        except ValueError:
            return Response(b"", 0x6A80)
        seed = key.exchange(ec.ECDH(), peer)
        cipher, bits = CA_ECDH[self.contents.ca_protocol]
        suite = CipherSuite(cipher, bits)  # type: ignore[arg-type]
        self._next_sm = SecureMessaging(suite, suite.derive(seed, KEY_ENC), suite.derive(seed, KEY_MAC), 0)
        return Response(b"", SW_OK)

    # --- active authentication ------------------------------------------------------------------

    def _internal_authenticate(self, command: Command) -> Response:
        key = self.contents.aa_key
        if key is None or self.sm is None:
            return Response(b"", SW_INS_NOT_SUPPORTED if key is None else SW_SECURITY_NOT_SATISFIED)
        r, s = decode_dss_signature(key.sign(command.data, ec.ECDSA(hashes.SHA256())))
        size = (key.curve.key_size + 7) // 8
        return Response(r.to_bytes(size, "big") + s.to_bytes(size, "big"), SW_OK)


def _dynamic(tag: int, value: bytes) -> Response:
    return Response(tlv.encode(0x7C, tlv.encode(tag, value)), SW_OK)
