"""The document photo pipeline on generated photos of a printed page whose corners are known."""

from __future__ import annotations

import io
import math
import struct
import zlib
from functools import cache

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from pypdf import PdfReader

from devices.scanners import document_photo as dp
from devices.scanners.document_photo import DocumentPhotoError, ReasonCode
from tests.fixtures.document_photo import synth

A4 = math.sqrt(2.0)


@cache
def photo_of(variant: str) -> tuple[NDArray[np.uint8], NDArray[np.float32] | None, NDArray[np.uint8]]:
    return synth.make_photo(variant)  # type: ignore[no-any-return]


@cache
def processed(variant: str) -> dp.ProcessedPage:
    return dp.process_photo(photo_of(variant)[0])


def corner_error(found: NDArray[np.float32], known: NDArray[np.float32]) -> float:
    """Largest corner distance as a share of the page diagonal."""
    diagonal = float(np.linalg.norm(known[0] - known[2]))
    return float(np.linalg.norm(found - known, axis=1).max()) / diagonal


def correlation(a: NDArray[np.uint8], b: NDArray[np.uint8], soften: float = 1.0) -> float:
    """Normalised cross-correlation of two pages brought to 310 x 438 px and blurred by `soften` px."""
    size = (310, 438)
    grey = [cv2.cvtColor(x, cv2.COLOR_BGR2GRAY) if x.ndim == 3 else x for x in (a, b)]
    small = [cv2.resize(g, size, interpolation=cv2.INTER_AREA) for g in grey]
    small = [cv2.GaussianBlur(g, (0, 0), soften) for g in small]
    x, y = (s.astype(np.float64) - s.mean() for s in small)
    return float((x * y).sum() / math.sqrt((x * x).sum() * (y * y).sum()))


# ------------------------------------------------------------------------------------------- finding


@pytest.mark.parametrize("variant", [*synth.GOOD_VARIANTS, "dim", "blurred", "glare"])
def test_find_page_puts_the_corners_within_one_percent(variant: str) -> None:
    photo, known, _ = photo_of(variant)
    quad = dp.find_page(photo)
    assert quad is not None
    assert corner_error(quad.corners, known) < 0.01
    assert not quad.cut
    assert quad.frame_size == (photo.shape[1], photo.shape[0])


@pytest.mark.parametrize("seed", range(100, 112))
def test_find_page_on_random_desks_tilts_and_lights(seed: int) -> None:
    shot = synth.random_shot(seed)
    photo = synth.photograph(synth.render_page(1240, seed), shot)
    quad = dp.find_page(photo)
    assert quad is not None, f"no page on a {shot.desk} desk"
    assert corner_error(quad.corners, np.float32(shot.corners)) < 0.01


def test_find_page_works_on_a_grey_photo() -> None:
    photo, known, _ = photo_of("tilted")
    quad = dp.find_page(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY))
    assert quad is not None
    assert corner_error(quad.corners, known) < 0.01


def test_a_page_cut_by_the_frame_is_found_with_the_cut_side() -> None:
    photo, known, _ = photo_of("cut")
    height = photo.shape[0]
    quad = dp.find_page(photo)
    assert quad is not None
    assert quad.cut_sides == ("bottom",)
    diagonal = float(np.linalg.norm(known[0] - known[2]))
    # The top corners are in view; the bottom ones are replaced by where the sides leave the frame.
    assert float(np.linalg.norm(quad.corners[:2] - known[:2], axis=1).max()) < 0.01 * diagonal
    assert (quad.corners[2:, 1] >= height - 4).all()


@pytest.mark.parametrize(
    ("placement", "sides"),
    [
        ({"shift": (0.3, 0.0), "roll_deg": 4}, ("right",)),  # a corner just out of view
        ({"shift": (0.4, 0.0), "roll_deg": 4}, ("right",)),
        ({"shift": (-0.3, 0.0), "roll_deg": -3}, ("left",)),
        ({"shift": (0.0, -0.2), "fill": 0.9, "roll_deg": 2}, ("top",)),
        ({"shift": (0.28, 0.18), "roll_deg": 5}, ("right", "bottom")),
        ({"fill": 1.1, "roll_deg": 1}, ("top", "bottom")),
    ],
)
@pytest.mark.parametrize("desk", ["wood", "light"])
def test_the_frame_edges_that_cut_the_page_are_named(
    placement: dict[str, object], sides: tuple[str, ...], desk: str
) -> None:
    frame = (1600, 1200)
    shot = synth.Shot(
        synth.a4_corners(frame, **placement), frame, desk=desk, paper_gain=0.8 if desk == "light" else 0.92
    )
    result = dp.process_photo(synth.photograph(synth.render_page(1240), shot))
    assert result.quad is not None
    assert result.quad.cut_sides == sides
    assert result.quality.codes == (ReasonCode.PAGE_CUT,)


def test_a_page_close_to_the_frame_edge_is_not_cut() -> None:
    frame = (1600, 1200)
    shot = synth.Shot(synth.a4_corners(frame, shift=(0.27, 0.0)), frame)  # 37 px from the right edge
    result = dp.process_photo(synth.photograph(synth.render_page(1240), shot))
    assert result.quad is not None and result.quality.ok
    assert corner_error(result.quad.corners, np.float32(shot.corners)) < 0.01


@pytest.mark.parametrize("desk", ["wood", "dark", "light"])
def test_a_bare_desk_has_no_page(desk: str) -> None:
    shot = synth.Shot(synth.a4_corners((1600, 1200)), desk=desk, shading=0.2, shadow=0.3)
    assert dp.find_page(synth.photograph(None, shot)) is None


def test_flat_and_noisy_frames_have_no_page() -> None:
    rng = np.random.default_rng(5)
    assert dp.find_page(np.full((480, 640, 3), 128, np.uint8)) is None
    assert dp.find_page(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)) is None


# --------------------------------------------------------------------------------------- straighten


@pytest.mark.parametrize("variant", synth.GOOD_VARIANTS)
def test_the_straightened_page_matches_the_printed_one(variant: str) -> None:
    page = photo_of(variant)[2]
    result = processed(variant)
    assert result.page is not None
    assert result.paper == "A4"
    height, width = result.page.shape[:2]
    assert height == dp.DEFAULT_LONG_SIDE
    assert abs(height / width - A4) < 0.01
    # A curled sheet is straightened as a plane (its print stays bowed by up to 1.5 %): compare layout only.
    assert correlation(result.page, page, soften=4.0 if variant == "curl" else 1.0) > 0.9


def test_the_correlation_check_notices_a_page_off_by_two_percent() -> None:
    # Guards the check above: a quad nudged by 2 % of the page must fail it clearly.
    photo, known, page = photo_of("flat")
    nudged = dp.PageQuad(known + np.float32([0.02 * 600, 0.0]), (photo.shape[1], photo.shape[0]))
    good = dp.PageQuad(known, (photo.shape[1], photo.shape[0]))
    assert correlation(dp.straighten(photo, good), page) > 0.9
    assert correlation(dp.straighten(photo, nudged), page) < 0.75
    assert correlation(dp.straighten(photo, nudged), page, soften=4.0) < 0.75


def test_straighten_honours_the_long_side_and_rejects_silly_sizes() -> None:
    photo, known, _ = photo_of("tilted")
    quad = dp.PageQuad(known, (photo.shape[1], photo.shape[0]))
    assert dp.straighten(photo, quad, long_side=1200).shape[:2] == (1200, round(1200 / A4))
    with pytest.raises(ValueError, match="long_side"):
        dp.straighten(photo, quad, long_side=10)


def test_a_sideways_sheet_comes_out_landscape() -> None:
    frame = (1600, 1200)
    shot = synth.Shot(synth.a4_corners(frame, fill=0.95, roll_deg=90, pitch_deg=8), frame)
    result = dp.process_photo(synth.photograph(synth.render_page(1240), shot))
    assert result.page is not None and result.paper == "A4"
    height, width = result.page.shape[:2]
    assert width == dp.DEFAULT_LONG_SIDE
    assert abs(width / height - A4) < 0.01


def _cross(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


@settings(max_examples=200, deadline=None)
@given(
    pitch=st.floats(-35, 35),
    yaw=st.floats(-25, 25),
    roll=st.floats(-180, 180),
    focal=st.floats(0.5, 2.0),
    shift_x=st.floats(-0.15, 0.15),
)
def test_aspect_of_an_a4_sheet_is_exact_once_the_focal_length_is_known(
    pitch: float, yaw: float, roll: float, focal: float, shift_x: float
) -> None:
    frame = (1600, 1200)
    corners = synth.a4_corners(
        frame, fill=0.6, pitch_deg=pitch, yaw_deg=yaw, roll_deg=roll, focal=focal, shift=(shift_x, 0.0)
    )
    quad = dp.PageQuad(dp.order_corners(np.float32(corners)), frame)
    # Told the camera's focal length, the ratio is exact from every view ...
    told = dp.page_aspect(quad, focal_prior=focal)
    assert abs(max(told, 1 / told) / A4 - 1) < 0.002
    # ... and measured from the corners alone it is exact too unless one pair of sides looks parallel
    # (then the focal length is guessed; see the next test for how far that can go wrong).
    guessed = dp.page_aspect(quad)
    tl, tr, br, bl = quad.corners
    crossing = abs(_cross(tr - tl, br - bl)), abs(_cross(bl - tl, br - tr))
    both_converge = min(crossing) > 0.02 * float(np.linalg.norm(tr - tl) * np.linalg.norm(bl - tl))
    if both_converge:
        assert abs(max(guessed, 1 / guessed) / A4 - 1) < 0.002


@pytest.mark.parametrize("seed", range(40))
def test_aspect_at_kiosk_angles_stays_within_the_snap_tolerance(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = (1600, 1200)
    corners = synth.a4_corners(
        frame,
        fill=0.7,
        pitch_deg=float(rng.uniform(-15, 15)),
        yaw_deg=float(rng.uniform(-10, 10)),
        roll_deg=float(rng.uniform(-180, 180)),
        focal=float(rng.uniform(0.6, 1.1)),
    )
    noisy = dp.order_corners(np.float32(corners) + rng.normal(0, 0.5, (4, 2)).astype(np.float32))
    aspect = dp.page_aspect(dp.PageQuad(noisy, frame))
    assert abs(max(aspect, 1 / aspect) / A4 - 1) < 0.04


def test_perspective_correction_beats_plain_side_lengths() -> None:
    frame = (1600, 1200)
    corners = np.float32(synth.a4_corners(frame, fill=0.7, pitch_deg=35, yaw_deg=5))
    quad = dp.PageQuad(corners, frame)
    tl, tr, br, bl = corners
    by_sides = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / (
        np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)
    )
    assert abs(by_sides / A4 - 1) > 0.05  # the naive ratio is visibly wrong here ...
    assert abs(1 / dp.page_aspect(quad) / A4 - 1) < 0.01  # ... the corrected one is not


@pytest.mark.parametrize(
    ("ratio", "paper"), [(1.40, "A4"), (1.46, "A4"), (1.30, "Letter"), (1.0, None), (1.6, None)]
)
def test_page_size_snaps_only_near_a_known_paper(ratio: float, paper: str | None) -> None:
    corners = np.float32([[100, 100], [100 + 500, 100], [600, 100 + 500 * ratio], [100, 100 + 500 * ratio]])
    size, snapped = dp.page_size(dp.PageQuad(corners, (2000, 2000)), 2000)
    assert snapped == paper
    expected = A4 if paper == "A4" else 11 / 8.5 if paper == "Letter" else ratio
    assert size[1] == 2000
    assert abs(size[1] / size[0] - expected) < 0.01


# --------------------------------------------------------------------------------------- even light


def _paper_spread(page: NDArray[np.uint8]) -> float:
    """Max - min of the paper's brightness over an 8 x 8 grid of blocks (90th percentile per block)."""
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    blocks = [np.percentile(b, 90) for row in np.array_split(grey, 8) for b in np.array_split(row, 8, axis=1)]
    return float(max(blocks) - min(blocks))


def test_even_light_removes_the_shadow() -> None:
    photo, known, _ = photo_of("shadow")
    raw = dp.straighten(photo, dp.PageQuad(known, (photo.shape[1], photo.shape[0])))
    assert _paper_spread(raw) > 40
    assert _paper_spread(dp.even_light(raw, "color")) < 6
    assert _paper_spread(dp.even_light(raw, "gray")) < 6


def _seal_box(page: NDArray[np.uint8]) -> NDArray[np.uint8]:
    unit = page.shape[1] / 210.0  # the synthetic seal sits at (138 mm, 258 mm), radius 19 mm
    x, y, r = round(138 * unit), round(258 * unit), round(24 * unit)
    return page[y - r : y + r, x - r : x + r]


def test_colour_mode_keeps_the_red_seal_red_and_grey_mode_is_grey() -> None:
    result = processed("shadow")
    assert result.page is not None and result.page.ndim == 3
    seal = _seal_box(result.page).astype(np.int16)
    blue, green, red = seal[:, :, 0], seal[:, :, 1], seal[:, :, 2]
    red_share = float(np.mean((red > 170) & (green < 110) & (blue < 110)))
    assert red_share > 0.05
    grey = dp.even_light(result.page, "gray")
    assert grey.ndim == 2


def test_even_light_none_and_bad_mode() -> None:
    page = photo_of("flat")[2]
    assert dp.even_light(page, "none") is not None
    assert np.array_equal(dp.even_light(page, "none"), page)
    with pytest.raises(ValueError, match="light mode"):
        dp.even_light(page, "sepia")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ quality


@pytest.mark.parametrize("variant", synth.GOOD_VARIANTS)
def test_good_photos_have_no_reasons(variant: str) -> None:
    quality = processed(variant).quality
    assert quality.ok, [r.message_en for r in quality.reasons]
    assert quality.reasons == ()


@pytest.mark.parametrize(("variant", "code"), sorted(synth.BAD_VARIANTS.items()))
def test_each_bad_photo_gets_its_reason(variant: str, code: str) -> None:
    quality = processed(variant).quality
    assert not quality.ok
    assert [c.value for c in quality.codes] == [code]


@pytest.mark.parametrize(("variant", "code"), sorted(synth.BAD_VARIANTS.items()))
def test_assess_alone_agrees_with_process_photo(variant: str, code: str) -> None:
    assert [c.value for c in dp.assess(photo_of(variant)[0]).codes] == [code]


def _sharpness_of(shot: object) -> float:
    photo = synth.photograph(synth.render_page(1240), shot)
    return dp.assess(photo).measures["sharpness"]


def test_sharpness_falls_with_blur_and_ignores_exposure() -> None:
    frame = (1600, 1200)
    corners = synth.a4_corners(frame, roll_deg=2)
    values = [_sharpness_of(synth.Shot(corners, frame, blur_sigma=s)) for s in (0.0, 1.5, 3.0, 4.5)]
    assert values == sorted(values, reverse=True)
    assert values[0] > dp.QualityThresholds().min_sharpness > values[-1]
    darker = _sharpness_of(synth.Shot(corners, frame, gain=0.5))
    assert abs(darker / values[0] - 1) < 0.1


def test_glare_share_grows_with_the_spot() -> None:
    frame = (1600, 1200)
    corners = synth.a4_corners(frame, roll_deg=2)
    shares = [
        dp.assess(
            synth.photograph(synth.render_page(1240), synth.Shot(corners, frame, glare_radius=r))
        ).measures["glare_share"]
        for r in (0.0, 30.0, 60.0, 90.0)
    ]
    assert shares[0] == 0.0
    assert shares == sorted(shares) and shares[1] < shares[2] < shares[3]


@pytest.mark.parametrize(("gain", "spot", "glare"), [(1.1, 60.0, True), (1.1, 0.0, False), (1.4, 0.0, False)])
def test_glare_is_a_spot_brighter_than_the_paper_not_a_bright_exposure(
    gain: float, spot: float, glare: bool
) -> None:
    # Auto-exposure over a dark desk may push the whole sheet to white: the print stays readable.
    frame = (1600, 1200)
    shot = synth.Shot(synth.a4_corners(frame, roll_deg=2), frame, desk="dark", gain=gain, glare_radius=spot)
    quality = dp.assess(synth.photograph(synth.render_page(1240), shot))
    assert (ReasonCode.GLARE in quality.codes) is glare
    assert quality.ok is not glare


def test_a_dark_frame_without_a_page_says_both() -> None:
    quality = dp.assess(np.full((600, 800, 3), 12, np.uint8))
    assert quality.codes == (ReasonCode.NO_PAGE, ReasonCode.TOO_DARK)


def test_every_reason_speaks_vietnamese_first_then_english() -> None:
    words = {
        ReasonCode.NO_PAGE: ("Không thấy trang giấy", "No page"),
        ReasonCode.PAGE_CUT: ("Trang bị cắt", "cut off"),
        ReasonCode.TOO_SMALL: ("quá nhỏ", "too small"),
        ReasonCode.TOO_DARK: ("quá tối", "too dark"),
        ReasonCode.BLURRED: ("bị mờ", "blurred"),
        ReasonCode.GLARE: ("bị lóa", "glare"),
    }
    assert set(words) == set(ReasonCode)
    for code, (vi, en) in words.items():
        reason = dp.Reason.of(code)
        assert vi in reason.message_vi and en in reason.message_en


def test_thresholds_are_parameters() -> None:
    photo = photo_of("blurred")[0]
    lenient = dp.QualityThresholds(min_sharpness=0.05)
    assert dp.assess(photo, thresholds=lenient).ok
    strict = dp.QualityThresholds(dark_white_level=240)
    assert ReasonCode.TOO_DARK in dp.assess(photo_of("flat")[0], thresholds=strict).codes


# ---------------------------------------------------------------------------------------- the input


def _jpeg(image: NDArray[np.uint8]) -> bytes:
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buffer.tobytes()


def _png(image: NDArray[np.uint8]) -> bytes:
    ok, buffer = cv2.imencode(".png", image)
    assert ok
    return buffer.tobytes()


@pytest.mark.parametrize("encode", [_jpeg, _png])
def test_process_photo_accepts_image_bytes(encode: object) -> None:
    photo, known, _ = photo_of("tilted")
    result = dp.process_photo(encode(photo))  # type: ignore[operator]
    assert result.quad is not None and result.quality.ok
    assert corner_error(result.quad.corners, known) < 0.01
    assert dp.process_photo(bytearray(encode(photo))).quad is not None  # type: ignore[operator]


def test_process_photo_refuses_bad_options_before_any_work() -> None:
    photo = photo_of("flat")[0]
    with pytest.raises(ValueError, match="long_side"):
        dp.process_photo(photo, long_side=20_000)
    with pytest.raises(ValueError, match="light mode"):
        dp.process_photo(photo, light="sepia")  # type: ignore[arg-type]


def test_a_photo_without_a_page_gives_no_page_image() -> None:
    result = processed("no_page")
    assert result.page is None and result.quad is None
    assert result.quality.codes == (ReasonCode.NO_PAGE,)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _truncated_jpeg() -> bytes:
    data = _jpeg(photo_of("flat")[0])
    return data[: len(data) * 2 // 3]


def _damaged_png() -> bytes:
    data = bytearray(_png(photo_of("flat")[0][:200, :200]))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # inside the compressed pixels
    return bytes(data)


def _png_header_only(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a photo", "not_an_image"),
        (b"GIF89a......", "not_an_image"),
        (_truncated_jpeg(), "truncated"),
        (_png(np.zeros((100, 100), np.uint8))[:-20], "truncated"),
        (_damaged_png(), "corrupt"),
        (_png_header_only(9_000, 8_000), "too_large"),  # 72 MP: over our limit
        (_png_header_only(40_000, 40_000), "too_large"),  # 1.6 GP: PIL refuses it first
    ],
)
def test_bad_bytes_give_a_clear_bilingual_error(data: bytes, code: str) -> None:
    with pytest.raises(DocumentPhotoError) as caught:
        dp.process_photo(data)
    assert caught.value.code == code
    assert caught.value.message_vi and caught.value.message_en
    assert str(caught.value) == f"{caught.value.message_vi} / {caught.value.message_en}"


@pytest.mark.parametrize(
    ("array", "code"),
    [
        (np.zeros((200, 200, 3), np.float32), "bad_array"),
        (np.zeros((200, 200, 2), np.uint8), "bad_array"),
        (np.zeros((200, 200, 3, 1), np.uint8), "bad_array"),
        (np.zeros((40, 400), np.uint8), "too_small"),
    ],
)
def test_bad_arrays_give_a_clear_error(array: NDArray[np.generic], code: str) -> None:
    with pytest.raises(DocumentPhotoError) as caught:
        dp.process_photo(array)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_a_bgra_photo_loses_only_its_alpha() -> None:
    photo, known, _ = photo_of("flat")
    result = dp.process_photo(cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA))
    assert result.quad is not None
    assert corner_error(result.quad.corners, known) < 0.01


# ----------------------------------------------------------------------------------------------- PDF


def test_pages_go_into_one_pdf_sized_by_the_dpi() -> None:
    pages = [processed(v) for v in ("flat", "tilted", "shadow")]
    grey = dp.even_light(processed("rotated").page, "gray")  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(dp.pages_to_pdf([*pages, grey], dpi=150)))
    assert len(reader.pages) == 4
    for pdf_page, source in zip(reader.pages, [p.page for p in pages] + [grey], strict=True):
        assert source is not None
        height, width = source.shape[:2]
        assert float(pdf_page.mediabox.width) == pytest.approx(width * 72 / 150, abs=0.01)
        assert float(pdf_page.mediabox.height) == pytest.approx(height * 72 / 150, abs=0.01)
        (image,) = pdf_page.images
        assert image.name.endswith(".jpg")


def test_the_default_dpi_prints_a_processed_page_at_a4_size() -> None:
    reader = PdfReader(io.BytesIO(dp.pages_to_pdf([processed("flat")])))
    box = reader.pages[0].mediabox
    assert float(box.height) * 25.4 / 72 == pytest.approx(297.0, abs=0.5)
    assert float(box.width) * 25.4 / 72 == pytest.approx(210.0, abs=0.5)


def test_jpeg_quality_applies_to_every_page() -> None:
    pages = [processed("flat"), processed("tilted")]
    low, high = (PdfReader(io.BytesIO(dp.pages_to_pdf(pages, jpeg_quality=q))) for q in (30, 95))
    for small, large in zip(low.pages, high.pages, strict=True):
        assert len(small.images[0].data) < 0.7 * len(large.images[0].data)


def test_pdf_refuses_nothing_or_a_missing_page() -> None:
    with pytest.raises(DocumentPhotoError) as caught:
        dp.pages_to_pdf([])
    assert caught.value.code == "no_pages"
    with pytest.raises(DocumentPhotoError) as caught:
        dp.pages_to_pdf([processed("flat"), processed("no_page")])
    assert caught.value.code == "no_page_image" and "2" in caught.value.message_vi
    with pytest.raises(ValueError, match="dpi"):
        dp.pages_to_pdf([processed("flat")], dpi=0)
