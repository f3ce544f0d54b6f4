"""Open an untrusted image file safely and hand back an sRGB pixel array.

The file is recognised by its content (Pillow's decoders), never by its extension. Guards: missing
file, folder, empty file, non-image content, declared size over `MAX_PIXELS` (decompression bombs
are refused from the header, before any pixel is decoded), truncated or corrupt data. EXIF
orientation is applied; greyscale, palette, CMYK, 16-bit, float and transparent images become
8-bit-equivalent RGB; animated images use their first frame.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError

MAX_PIXELS = 50_000_000  # 50 MP: larger than any phone photo, far below what exhausts memory
MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS_HINT = "PNG, JPEG, GIF, BMP, TIFF or WebP"


class ImageInputError(InputError):
    """The file cannot be used as an image; the message names the file and what would be valid."""


def _content_hint(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(512)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return f"its first bytes are {head[:8].hex(' ')}"
    return "it contains text"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ImageInputError(f"no file at {path}; give the path of an image file ({FORMATS_HINT})")
    if path.is_dir():
        raise ImageInputError(f"{path} is a folder, not an image file; give one {FORMATS_HINT} file")
    size = path.stat().st_size
    if size == 0:
        raise ImageInputError(f"{path} is empty (0 bytes); give a {FORMATS_HINT} image")
    if size > MAX_FILE_BYTES:
        raise ImageInputError(f"{path} is {size / 2**20:.0f} MiB; images up to {MAX_FILE_BYTES // 2**20} MiB are accepted")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:  # e.g. no read permission: say so rather than call the image damaged
        raise ImageInputError(f"{path} cannot be read ({exc.strerror}); check the file's permissions") from None


def _to_rgb_array(image) -> np.ndarray:
    """Any Pillow mode → (H, W, 3) float array in 0..1; transparency is composited over white."""
    from PIL import Image

    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        # 16-bit integers span 0..65535; float images are usually 0..1
        scale = 65535.0 if values.max() > 255 else (1.0 if image.mode == "F" and values.max() <= 1 else 255.0)
        grey = np.clip(values / scale, 0.0, 1.0)
        return np.repeat(grey[..., None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def load_rgb(path: str | Path, max_side: int = 512) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode `path` to an sRGB array (H, W, 3) in 0..1, downsampled so its longer side ≤ `max_side` pixels.

    Returns the array and the original (width, height) in pixels, after EXIF rotation.
    Raises ImageInputError with a clear message for anything that is not a usable image.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path).expanduser()
    _check_file(path)
    decode_errors = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, Image.DecompressionBombError)
    with warnings.catch_warnings():
        # MAX_PIXELS is stricter than the size at which Pillow warns, so its warning is noise here.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:  # judged from the header, before decoding anything
                    raise ImageInputError(
                        f"{path} declares {width}×{height} pixels ({width * height / 1e6:.0f} MP); "
                        f"images up to {MAX_PIXELS // 1_000_000} MP are accepted"
                    )
                probe.verify()  # checks structure (e.g. PNG chunk CRCs) without decoding pixels
        except ImageInputError:
            raise
        except UnidentifiedImageError:
            raise ImageInputError(
                f"{path} is not an image ({_content_hint(path)}); give a {FORMATS_HINT} file"
            ) from None
        except Image.DecompressionBombError:  # Pillow's own, looser limit, met before ours could be
            raise ImageInputError(
                f"{path} declares far more than {MAX_PIXELS // 1_000_000} MP (a possible decompression bomb); "
                f"images up to {MAX_PIXELS // 1_000_000} MP are accepted"
            ) from None
        except decode_errors as exc:
            raise ImageInputError(f"{path} is a damaged or truncated image ({exc}); re-export it as {FORMATS_HINT}") from None
        try:
            with Image.open(path) as image:
                image.seek(0)  # animated GIF/PNG/WebP: the first frame
                if image.format == "JPEG":
                    image.draft("RGB", (max_side, max_side))  # decode at reduced scale: much faster
                image.load()
                try:
                    turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # orientations that turn 90°
                    image = ImageOps.exif_transpose(image)
                    if turned:
                        width, height = height, width
                except Exception:  # broken EXIF must not cost the picture; keep it unrotated
                    pass
                image.thumbnail((max_side, max_side), Image.Resampling.BOX)
                pixels = _to_rgb_array(image)
        except decode_errors as exc:
            raise ImageInputError(f"{path} is a damaged or truncated image ({exc}); re-export it as {FORMATS_HINT}") from None
    if pixels.size == 0:
        raise ImageInputError(f"{path} has no pixels; give a {FORMATS_HINT} image")
    return pixels, (width, height)
