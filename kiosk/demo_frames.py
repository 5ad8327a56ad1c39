"""A folder of camera frames for an emulated kiosk camera: an ID card's QR, a paper page, an empty desk.

`motcua kiosk` writes them when it emulates the camera and the folder is empty, so a demo without
hardware shows the whole journey; the UI tests use the same frames. The card is a made-up citizen.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from devices.scanners.cccd import CccdCard, format_cccd
from devices.scanners.synthetic import card_photo

DEMO_CARD = CccdCard(
    id_number="001199004567",
    old_id="",
    full_name="Nguyễn Thị Hồng Nhung",
    birth_date=date(1999, 2, 1),
    sex="Nữ",
    address="Thôn 3, xã Tân Phú, huyện Phú Hòa, tỉnh Phú Yên",
    issue_date=date(2021, 8, 15),
)
FRAME_SIZE = (1280, 720)
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PAGE_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "HỢP ĐỒNG THUÊ NHÀ",
    "Bên cho thuê: Trần Văn Bình",
    "Bên thuê: Nguyễn Thị Hồng Nhung",
    "Địa chỉ nhà: Số 5, đường Lê Lợi, xã Tân Phú",
    "Thời hạn thuê: 24 tháng kể từ ngày ký.",
    "Giá thuê: 3.000.000 đồng / tháng.",
    "Hai bên cam kết thực hiện đúng hợp đồng.",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(FONT), size)
    except OSError:
        return ImageFont.load_default()


def page_image(width: int = 620) -> NDArray[np.uint8]:
    """A printed A4 page (BGR) with Vietnamese text."""
    height = round(width * 2**0.5)
    page = Image.new("RGB", (width, height), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    y = height // 14
    for index, line in enumerate(PAGE_LINES):
        size = width // 26 if index != 3 else width // 18
        draw.text((width // 12, y), line, fill=(20, 20, 20), font=_font(size))
        y += int(size * 1.9)
    seal = (width * 0.6, height * 0.72, width * 0.85, height * 0.72 + width * 0.25)
    draw.ellipse(seal, outline=(200, 30, 30), width=5)
    rgb = np.asarray(page, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def desk(size: tuple[int, int] = FRAME_SIZE, seed: int = 0) -> NDArray[np.uint8]:
    width, height = size
    rng = np.random.default_rng(seed)
    base = np.zeros((height, width, 3), dtype=np.float32)
    base[:] = (70, 95, 120)  # a brown wooden desk (BGR)
    base += rng.normal(0, 5, (height, width, 1)).astype(np.float32)
    return np.clip(base, 0, 255).astype(np.uint8)


def page_photo(size: tuple[int, int] = FRAME_SIZE, seed: int = 0, tilt: float = 4.0) -> NDArray[np.uint8]:
    """The page lying on the desk, slightly turned, wholly inside the frame."""
    width, height = size
    frame = desk(size, seed)
    page = page_image(round(height * 0.88 / 2**0.5))
    ph, pw = page.shape[:2]
    centre = (width * 0.5, height * 0.5)
    matrix = cv2.getRotationMatrix2D((pw / 2, ph / 2), tilt, 1.0)
    matrix[0, 2] += centre[0] - pw / 2
    matrix[1, 2] += centre[1] - ph / 2
    warped = cv2.warpAffine(page, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpAffine(np.full((ph, pw), 255, np.uint8), matrix, (width, height))
    frame[mask > 127] = warped[mask > 127]
    rng = np.random.default_rng(seed + 1)
    noisy = frame.astype(np.float32) + rng.normal(0, 2.0, frame.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def write_demo_frames(
    folder: Path,
    card: CccdCard = DEMO_CARD,
    card_frames: int = 6,
    blurred_frames: int = 4,
    page_frames: int = 12,
    empty_frames: int = 6,
) -> list[Path]:
    """Write the frames (card, a blurred page, the page held still, an empty desk) in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    number = 0

    def save(image: NDArray[np.uint8]) -> None:
        nonlocal number
        number += 1
        # JPEG: what a camera gives, and 2x cheaper to read back than PNG (the emulated camera's cost)
        path = folder / f"frame{number:03d}.jpg"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        written.append(path)

    payload = format_cccd(card)
    for index in range(card_frames):
        save(card_photo(payload, size=FRAME_SIZE, qr_side=300, angle_deg=5.0 + index, seed=index))
    page = page_photo(seed=7)
    for _ in range(blurred_frames):  # the citizen is still moving the sheet
        save(np.asarray(cv2.GaussianBlur(page, (0, 0), 4.0), dtype=np.uint8))
    for _ in range(page_frames):
        save(page)
    for index in range(empty_frames):
        save(desk(seed=20 + index))
    return written
