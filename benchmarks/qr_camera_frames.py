"""Camera frames of chip ID cards for the QR benchmark, made here and nowhere else in the project.

Each frame is 1280x720: the front of a card (pale blue-green ID-1 card, portrait, Vietnamese text, the QR
at the top right as on the CCCD) seen by a kiosk camera, with one or two of the troubles a kiosk sees:
glare, motion blur, focus blur, tilt (perspective), low light, uneven light, JPEG artefacts, a card held
far away (small QR), a finger over part of the QR, and a phone screen showing the card (moiré).
Some frames hold no code (the card's back, a hand, a desk) to count false positives.

Payloads come from /work/shared/data/cccd_examples.txt (the lines that parse), with names and numbers
varied so that the payloads are not all alike. Everything is seeded: the same seed gives the same frames.
This module deliberately shares no code with devices/scanners/synthetic.py, so that the pipeline is not
measured on the images it was tuned with.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = next(
    (p for p in (_ROOT.parent / "shared" / "data" / "cccd_examples.txt", Path("/work/shared/data/cccd_examples.txt"))
     if p.exists()),
    _ROOT.parent / "shared" / "data" / "cccd_examples.txt",
)  # fmt: skip
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FRAME_W, FRAME_H = 1280, 720
TROUBLES = ("glare", "motion", "focus", "perspective", "low_light", "uneven_light", "jpeg", "distance",
            "finger", "screen_moire")  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Thị", "Văn", "Ngọc", "Đức", "Thu", "Minh", "Hữu", "Quỳnh", "Bảo")
GIVEN = ("Ánh", "Hùng", "Lệ", "Sơn", "Tuyết", "Dũng", "Hạnh", "Khoa", "Phượng", "Quý", "Ý", "Đạt")


@dataclass(frozen=True)
class Frame:
    name: str
    image: np.ndarray  # BGR, 1280x720
    payload: str | None  # None: there is no code in this frame
    troubles: tuple[str, ...]
    qr_corners: np.ndarray | None = None  # where the QR is (for looking into misses), None without one


def base_payloads() -> list[str]:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1] for line in lines if line.startswith(("ok\t", "warn\t"))]


def varied_payload(rng: np.random.Generator, bases: list[str]) -> str:
    fields = bases[int(rng.integers(len(bases)))].split("|")
    fields[0] = fields[0][:6] + "".join(str(d) for d in rng.integers(0, 10, 6))
    fields[2] = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    if rng.random() < 0.3:
        fields[1] = "".join(str(d) for d in rng.integers(0, 10, 9))
    return "|".join(fields)


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT, size)


def card_front(payload: str | None, rng: np.random.Generator) -> np.ndarray:
    """The card at 1000x630 px (ID-1 proportions); the QR about 22 % of the card's width, top right."""
    width, height = 1000, 630
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    tint = np.dstack([224 + 14 * x + 0 * y, 236 - 10 * y + 0 * x, 232 + 8 * y * x]).astype(np.uint8)
    card = Image.fromarray(tint[:, :, ::-1].copy())  # RGB for Pillow
    draw = ImageDraw.Draw(card)
    for k in range(0, width, 7):  # guilloche-like fine lines of the security print
        draw.arc((k - 400, 150, k + 400, 900), 200, 340, fill=(205, 222, 214), width=1)
    draw.text((150, 28), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(24, True), fill=(30, 30, 60))
    draw.text((250, 62), "Độc lập - Tự do - Hạnh phúc", font=_font(22), fill=(30, 30, 60))
    draw.text((220, 100), "CĂN CƯỚC CÔNG DÂN", font=_font(34, True), fill=(180, 20, 20))
    draw.rectangle((40, 170, 250, 440), fill=(140 + int(rng.integers(40)), 150, 165))  # photo
    draw.ellipse((85, 200, 205, 330), fill=(200, 170, 150))
    fields = (payload or "012345678901||Nguyễn Văn A|01011990|Nam|Hà Nội|01012021").split("|")
    rows = (("Số / No.:", fields[0]), ("Họ và tên / Full name:", fields[2]),
            ("Ngày sinh / Date of birth:", fields[3]), ("Giới tính / Sex:", fields[4]),
            ("Nơi thường trú / Place of residence:", fields[5][:44]))  # fmt: skip
    for index, (label, value) in enumerate(rows):
        top = 180 + index * 62
        draw.text((280, top), label, font=_font(20), fill=(60, 60, 60))
        draw.text((280, top + 24), value, font=_font(24, True), fill=(20, 20, 20))
    out = cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR)
    if payload is not None:
        qr = _qr_gray(payload, str(rng.choice(["L", "M", "M", "Q"])))
        side = 220
        qr = cv2.resize(qr, (side, side), interpolation=cv2.INTER_NEAREST)
        out[30 : 30 + side, width - side - 30 : width - 30] = qr[:, :, None]
    return out


def card_back(rng: np.random.Generator) -> np.ndarray:
    """The back: fingerprints, text and the MRZ — no QR."""
    back = np.full((630, 1000, 3), (228, 232, 236), np.uint8)
    image = Image.fromarray(back)
    draw = ImageDraw.Draw(image)
    for box in ((40, 40, 230, 260), (260, 40, 450, 260)):
        draw.rectangle(box, outline=(80, 80, 80), width=2)
        for ring in range(2, 40, 4):
            draw.ellipse((box[0] + 95 - ring * 2, box[1] + 110 - ring * 2, box[0] + 95 + ring * 2,
                          box[1] + 110 + ring * 2), outline=(120, 120, 130))  # fmt: skip
    draw.text((500, 60), "Đặc điểm nhân dạng: Sẹo chấm", font=_font(22), fill=(40, 40, 40))
    mrz = "IDVNM0790000123079090001234<<8\n9001011M3001012VNM<<<<<<<<<<<6\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
    draw.multiline_text((60, 420), mrz, font=_font(34), fill=(10, 10, 10), spacing=10)
    return np.asarray(image)


@functools.cache
def _qr_gray(payload: str, level: str) -> np.ndarray:
    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q}  # fmt: skip
    code = qrcode.QRCode(error_correction=levels[level], border=4, box_size=1)
    code.add_data(payload.encode("utf-8"))  # byte mode, no ECI, as the CCCD's QR
    code.make(fit=True)
    return np.where(np.array(code.get_matrix(), dtype=bool), 0, 255).astype(np.uint8)


def background(rng: np.random.Generator) -> np.ndarray:
    kind = int(rng.integers(3))
    base = rng.normal(0, 1, (FRAME_H // 16, FRAME_W // 16)).astype(np.float32)
    texture = cv2.resize(base, (FRAME_W, FRAME_H), interpolation=cv2.INTER_CUBIC)
    colours = ((95, 120, 150), (60, 60, 70), (170, 175, 180))  # wood desk, dark mat, grey counter
    colour = np.array(colours[kind], np.float32)
    frame = colour[None, None, :] + 18 * texture[:, :, None]
    return np.clip(frame, 0, 255).astype(np.uint8)


SCREEN_BEZEL = 40
QR_BOX = ((750, 30), (970, 30), (970, 250), (750, 250))  # on the card as card_front draws it


def place(
    card: np.ndarray, rng: np.random.Generator, scale: float, tilt: float, qr_offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The card in a frame through a random homography; also the mask of where the card is."""
    h, w = card.shape[:2]
    target_w = FRAME_W * scale
    cx = FRAME_W / 2 + rng.uniform(-0.25, 0.25) * (FRAME_W - target_w)
    cy = FRAME_H / 2 + rng.uniform(-0.2, 0.2) * max(FRAME_H - target_w * 0.63, 0)
    angle = math.radians(rng.uniform(-25, 25))
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    corners *= target_w / w
    jitter = rng.uniform(-tilt, tilt, (4, 2)).astype(np.float32) * target_w
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
    destination = (corners + jitter) @ rotation.T + np.array([cx, cy], np.float32)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, destination)
    frame = background(rng)
    warped = cv2.warpPerspective(card, matrix, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (FRAME_W, FRAME_H)) > 127
    frame[mask] = warped[mask]
    qr_box = np.array(QR_BOX, np.float32) + qr_offset
    qr_corners = cv2.perspectiveTransform(qr_box[None], matrix)[0]
    return frame, qr_corners


def glare(frame: np.ndarray, at: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    cx, cy = at.mean(axis=0) + rng.uniform(-0.35, 0.35, 2) * np.ptp(at, axis=0)
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W]
    radius = np.ptp(at[:, 0]) * rng.uniform(0.25, 0.5)
    spot = np.exp(-(((xx - cx) / radius) ** 2 + ((yy - cy) / (radius * 0.6)) ** 2))
    light = frame.astype(np.float32) + (180 + 120 * severity) * spot[:, :, None]
    return np.clip(light, 0, 255).astype(np.uint8)


def motion(frame: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    length = int(3 + severity * 6)
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))


def focus(frame: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), 0.8 + 1.2 * severity)


def low_light(frame: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    dark = frame.astype(np.float32) * (0.35 - 0.2 * severity)
    noisy = dark + rng.normal(0, 4 + 6 * severity, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def uneven_light(frame: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
    ramp = (np.cos(angle) * xx / FRAME_W + np.sin(angle) * yy / FRAME_H) % 1.0
    shade = 1.0 - (0.55 + 0.3 * severity) * np.clip(ramp * 1.4 - 0.2, 0, 1)
    return np.clip(frame * shade[:, :, None], 0, 255).astype(np.uint8)


def jpeg(frame: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    quality = int(40 - 30 * severity)
    encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR)


def finger(frame: np.ndarray, at: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    """A fingertip from one side, over the QR's edge (not over the three finder patterns' centres)."""
    side = np.ptp(at[:, 0])
    corner = at[2] if rng.random() < 0.5 else (at[1] + at[2]) / 2  # bottom right or right edge middle
    depth = side * (0.12 + 0.14 * severity)
    direction = corner - at.mean(axis=0)
    direction /= max(np.linalg.norm(direction), 1e-6)
    tip = corner - direction * depth
    out = frame.copy()
    end = tip + direction * side * 1.5
    thickness = int(side * 0.35)
    skin = (int(rng.integers(120, 160)), int(rng.integers(150, 180)), int(rng.integers(195, 230)))
    cv2.line(out, tuple(int(v) for v in tip), tuple(int(v) for v in end), skin, thickness, cv2.LINE_AA)
    cv2.circle(out, tuple(int(v) for v in tip), thickness // 2, skin, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(out, (0, 0), 0.8)


def screen_moire(card: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    """The card shown on a phone: an RGB sub-pixel grid, re-sampled by the camera at a slight angle."""
    h, w = card.shape[:2]
    pitch = 3
    shown = cv2.resize(card, (w // pitch * pitch, h // pitch * pitch), interpolation=cv2.INTER_AREA)
    grid = np.zeros_like(shown, dtype=np.float32)
    for channel in range(3):  # B, G, R stripes: one sub-pixel each
        grid[:, (2 - channel) :: pitch, channel] = 1.0
    grid[::pitch, :, :] *= 0.4  # the dark rows between pixels
    lit = shown.astype(np.float32) * grid * (2.6 - 0.6 * severity) + 12
    screen = np.clip(lit, 0, 255).astype(np.uint8)
    bezel = cv2.copyMakeBorder(screen, *(SCREEN_BEZEL,) * 4, cv2.BORDER_CONSTANT, value=(15, 15, 15))
    return bezel


def make_frames(count: int = 240, blank: int = 40, seed: int = 2026) -> Iterator[Frame]:
    rng = np.random.default_rng(seed)
    bases = base_payloads()
    for index in range(count):
        payload = varied_payload(rng, bases)
        first = TROUBLES[index % len(TROUBLES)]
        others = [t for t in TROUBLES if t != first]
        troubles = (first,) if rng.random() < 0.45 else (first, str(rng.choice(others)))
        image, corners = render(payload, troubles, rng)
        yield Frame(f"frame-{index:03d}", image, payload, troubles, corners)
    for index in range(blank):
        kind = ("card_back", "no_card", "card_back_tilted", "no_card_dark")[index % 4]
        yield Frame(f"blank-{index:03d}", render_blank(kind, rng), None, (kind,))


def render(
    payload: str, troubles: tuple[str, ...], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    severity = {t: float(rng.uniform(0.2, 1.0)) for t in troubles}
    card = card_front(payload, rng)
    if "screen_moire" in troubles:
        card = screen_moire(card, rng, severity["screen_moire"])
    scale = (
        rng.uniform(0.26, 0.36) - 0.08 * severity.get("distance", 0)
        if "distance" in troubles
        else rng.uniform(0.4, 0.7)
    )
    tilt = 0.05 + 0.12 * severity.get("perspective", 0.0) if "perspective" in troubles else 0.03
    frame, qr = place(card, rng, scale, tilt, SCREEN_BEZEL if "screen_moire" in troubles else 0)
    for trouble in troubles:
        s = severity[trouble]
        if trouble == "glare":
            frame = glare(frame, qr, rng, s)
        elif trouble == "finger":
            frame = finger(frame, qr, rng, s)
        elif trouble == "uneven_light":
            frame = uneven_light(frame, rng, s)
        elif trouble == "low_light":
            frame = low_light(frame, rng, s)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.6)  # the camera's own softness
    for trouble in troubles:
        s = severity[trouble]
        if trouble == "motion":
            frame = motion(frame, rng, s)
        elif trouble == "focus":
            frame = focus(frame, rng, s)
    frame = np.clip(frame + rng.normal(0, 3, frame.shape), 0, 255).astype(np.uint8)  # sensor noise
    return (jpeg(frame, rng, severity["jpeg"]) if "jpeg" in troubles else _camera_jpeg(frame)), qr


def render_blank(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind.startswith("card_back"):
        frame, _ = place(
            card_back(rng), rng, rng.uniform(0.4, 0.7), 0.12 if kind.endswith("tilted") else 0.03
        )
    else:
        frame = background(rng)
        if kind.endswith("dark"):
            frame = low_light(frame, rng, 0.8)
        else:  # a hand and a printed page with a grid of boxes (a form)
            cv2.ellipse(frame, (600, 400), (160, 220), 20, 0, 360, (140, 170, 215), -1)
            cv2.rectangle(frame, (100, 80), (420, 520), (235, 235, 235), -1)
            for y in range(100, 500, 24):
                for x in range(120, 400, 24):
                    if rng.random() < 0.5:
                        cv2.rectangle(frame, (x, y), (x + 12, y + 12), (20, 20, 20), -1)
    return _camera_jpeg(cv2.GaussianBlur(frame, (0, 0), 0.8))


def _camera_jpeg(frame: np.ndarray) -> np.ndarray:
    """Webcams deliver MJPEG: every frame has been through a JPEG encoder at a decent quality."""
    encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1]
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR)


if __name__ == "__main__":  # write the frames out, to look at them
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/qr-camera-frames")
    out.mkdir(parents=True, exist_ok=True)
    for frame in make_frames(int(sys.argv[2]) if len(sys.argv) > 2 else 40, 8):
        cv2.imwrite(str(out / f"{frame.name}-{'+'.join(frame.troubles)}.jpg"), frame.image)
    print(out)
