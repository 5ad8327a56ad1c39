"""Synthetic QR images and camera-like frames, for tests, benchmarks and demos without a camera.

`qr_image(text, eci=True)` writes an ECI designator (UTF-8, assignment 26) before the byte segment, which
the `qrcode` package cannot do by itself: we build the data codewords here and let `qrcode` add the
error correction and draw the matrix.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from qrcode import base as qr_base
from qrcode import util as qr_util

GrayImage = npt.NDArray[np.uint8]
BgrImage = npt.NDArray[np.uint8]

_ERROR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
_MODE_ECI = 0b0111
_MODE_BYTE = 0b0100
_ECI_UTF8 = 26
_PAD_BYTES = (0xEC, 0x11)


def qr_modules(text: str, eci: bool | int = False, error_level: str = "M") -> npt.NDArray[np.bool_]:
    """The module matrix (True = dark) of a QR code holding `text` as UTF-8 bytes.

    `eci`: False for no ECI header, True for ECI 26 (UTF-8), or another ECI assignment number (< 128)
    to declare, wrongly on purpose, another character set for the same bytes.
    """
    level = _ERROR_LEVELS[error_level]
    code = qrcode.QRCode(error_correction=level, border=0)
    if eci is not False:
        assignment = _ECI_UTF8 if eci is True else int(eci)
        version, codewords = _eci_codewords(text.encode("utf-8"), level, assignment)
        code.version = version
        code.data_cache = codewords
        code.makeImpl(False, code.best_mask_pattern())
    else:
        code.add_data(qr_util.QRData(text.encode("utf-8"), mode=qr_util.MODE_8BIT_BYTE))
        code.make(fit=True)
    return np.array(code.modules, dtype=bool)


def _eci_codewords(payload: bytes, level: int, assignment: int) -> tuple[int, list[int]]:
    """Smallest version holding an ECI header + one byte segment, and its codewords with error correction."""
    if not 0 <= assignment < 128:
        raise ValueError("only one-byte ECI designators (0–127) are supported")
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        blocks = qr_base.rs_blocks(version, level)
        capacity_bits = sum(block.data_count for block in blocks) * 8
        needed_bits = 4 + 8 + 4 + count_bits + 8 * len(payload)
        if needed_bits > capacity_bits:
            continue
        buffer = qr_util.BitBuffer()
        buffer.put(_MODE_ECI, 4)
        buffer.put(assignment, 8)  # designators below 128 take one byte: 0bbbbbbb
        buffer.put(_MODE_BYTE, 4)
        buffer.put(len(payload), count_bits)
        for byte in payload:
            buffer.put(byte, 8)
        for _ in range(min(capacity_bits - len(buffer), 4)):  # terminator
            buffer.put_bit(False)
        while len(buffer) % 8:
            buffer.put_bit(False)
        for index in range((capacity_bits - len(buffer)) // 8):
            buffer.put(_PAD_BYTES[index % 2], 8)
        return version, list(qr_util.create_bytes(buffer, blocks))
    raise ValueError("payload too long for a QR code")


def qr_image(
    text: str, eci: bool | int = False, module_px: int = 6, border: int = 4, error_level: str = "M"
) -> GrayImage:
    """A clean grayscale QR image: black modules on white, `border` modules of quiet zone."""
    modules = qr_modules(text, eci=eci, error_level=error_level)
    matrix = np.where(modules, 0, 255).astype(np.uint8)
    matrix = np.pad(matrix, border, constant_values=255)
    return np.kron(matrix, np.ones((module_px, module_px), dtype=np.uint8)).astype(np.uint8)


def card_photo(
    payload: str,
    size: tuple[int, int] = (1280, 720),
    qr_side: int = 220,
    angle_deg: float = 8.0,
    center: tuple[float, float] = (0.6, 0.5),
    noise: float = 6.0,
    eci: bool | int = False,
    seed: int = 0,
) -> BgrImage:
    """A camera-like BGR frame: a light ID card holding the QR, tilted on a textured desk, with noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    frame = _desk(width, height, rng)
    card = _card_with_qr(payload, qr_side, eci)
    _paste_rotated(frame, card, (center[0] * width, center[1] * height), angle_deg)
    frame = np.asarray(cv2.GaussianBlur(frame, (3, 3), 0.8), dtype=np.uint8)
    if noise > 0:
        frame = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
    return frame.astype(np.uint8)


def _desk(width: int, height: int, rng: np.random.Generator) -> BgrImage:
    gradient = np.linspace(70, 130, width, dtype=np.float32)[None, :] + np.linspace(0, 30, height)[:, None]
    grain = cv2.resize(rng.normal(0, 12, (height // 8, width // 8)).astype(np.float32), (width, height))
    base = np.clip(gradient + grain, 0, 255)
    return np.dstack([base * 0.8, base * 0.9, base]).astype(np.uint8)


def _card_with_qr(payload: str, qr_side: int, eci: bool | int) -> BgrImage:
    qr = qr_image(payload, eci=eci, module_px=1, border=4)
    qr = np.asarray(cv2.resize(qr, (qr_side, qr_side), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    card_h = int(qr_side * 1.3)
    card_w = int(card_h * 1.58)  # ID-1 card proportions
    card = np.full((card_h, card_w, 3), (228, 236, 240), dtype=np.uint8)
    cv2.rectangle(card, (8, 8), (card_w // 3, card_h // 2), (150, 160, 170), -1)  # photo area
    for row in range(4):
        y = card_h // 2 + 20 + row * 18
        cv2.line(card, (10, y), (card_w // 2, y), (90, 90, 90), 3)  # lines of text
    top = (card_h - qr_side) // 2
    left = card_w - qr_side - top
    card[top : top + qr_side, left : left + qr_side] = qr[:, :, None]
    return card


def _paste_rotated(frame: BgrImage, card: BgrImage, center: tuple[float, float], angle_deg: float) -> None:
    card_h, card_w = card.shape[:2]
    angle = math.radians(angle_deg)
    cos, sin = abs(math.cos(angle)), abs(math.sin(angle))
    out_w, out_h = int(card_w * cos + card_h * sin) + 2, int(card_w * sin + card_h * cos) + 2
    matrix = cv2.getRotationMatrix2D((card_w / 2, card_h / 2), angle_deg, 1.0)
    matrix[0, 2] += out_w / 2 - card_w / 2
    matrix[1, 2] += out_h / 2 - card_h / 2
    rotated = cv2.warpAffine(card, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full((card_h, card_w), 255, np.uint8), matrix, (out_w, out_h))
    x0, y0 = int(center[0] - out_w / 2), int(center[1] - out_h / 2)
    frame_h, frame_w = frame.shape[:2]
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x0 + out_w, frame_w), min(y0 + out_h, frame_h)
    if fx0 >= fx1 or fy0 >= fy1:
        return
    region = frame[fy0:fy1, fx0:fx1]
    patch = rotated[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
    keep = mask[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0] > 127
    region[keep] = patch[keep]
