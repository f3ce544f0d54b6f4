"""describe_image: features, affect directions, real photos, odd formats and hostile files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support import image_samples as samples

from tunesmith.tools.vision.decode import ImageInputError, load_rgb
from tunesmith.tools.vision.describe import describe_image


def analyse(array: np.ndarray, folder: Path, name: str = "picture.png"):
    return describe_image(samples.save(array, folder, name), caption=False)


# --- direction of effects on controlled synthetic pictures -------------------------------------

def test_dark_cool_picture_has_lower_valence_than_bright_warm_one(tmp_path: Path) -> None:
    dark = analyse(samples.dark_cool(), tmp_path, "dark.png")
    bright = analyse(samples.bright_warm(), tmp_path, "bright.png")
    assert dark.valence < bright.valence - 0.3
    assert dark.warmth < 0.3 < 0.7 < bright.warmth
    assert dark.brightness < bright.brightness


def test_busy_high_contrast_picture_has_more_energy_and_less_calm_than_flat_wash(tmp_path: Path) -> None:
    busy = analyse(samples.busy_contrast(), tmp_path, "busy.png")
    calm = analyse(samples.flat_calm(), tmp_path, "calm.png")
    assert busy.energy > calm.energy + 0.3
    assert busy.calm < calm.calm
    assert busy.edge_density > 0.2 > 0.01 > calm.edge_density
    assert busy.contrast > calm.contrast


def test_brightness_alone_raises_valence_with_hue_held_constant(tmp_path: Path) -> None:
    valences = [analyse(samples.flat((v, v // 2, v // 4)), tmp_path, f"v{v}.png").valence for v in (60, 140, 230)]
    assert valences == sorted(valences) and valences[0] < valences[-1]


def test_saturation_raises_energy_and_colourfulness_with_lightness_similar(tmp_path: Path) -> None:
    grey = analyse(samples.flat((128, 128, 128)), tmp_path, "grey.png")
    red = analyse(samples.flat((210, 40, 40)), tmp_path, "red.png")
    assert grey.colourfulness < 5 and grey.colourfulness_label == "not colourful"
    assert red.colourfulness > 59
    assert red.energy > grey.energy
    assert grey.warmth == pytest.approx(0.5, abs=0.02)


def test_palette_names_navy_and_orange_with_their_shares(tmp_path: Path) -> None:
    picture = samples.flat((27, 42, 90))
    picture[:, : int(0.4 * samples.SIZE)] = (240, 125, 23)
    analysis = analyse(picture, tmp_path)
    shares = {colour.name: colour.share for colour in analysis.palette}
    assert set(shares) == {"navy", "orange"}
    assert shares["navy"] == pytest.approx(0.6, abs=0.03)
    assert shares["orange"] == pytest.approx(0.4, abs=0.03)
    assert analysis.palette_words() == "navy (60%) and orange (40%)"


def test_sky_over_field_finds_the_horizon_and_the_sky(tmp_path: Path) -> None:
    analysis = analyse(samples.sky_over_field(), tmp_path)
    assert analysis.horizon_position == pytest.approx(0.4, abs=0.03)
    assert analysis.sky_share > 0.9
    assert analysis.symmetry > 0.95


def test_a_small_central_subject_weights_the_centre(tmp_path: Path) -> None:
    picture = samples.flat((230, 230, 230))
    picture[80:112, 80:112] = (20, 20, 20)
    off_centre = samples.flat((230, 230, 230))
    off_centre[4:36, 4:36] = (20, 20, 20)
    assert analyse(picture, tmp_path, "c.png").centre_weight > 0.9
    assert analyse(off_centre, tmp_path, "o.png").centre_weight < 0.1


def test_summary_names_light_temperature_palette_and_scores(tmp_path: Path) -> None:
    analysis = analyse(samples.dark_cool(), tmp_path)
    summary = analysis.summary()
    assert summary.startswith("A dark, cool, ")
    assert analysis.palette_words() in summary and f"valence {analysis.valence:.2f}".capitalize() in summary


def test_evidence_for_the_trace_quotes_caption_status_colours_and_scores(tmp_path: Path) -> None:
    analysis = analyse(samples.dark_cool(), tmp_path)
    evidence = analysis.evidence()
    assert evidence["caption"] == "none (captioning was not requested)"
    assert evidence["colours"] == analysis.palette_words()
    assert (evidence["valence"], evidence["energy"], evidence["calm"]) == (analysis.valence, analysis.energy, analysis.calm)


def test_a_one_pixel_image_is_still_analysed(tmp_path: Path) -> None:
    analysis = analyse(np.array([[[200, 30, 30]]], dtype=np.uint8), tmp_path, "dot.png")
    assert (analysis.width, analysis.height) == (1, 1)
    assert analysis.palette[0].name == "red" and analysis.horizon_position is None


def test_analysis_is_deterministic_and_size_is_reported(tmp_path: Path) -> None:
    path = samples.save(samples.busy_contrast(), tmp_path, "busy.png")
    first, second = describe_image(path, caption=False), describe_image(path, caption=False)
    assert first == second
    assert (first.width, first.height) == (samples.SIZE, samples.SIZE)


def test_scores_barely_change_with_resolution(tmp_path: Path) -> None:
    photo = Image.open(samples.real_photo("coffee", tmp_path))
    big = tmp_path / "big.png"
    photo.resize((photo.width * 3, photo.height * 3), Image.Resampling.LANCZOS).save(big)
    small, large = describe_image(tmp_path / "coffee.png", caption=False), describe_image(big, caption=False)
    for score in ("valence", "energy", "calm"):
        assert getattr(small, score) == pytest.approx(getattr(large, score), abs=0.06)


# --- real photos from scikit-image ---------------------------------------------------------------

@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("photos")
    names = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "moon")
    return {name: describe_image(samples.real_photo(name, folder), caption=False) for name in names}


def test_real_photos_night_sky_and_deep_space_are_darker_in_feeling_than_coffee_and_cat(photos) -> None:
    for dark in ("rocket", "hubble_deep_field"):
        for warm in ("coffee", "chelsea"):
            assert photos[dark].valence < photos[warm].valence - 0.2, (dark, warm)


def test_real_photos_flat_moon_is_calmest_and_busy_astronaut_most_energetic(photos) -> None:
    energies = {name: analysis.energy for name, analysis in photos.items()}
    calms = {name: analysis.calm for name, analysis in photos.items()}
    assert min(energies, key=energies.get) == "moon"
    assert max(calms, key=calms.get) == "moon"
    assert energies["astronaut"] > energies["chelsea"] > energies["moon"]


def test_real_photos_palette_uses_everyday_colour_names(photos) -> None:
    assert photos["rocket"].palette[0].name == "navy"
    assert photos["hubble_deep_field"].palette[0].name == "black"
    assert {c.name for c in photos["chelsea"].palette[:2]} <= {"tan", "brown", "beige", "ochre"}


# --- formats that must work -------------------------------------------------------------------

def test_rgba_greyscale_palette_cmyk_and_16_bit_images_are_read(tmp_path: Path) -> None:
    colour = samples.bright_warm()
    rgba = np.dstack([colour, np.full(colour.shape[:2], 255, np.uint8)])
    files = [
        samples.save(rgba, tmp_path, "rgba.png"),
        samples.save(colour[..., 0], tmp_path, "grey.png"),
        tmp_path / "palette.gif", tmp_path / "cmyk.jpg",
    ]
    Image.fromarray(colour).convert("P").save(files[2])
    Image.fromarray(colour).convert("CMYK").save(files[3])
    warm = [describe_image(path, caption=False) for path in (files[0], files[2], files[3])]
    assert all(analysis.warmth > 0.7 for analysis in warm)
    assert describe_image(files[1], caption=False).saturation == 0


def test_16_bit_mid_grey_reads_as_mid_grey_not_white(tmp_path: Path) -> None:
    path = tmp_path / "grey16.png"
    Image.fromarray(np.full((64, 64), 32768, dtype=np.uint16)).save(path)
    assert 0.45 < describe_image(path, caption=False).brightness < 0.65


def test_transparent_pixels_are_seen_over_white(tmp_path: Path) -> None:
    clear = np.zeros((64, 64, 4), np.uint8)
    assert describe_image(samples.save(clear, tmp_path, "clear.png"), caption=False).brightness > 0.95


def test_animated_gif_uses_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.fromarray(samples.flat(rgb, 64)) for rgb in ((20, 30, 200), (240, 200, 30))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    assert describe_image(path, caption=False).palette[0].name == "blue"


def test_exif_orientation_is_applied_before_analysis(tmp_path: Path) -> None:
    stored = np.zeros((40, 80, 3), np.uint8)
    stored[:, :40] = (230, 20, 20)  # left half red as stored; orientation 6 turns it to the top
    stored[:, 40:] = (20, 20, 230)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "turned.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)
    pixels, (width, height) = load_rgb(path)
    assert (width, height) == (40, 80)
    assert pixels[2, 20, 0] > 0.7 and pixels[-3, 20, 2] > 0.7  # red on top, blue at the bottom


def test_a_png_named_jpg_is_read_by_its_content(tmp_path: Path) -> None:
    path = samples.save(samples.bright_warm(), tmp_path, "really_a.png")
    renamed = path.rename(tmp_path / "photo.jpg")
    assert describe_image(renamed, caption=False).warmth > 0.7


# --- hostile and broken files ---------------------------------------------------------------

def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares the given size: zeros compress ~1000:1, as in a real bomb."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", zlib.compress(bytes(100_000))) + _chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.png", b"", "empty (0 bytes)"),
        ("notes.png", b"these are my shopping notes, not a picture\n", "not an image (it contains text)"),
        ("random.jpg", bytes(range(256)) * 4, "not an image"),
        ("huge.png", _png_declaring(100_000, 100_000), "decompression bomb"),
        ("big.png", _png_declaring(10_000, 6_000), "declares 10000×6000 pixels (60 MP)"),
    ],
)
def test_hostile_files_give_a_clear_image_input_error(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageInputError, match=expected.replace("(", r"\(").replace(")", r"\)")) as caught:
        describe_image(path, caption=False)
    assert name in str(caught.value)


@pytest.mark.parametrize("suffix", ["png", "jpg", "gif"])
def test_truncated_images_are_reported_as_damaged(tmp_path: Path, suffix: str) -> None:
    whole = samples.save(samples.busy_contrast(), tmp_path, f"whole.{suffix}")
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        describe_image(cut, caption=False)


def test_missing_file_and_folder_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ImageInputError, match="no file at"):
        describe_image(tmp_path / "nowhere.png")
    with pytest.raises(ImageInputError, match="is a folder, not an image file"):
        describe_image(tmp_path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=4000), flips=st.lists(st.integers(0, 4000), max_size=6))
def test_fuzzed_png_bytes_give_an_analysis_or_an_image_input_error(tmp_path: Path, cut: int, flips: list[int]) -> None:
    original = bytearray(Image.fromarray(samples.busy_contrast()[:48, :48]).tobytes())
    path = tmp_path / "fuzz.png"
    Image.frombytes("RGB", (48, 48), bytes(original)).save(path)
    data = bytearray(path.read_bytes())
    for position in flips:
        data[position % len(data)] ^= 0xFF
    path.write_bytes(bytes(data[: max(1, len(data) - cut % len(data))]))
    try:
        analysis = describe_image(path, caption=False)
    except ImageInputError as error:
        assert "fuzz.png" in str(error)
    else:
        assert 0 <= analysis.valence <= 1
