"""Decoding pipeline for camera frames and image files: exact text or nothing.

Order: zxing-cpp first, pyzbar (ZBar) as a second opinion, then preprocessed variants of the image
(other binarizer, blur, rescale, contrast/CLAHE, binarisation, inversion), cheapest first. The pipeline
stops at the first step that yields a trustworthy code and returns every code that step read.
Formats: the QR family by default (see QR_FORMATS); pyzbar is only asked for QR codes.

Trust rule (why a wrong string cannot come out):
- zxing-cpp is trusted. It honours the QR ECI header, reads UTF-8 payloads without one correctly, and we
  ask for `TextMode.Plain` so that control characters and GS1 separators come out as they are encoded,
  not rewritten as "<SOH>" or "(01)". Content in an unknown ECI character set is dropped. Content that
  zxing-cpp marks as binary (it does so for any control character) is kept only when its text is exactly
  the UTF-8 reading of its bytes.
- pyzbar is trusted only when its raw bytes and its own text agree. ZBar converts byte segments without
  an ECI header by guessing the character set, and guesses Shift-JIS, Big5 or Latin-1 for some UTF-8
  Vietnamese text. So each symbol is read twice: once with ZBar's binary option (the raw bytes,
  no conversion) and once with ZBar's own conversion. The text is accepted only when the raw bytes are
  valid UTF-8 AND ZBar's conversion gives exactly the same string. A garbled guess
  disagrees with the UTF-8 reading, so it is dropped. With an ECI header ZBar converts by it in both
  readings, which is right. When they disagree, the symbol's location is kept and zxing-cpp re-reads
  that region, enlarged: its answer is trusted, ZBar's is not. (ZBar misreads 20 of 33 Vietnamese names
  without ECI this way with libzbar 0.23.92; every one of them is caught by the rule.)
"""

from __future__ import annotations

import ctypes
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

log = logging.getLogger(__name__)

GrayImage = npt.NDArray[np.uint8]
Polygon = tuple[tuple[int, int], ...]

# ZBar's "don't convert binary data to text" option (zbar.h, ZBAR_CFG_BINARY; pyzbar has no name for it).
_ZBAR_CFG_BINARY = 4
_ZBAR_QRCODE = 64
_ZBAR_CFG_ENABLE = 0
_Y800 = 0x30303859  # 8-bit grayscale fourcc


@dataclass(frozen=True)
class Code:
    format: str  # "QRCode", "DataMatrix", "Code128" … (zxing-cpp's names)
    text: str
    source: str  # "<reader>/<image variant>", e.g. "zxing-cpp/gray", "pyzbar/clahe"


class ImageReadError(ValueError):
    """An image file or buffer cannot be read; the message says why, in Vietnamese and English."""

    def __init__(self, what: str, problem_vi: str, problem_en: str) -> None:
        self.message_vi = f"Không đọc được ảnh {what}: {problem_vi}"
        self.message_en = f"Cannot read image {what}: {problem_en}"
        super().__init__(f"{self.message_vi} / {self.message_en}")


# --- readers --------------------------------------------------------------------------------------


# QR family only by default: every other format zxing-cpp looks for costs time on every frame
# (all formats: ~48 ms on a 720p frame; QR family: ~4 ms). Pass formats="QRCode,Code128" etc. to widen.
QR_FORMATS = "QRCode,MicroQRCode,RMQRCode"


def read_with_zxing(
    gray: GrayImage,
    binarizer: str = "LocalAverage",
    source: str = "gray",
    formats: str = QR_FORMATS,
    located: list[Polygon] | None = None,
    downscale: bool = True,
) -> list[Code]:
    """Trusted codes zxing-cpp reads; with `located`, also where it found a symbol it could not decode
    (a checksum or format error): the region step looks there again, enlarged and cleaned up."""
    results = zxingcpp.read_barcodes(
        gray,
        formats=parse_formats(formats),
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
        try_downscale=downscale,
        return_errors=located is not None,
    )
    reader = "zxing-cpp" if binarizer == "LocalAverage" else f"zxing-cpp[{binarizer}]"
    if located is not None:
        located.extend(_polygon(result.position) for result in results if not result.valid)
    return [
        Code(result.format.name, result.text, f"{reader}/{source}") for result in results if _trusted(result)
    ]


def _polygon(position: Any) -> Polygon:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((int(point.x), int(point.y)) for point in corners)


def parse_formats(formats: str) -> Any:
    """zxing-cpp formats from "QRCode,Code128" or "all"; ValueError naming the unknown one."""
    if formats.strip().lower() == "all":
        return zxingcpp.barcode_formats_from_str("")
    try:
        return zxingcpp.barcode_formats_from_str(formats)
    except ValueError:
        raise ValueError(f"unknown barcode format in {formats!r}; known: {_known_formats()}") from None


def _known_formats() -> str:
    return ", ".join(sorted(name for name in dir(zxingcpp.BarcodeFormat) if name[:1].isupper()))


def _trusted(result: Any) -> bool:
    content = result.content_type.name
    if not result.valid or content == "UnknownECI":
        return False
    return content != "Binary" or bytes(result.bytes) == str(result.text).encode(
        "utf-8", errors="surrogatepass"
    )


@dataclass(frozen=True)
class ZbarSymbol:
    data: bytes
    polygon: Polygon


def scan_with_zbar(gray: GrayImage, binary: bool) -> list[ZbarSymbol]:
    """QR symbols ZBar finds; with `binary`, the raw payload bytes instead of ZBar's converted text."""
    from pyzbar import wrapper as zbar

    gray = np.ascontiguousarray(gray)
    height, width = gray.shape
    scanner = zbar.zbar_image_scanner_create()
    image = zbar.zbar_image_create()
    try:
        zbar.zbar_image_scanner_set_config(scanner, 0, _ZBAR_CFG_ENABLE, 0)
        zbar.zbar_image_scanner_set_config(scanner, _ZBAR_QRCODE, _ZBAR_CFG_ENABLE, 1)
        zbar.zbar_image_scanner_set_config(scanner, _ZBAR_QRCODE, _ZBAR_CFG_BINARY, int(binary))
        zbar.zbar_image_set_format(image, _Y800)
        zbar.zbar_image_set_size(image, width, height)
        buffer = gray.tobytes()
        zbar.zbar_image_set_data(
            image, ctypes.cast(ctypes.c_char_p(buffer), ctypes.c_void_p), len(buffer), None
        )
        zbar.zbar_scan_image(scanner, image)
        return list(_zbar_symbols(zbar, image))
    finally:
        zbar.zbar_image_destroy(image)
        zbar.zbar_image_scanner_destroy(scanner)


def _zbar_symbols(zbar: Any, image: Any) -> Iterable[ZbarSymbol]:
    symbol = zbar.zbar_image_first_symbol(image)
    while symbol:
        data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
        points = tuple(
            (int(zbar.zbar_symbol_get_loc_x(symbol, i)), int(zbar.zbar_symbol_get_loc_y(symbol, i)))
            for i in range(zbar.zbar_symbol_get_loc_size(symbol))
        )
        yield ZbarSymbol(data, points)
        symbol = zbar.zbar_symbol_next(symbol)


def zbar_text_if_consistent(raw: bytes, converted: bytes) -> str | None:
    """ZBar's text, only when its raw bytes read as UTF-8 give exactly ZBar's own converted text."""
    try:
        from_raw = raw.decode("utf-8")
        from_zbar = converted.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return from_raw if from_raw == from_zbar else None


@functools.cache
def zbar_available() -> bool:
    """pyzbar needs the libzbar0 system library; without it the pipeline runs on zxing-cpp alone."""
    try:
        from pyzbar import wrapper

        wrapper.load_libzbar()
    except (ImportError, OSError):
        log.warning("libzbar is not installed (Debian: apt install libzbar0): decoding with zxing-cpp only")
        return False
    return True


def read_with_pyzbar(gray: GrayImage, source: str = "gray") -> tuple[list[Code], list[Polygon]]:
    """Trusted QR codes, and the locations of symbols whose text could not be trusted."""
    if not zbar_available():
        return [], []
    raw_symbols = scan_with_zbar(gray, binary=True)
    if not raw_symbols:
        return [], []
    converted = {symbol.polygon: symbol.data for symbol in scan_with_zbar(gray, binary=False)}
    codes: list[Code] = []
    doubtful: list[Polygon] = []
    for symbol in raw_symbols:
        other = converted.get(symbol.polygon)
        text = None if other is None else zbar_text_if_consistent(symbol.data, other)
        if text is None:
            doubtful.append(symbol.polygon)
        else:
            codes.append(Code("QRCode", text, f"pyzbar/{source}"))
    return codes, doubtful


# --- image variants -------------------------------------------------------------------------------

_SMALL_SIDE = 1000  # images smaller than this are also tried enlarged
_LARGE_SIDE = 1600  # images larger than this are also tried reduced


def to_gray(image: npt.NDArray[Any]) -> GrayImage:
    """8-bit grayscale from a gray, BGR or BGRA array of 8 or 16 bits."""
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        else:
            raise ValueError(f"unsupported image type {image.dtype}")
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)  # type: ignore[return-value]
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)  # type: ignore[return-value]
    raise ValueError(f"unsupported image shape {image.shape}")


def _blur(gray: GrayImage) -> GrayImage | None:
    return cv2.GaussianBlur(gray, (5, 5), 0)  # type: ignore[return-value]


def _median(gray: GrayImage) -> GrayImage | None:
    return cv2.medianBlur(gray, 3)  # type: ignore[return-value]


def _clahe(gray: GrayImage) -> GrayImage | None:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)  # type: ignore[return-value]


def _otsu(gray: GrayImage) -> GrayImage | None:
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]  # type: ignore[return-value]


def _adaptive(gray: GrayImage) -> GrayImage | None:
    block = max(15, (min(gray.shape) // 16) | 1)
    return cv2.adaptiveThreshold(  # type: ignore[return-value]
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5
    )


def _inverted(gray: GrayImage) -> GrayImage | None:
    return cv2.bitwise_not(gray)  # type: ignore[return-value]


def _upscale(gray: GrayImage) -> GrayImage | None:
    if max(gray.shape) >= _SMALL_SIDE:
        return None
    return cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)  # type: ignore[return-value]


def _downscale(gray: GrayImage) -> GrayImage | None:
    if max(gray.shape) <= _LARGE_SIDE:
        return None
    factor = 1280 / max(gray.shape)
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)  # type: ignore[return-value]


VARIANTS: dict[str, Callable[[GrayImage], GrayImage | None]] = {
    "blur": _blur,
    "median": _median,
    "clahe": _clahe,
    "otsu": _otsu,
    "adaptive": _adaptive,
    "inverted": _inverted,
    "upscale": _upscale,
    "downscale": _downscale,
}

# --- regions that look like a code ---------------------------------------------------------------

# What a kiosk camera sees that zxing-cpp misses on the whole frame is mostly a code it cannot lock on to:
# too small, blurred, glared, dim. Looking again at the code's own region, enlarged to a few pixels per
# module and binarised locally, reads many of them (see benchmarks/bench_qr_decode.py, camera frames).
# Regions come from zxing-cpp itself (symbols found but not decoded) and from a cheap texture test: a
# QR code is a square patch dense with strong edges.
_REGION_SIDE = 500  # pixels on the longer side of an enlarged region
_MAX_REGIONS = 4


def find_code_regions(gray: GrayImage, limit: int = 2) -> list[Polygon]:
    """Square-ish patches dense with strong edges, best first, as boxes in `gray`'s coordinates."""
    height, width = gray.shape
    if min(height, width) < 64:
        return []
    half = cv2.resize(gray, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    edges = cv2.morphologyEx(half, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    level = max(10.0, 0.35 * float(np.percentile(edges, 99.5)))  # strong edges only: not desk grain
    density = cv2.blur((edges > level).astype(np.float32), (9, 9))
    mask = cv2.morphologyEx((density > 0.35).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    scored: list[tuple[float, Polygon]] = []
    for contour in contours:
        _, (side_a, side_b), _ = cv2.minAreaRect(contour)
        if min(side_a, side_b) < 14:
            continue
        aspect = max(side_a, side_b) / min(side_a, side_b)
        fill = cv2.contourArea(cv2.convexHull(contour)) / (side_a * side_b)
        if aspect > 1.8 or fill < 0.6:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        score = float(density[y : y + h, x : x + w].mean()) * fill / aspect
        scored.append(
            (score, ((2 * x, 2 * y), (2 * (x + w), 2 * y), (2 * (x + w), 2 * (y + h)), (2 * x, 2 * (y + h))))
        )
    scored.sort(key=lambda item: item[0], reverse=True)
    return [box for _, box in scored[:limit]]


def _sharpen(gray: GrayImage, amount: float, sigma: float) -> GrayImage:
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0)  # type: ignore[return-value]


def _smooth(gray: GrayImage, sigma: float) -> GrayImage:
    return cv2.GaussianBlur(gray, (0, 0), sigma)  # type: ignore[return-value]


def _local_threshold(gray: GrayImage, block: int) -> GrayImage:
    return cv2.adaptiveThreshold(  # type: ignore[return-value]
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 3
    )


# Cleanups of an enlarged region, in the order that reads most per millisecond on the camera frames.
REGION_CLEANUPS: tuple[Callable[[GrayImage], GrayImage], ...] = (
    lambda region: _local_threshold(region, 31),
    lambda region: _sharpen(region, 3.0, 3.0),
    lambda region: _local_threshold(_sharpen(region, 1.5, 2.0), 61),
    lambda region: _local_threshold(_smooth(region, 2.0), 31),  # smooths a phone screen's pixel grid
)


# --- the pipeline ---------------------------------------------------------------------------------

# A step is "<reader>/<variant>": readers zxing (LocalAverage binarizer), zxing-gh (GlobalHistogram),
# pyzbar; variant "gray" is the input, "roi" the enlarged regions of symbols ZBar read but could not trust,
# "regions" the enlarged and cleaned-up regions where a code seems to be (find_code_regions).
THOROUGH: tuple[str, ...] = (
    "zxing/gray",
    "zxing/regions",
    "pyzbar/gray",
    "zxing/roi",
    "zxing-gh/gray",
    "zxing-gh/blur",
    "pyzbar/blur",
    "zxing/downscale",
    "pyzbar/downscale",
    "zxing/clahe",
    "zxing-gh/clahe",
    "pyzbar/clahe",
    "zxing/otsu",
    "pyzbar/otsu",
    "pyzbar/adaptive",
    "zxing/adaptive",
    "pyzbar/inverted",
    "zxing/median",
    "zxing-gh/median",
    "pyzbar/median",
    "zxing/upscale",
    "zxing-gh/upscale",
    "pyzbar/upscale",
)
# For live camera frames: the next frame is another chance, so only the cheap steps.
FAST: tuple[str, ...] = ("zxing/gray", "zxing/regions", "zxing-gh/gray")


@dataclass
class _Run:
    gray: GrayImage
    formats: str
    variants: dict[str, GrayImage | None] = field(default_factory=dict)
    doubtful: list[Polygon] = field(default_factory=list)
    located: list[Polygon] = field(default_factory=list)

    def variant(self, name: str) -> GrayImage | None:
        if name == "gray":
            return self.gray
        if name not in self.variants:
            self.variants[name] = VARIANTS[name](self.gray)
        return self.variants[name]

    def step(self, step: str) -> list[Code]:
        reader, _, variant_name = step.partition("/")
        if variant_name == "roi":
            return self._regions_of_doubtful_symbols()
        if variant_name == "regions":
            return self._likely_code_regions()
        image = self.variant(variant_name)
        if image is None:
            return []
        if reader == "pyzbar":
            if "QRCode" not in self.formats and self.formats.lower() != "all":
                return []
            codes, doubtful = read_with_pyzbar(image, variant_name)
            self.doubtful.extend(_rescale_polygon(p, self.gray, image) for p in doubtful)
            return codes
        binarizer = "GlobalHistogram" if reader == "zxing-gh" else "LocalAverage"
        located = self.located if variant_name == "gray" and reader == "zxing" else None
        return read_with_zxing(image, binarizer, variant_name, self.formats, located)

    def _likely_code_regions(self) -> list[Code]:
        regions = (self.located[:2] + find_code_regions(self.gray))[:_MAX_REGIONS]
        for polygon in regions:
            region = _crop_enlarged(self.gray, polygon, _REGION_SIDE, margin=0.15, shrink=True)
            if region is None:
                continue
            for cleanup in REGION_CLEANUPS:
                codes = read_with_zxing(
                    cleanup(region), "LocalAverage", "regions", self.formats, downscale=False
                )
                if codes:
                    return codes
        return []

    def _regions_of_doubtful_symbols(self) -> list[Code]:
        codes: list[Code] = []
        for polygon in self.doubtful:
            region = _crop_enlarged(self.gray, polygon)
            if region is not None:
                codes.extend(read_with_zxing(region, "LocalAverage", "roi", self.formats))
        return codes


def decode_gray(gray: GrayImage, steps: Sequence[str] = THOROUGH, formats: str = QR_FORMATS) -> list[Code]:
    """Codes in a grayscale image, from the first pipeline step that reads any; [] if none does."""
    run = _Run(gray, formats)
    for step in steps:
        codes = run.step(step)
        if codes:
            return _unique(codes)
    return []


def decode_image(
    image: npt.NDArray[Any], steps: Sequence[str] = THOROUGH, formats: str = QR_FORMATS
) -> list[Code]:
    """Codes in a gray/BGR/BGRA image array (OpenCV's channel order)."""
    return decode_gray(to_gray(image), steps, formats)


def decode_file(path: str | Path, steps: Sequence[str] = THOROUGH, formats: str = QR_FORMATS) -> list[Code]:
    return decode_gray(read_gray_image(path), steps, formats)


def read_gray_image(path: str | Path) -> GrayImage:
    """The image file as 8-bit grayscale; ImageReadError with a clear reason when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageReadError(str(path), "không tìm thấy tệp", "file not found") from None
    except IsADirectoryError:
        raise ImageReadError(str(path), "đây là thư mục, không phải tệp", "is a folder, not a file") from None
    except OSError as error:
        raise ImageReadError(
            str(path), f"lỗi đọc tệp ({error.strerror})", f"read error ({error.strerror})"
        ) from None
    return decode_image_bytes(data, str(path))


def decode_image_bytes(data: bytes, what: str = "") -> GrayImage:
    if not data:
        raise ImageReadError(what, "tệp rỗng", "the file is empty")
    array = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(array, cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        image = _decode_with_pillow(data)
    if image is None:
        raise ImageReadError(
            what, "tệp hỏng hoặc không phải định dạng ảnh", "the file is corrupt or not an image format"
        )
    return image  # type: ignore[return-value]


def _decode_with_pillow(data: bytes) -> GrayImage | None:
    """Formats OpenCV lacks (GIF, some TIFF); None when Pillow cannot read it either."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return np.asarray(picture.convert("L"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _unique(codes: Iterable[Code]) -> list[Code]:
    seen: set[tuple[str, str]] = set()
    unique: list[Code] = []
    for code in codes:
        if (code.format, code.text) not in seen:
            seen.add((code.format, code.text))
            unique.append(code)
    return unique


def _rescale_polygon(polygon: Polygon, original: GrayImage, variant: GrayImage) -> Polygon:
    scale_x = original.shape[1] / variant.shape[1]
    scale_y = original.shape[0] / variant.shape[0]
    return tuple((round(x * scale_x), round(y * scale_y)) for x, y in polygon)


def _crop_enlarged(
    gray: GrayImage, polygon: Polygon, target_side: int = 600, margin: float = 0.25, shrink: bool = False
) -> GrayImage | None:
    """The symbol's bounding box with a quiet-zone margin, enlarged so modules are several pixels wide."""
    if not polygon:
        return None
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    margin_px = int(max(max(xs) - min(xs), max(ys) - min(ys)) * margin) + 4
    height, width = gray.shape
    left, right = max(min(xs) - margin_px, 0), min(max(xs) + margin_px, width)
    top, bottom = max(min(ys) - margin_px, 0), min(max(ys) + margin_px, height)
    if right - left < 8 or bottom - top < 8:
        return None
    region = gray[top:bottom, left:right]
    factor = target_side / max(region.shape)
    if not shrink:
        factor = max(1.0, factor)
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(region, None, fx=factor, fy=factor, interpolation=interpolation)  # type: ignore[return-value]
