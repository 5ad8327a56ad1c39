"""Elliptic-curve arithmetic for PACE's generic mapping, which needs a generator the card and the reader
compute together: the `cryptography` package only works on the standard generator, so the few point
operations are done here. Only short-Weierstrass prime curves of the PACE standard parameter list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

Point = tuple[int, int] | None  # None is the point at infinity


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> Point:
        return (self.gx, self.gy)

    def on_curve(self, point: Point) -> bool:
        if point is None:
            return False
        x, y = point
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, first: Point, second: Point) -> Point:
        if first is None:
            return second
        if second is None:
            return first
        (x1, y1), (x2, y2) = first, second
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if first == second:
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p)
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, self.p)
        x3 = (slope * slope - x1 - x2) % self.p
        return x3, (slope * (x1 - x3) - y1) % self.p

    def multiply(self, scalar: int, point: Point) -> Point:
        """scalar × point, in Jacobian coordinates (a few ms for 256 bits in Python)."""
        if point is None or scalar % self.n == 0:
            return None
        p = self.p
        result: tuple[int, int, int] | None = None
        addend = (point[0], point[1], 1)
        for bit in bin(scalar % self.n)[2:]:
            if result is not None:
                result = self._double(result)
            if bit == "1":
                result = addend if result is None else self._add_jacobian(result, addend)
        if result is None or result[2] == 0:
            return None
        x, y, z = result
        z_inv = pow(z, -1, p)
        return x * z_inv * z_inv % p, y * z_inv * z_inv * z_inv % p

    def _double(self, point: tuple[int, int, int]) -> tuple[int, int, int]:
        x, y, z = point
        p = self.p
        if y == 0:
            return (1, 1, 0)
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self.a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def _add_jacobian(
        self, first: tuple[int, int, int], second: tuple[int, int, int]
    ) -> tuple[int, int, int]:
        x1, y1, z1 = first
        x2, y2, z2 = second
        p = self.p
        if z1 == 0:
            return second
        if z2 == 0:
            return first
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        if u1 == u2:
            return self._double(first) if s1 == s2 else (1, 1, 0)
        h, r = (u2 - u1) % p, (s2 - s1) % p
        hh = h * h % p
        hhh = h * hh % p
        x3 = (r * r - hhh - 2 * u1 * hh) % p
        return x3, (r * (u1 * hh - x3) - s1 * hhh) % p, h * z1 * z2 % p

    def encode(self, point: Point) -> bytes:
        """Uncompressed encoding 04 || x || y."""
        if point is None:
            raise ValueError("the point at infinity has no encoding")
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise ValueError("not an uncompressed point of this curve")
        point = (int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big"))
        if not self.on_curve(point):
            raise ValueError("the point is not on the curve")
        return point

    def random_scalar(self) -> int:
        return secrets.randbelow(self.n - 1) + 1


# Domain parameters (published constants: RFC 5639 for Brainpool, FIPS 186 for NIST), by PACE parameter id.
SECP256R1 = Curve(
    "secp256r1",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=-3 % 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
BRAINPOOLP256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)
CURVES_BY_PARAMETER_ID: dict[int, Curve] = {12: SECP256R1, 13: BRAINPOOLP256R1}
