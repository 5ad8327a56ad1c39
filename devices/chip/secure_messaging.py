"""Secure messaging (ICAO 9303-11 §9.8): every APDU after BAC or PACE is encrypted and MACed, with a
send sequence counter (SSC) that both sides advance once per command and once per response.

The same class serves both sides: the reader uses `protect`/`unprotect`, the emulated card
`unprotect_command`/`protect_response`.
"""

from __future__ import annotations

from devices.chip import tlv
from devices.chip.apdu import Command, Response
from devices.chip.crypto import CipherSuite, aes_ecb, cbc_decrypt, cbc_encrypt, pad, unpad


class SecureMessagingError(ValueError):
    """A message whose MAC or structure is wrong: the session cannot go on."""


class SecureMessaging:
    def __init__(self, suite: CipherSuite, k_enc: bytes, k_mac: bytes, ssc: int = 0) -> None:
        self.suite = suite
        self.k_enc = k_enc
        self.k_mac = k_mac
        self.ssc = ssc

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.suite.block))
        return self.ssc.to_bytes(self.suite.block, "big")

    def _iv(self, ssc: bytes) -> bytes:
        # AES: IV = E(K_enc, SSC); 3DES: a zero IV.
        return aes_ecb(self.k_enc, ssc) if self.suite.cipher == "aes" else bytes(8)

    def _encrypt(self, ssc: bytes, data: bytes) -> bytes:
        return cbc_encrypt(self.suite.cipher, self.k_enc, pad(data, self.suite.block), self._iv(ssc))

    def _decrypt(self, ssc: bytes, data: bytes) -> bytes:
        if not data or len(data) % self.suite.block:
            raise SecureMessagingError("encrypted data is not a whole number of blocks")
        try:
            return unpad(cbc_decrypt(self.suite.cipher, self.k_enc, data, self._iv(ssc)))
        except ValueError:
            raise SecureMessagingError("decrypted data has bad padding") from None

    # --- the reader's side ----------------------------------------------------------------------

    def protect(self, command: Command) -> bytes:
        ssc = self._next_ssc()
        header = bytes([command.cla | 0x0C, command.ins, command.p1, command.p2])
        do87 = tlv.encode(0x87, b"\x01" + self._encrypt(ssc, command.data)) if command.data else b""
        do97 = tlv.encode(0x97, bytes([command.le & 0xFF])) if command.le is not None else b""
        mac = self.suite.mac(self.k_mac, ssc + pad(header, self.suite.block) + do87 + do97)
        body = do87 + do97 + tlv.encode(0x8E, mac)
        return header + bytes([len(body)]) + body + b"\x00"

    def unprotect(self, raw: bytes) -> Response:
        ssc = self._next_ssc()
        plain = Response.decode(raw)
        if not plain.data:  # a card answers an SM error with a bare status word
            return plain
        elements = {element.tag: element for element in tlv.iter_tlv(plain.data)}
        do87, do99, do8e = elements.get(0x87), elements.get(0x99), elements.get(0x8E)
        if do99 is None or do8e is None:
            raise SecureMessagingError("response without status or MAC object")
        covered = b"".join(tlv.encode(e.tag, e.value) for e in (do87, do99) if e is not None)
        if self.suite.mac(self.k_mac, ssc + covered) != do8e.value:
            raise SecureMessagingError("response MAC does not match")
        data = self._decrypt(ssc, do87.value[1:]) if do87 is not None else b""
        return Response(data, int.from_bytes(do99.value, "big"))

    # --- the card's side ------------------------------------------------------------------------

    def unprotect_command(self, command: Command) -> Command:
        ssc = self._next_ssc()
        elements = {element.tag: element for element in tlv.iter_tlv(command.data)}
        do87, do97, do8e = elements.get(0x87), elements.get(0x97), elements.get(0x8E)
        if do8e is None:
            raise SecureMessagingError("command without MAC")
        header = bytes([command.cla, command.ins, command.p1, command.p2])
        covered = b"".join(tlv.encode(e.tag, e.value) for e in (do87, do97) if e is not None)
        if self.suite.mac(self.k_mac, ssc + pad(header, self.suite.block) + covered) != do8e.value:
            raise SecureMessagingError("command MAC does not match")
        data = self._decrypt(ssc, do87.value[1:]) if do87 is not None else b""
        le = (do97.value[0] or 256) if do97 is not None and do97.value else None
        return Command(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2, data, le)

    def protect_response(self, response: Response) -> bytes:
        ssc = self._next_ssc()
        do87 = tlv.encode(0x87, b"\x01" + self._encrypt(ssc, response.data)) if response.data else b""
        do99 = tlv.encode(0x99, response.sw.to_bytes(2, "big"))
        mac = self.suite.mac(self.k_mac, ssc + do87 + do99)
        return do87 + do99 + tlv.encode(0x8E, mac) + b"\x90\x00"
