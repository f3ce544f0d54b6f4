"""How well the picture cues read a small labelled set: OCR on covers and posters, faces and their expressions.

Run: .venv/bin/python benchmarks/cue_accuracy_bench.py [--photos DIR]

OCR: twelve covers and posters made here with known lines (Pillow's own font and, where installed, Debian's
DejaVu fonts; plain grounds, low contrast, text over scikit-image photos). Reported: lines read exactly,
character error rate (edit distance / characters), the role (title / heading / small print) given, and
every miss. Faces: the photos named in benchmarks/data/face_labels.json (scikit-image's, plus those in
--photos: faces that ship in packages, e.g. the insightface 2.1 sdist's data/images/t1.jpg saved as
friends_t1.jpg and Tom_Hanks_54745.png, the face_recognition 1.3.0 sdist's tests/test_images/{obama,obama2,obama3,
biden}.jpg, Debian opencv-doc's examples/data/{messi5.jpg,basketball1.png,starry_night.jpg,...}). A detected face
matches a labelled one when the labelled centre lies inside its box. Reported at the plan's confidence
threshold (cues.FACE_CONFIDENCE) and for every detection: recall, false faces, expression accuracy, misses.
These labels were made by the engineer who wrote the code: a check, not a held-out test.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

LABELS = Path(__file__).parent / "data" / "face_labels.json"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# (name, background: colour or scikit-image photo, font file or None for Pillow's, lines of (text, height, role, ink, y))
POSTERS = (
    ("summer", (18, 28, 70), None, [("SUMMER NIGHTS", 80, "title", (250, 225, 130), 200),
                                    ("Live at the Harbour", 34, "heading", (230, 230, 230), 330),
                                    ("Recorded 1998. All rights reserved", 14, "small print", (200, 200, 200), 740)]),
    ("requiem", (20, 20, 22), None, [("REQUIEM", 96, "title", (225, 225, 225), 240), ("for the fallen", 32, "heading", (200, 200, 200), 400)]),
    ("christmas", (120, 18, 24), None, [("CHRISTMAS EVE", 78, "title", (245, 230, 180), 220),
                                        ("carols by candlelight", 30, "heading", (245, 230, 180), 360)]),
    ("happy", (250, 205, 60), None, [("Happy Days", 90, "title", (200, 40, 40), 250),
                                     ("songs for the summer fair", 30, "heading", (120, 30, 30), 400)]),
    ("astronaut", "astronaut", None, [("TO THE STARS", 64, "title", (255, 255, 255), 560), ("a space odyssey", 28, "heading", (255, 255, 255), 680)]),
    ("coffee", "coffee", None, [("Morning Coffee", 60, "title", (255, 240, 215), 40),
                                ("jazz for slow mornings", 26, "heading", (255, 240, 215), 130)]),
    ("rocket", "rocket", None, [("LAUNCH DAY", 70, "title", (255, 160, 40), 60)]),
    ("quiet", (119, 119, 119), None, [("Quiet Rooms", 70, "title", (150, 150, 150), 300)]),
    ("waltz", (240, 235, 220), "DejaVuSerif.ttf", [("The Winter Waltz", 64, "title", (30, 30, 60), 250),
                                                   ("for string quartet", 28, "heading", (30, 30, 60), 360)]),
    ("blues", (10, 10, 30), "DejaVuSans-Bold.ttf", [("MIDNIGHT BLUES", 72, "title", (80, 160, 255), 220),
                                                    ("Live in Chicago", 30, "heading", (200, 200, 200), 340),
                                                    ("Produced by A. Smith, 2021", 14, "small print", (160, 160, 160), 750)]),
    ("autumn", (150, 80, 30), None, [("Autumn Leaves", 56, "title", (255, 230, 180), 660)]),
    ("festival", (30, 110, 60), None, [("FOLK FESTIVAL", 72, "title", (255, 255, 255), 150),
                                       ("Saturday 14 June", 30, "heading", (255, 255, 255), 300),
                                       ("Town Hall, 7 pm", 30, "heading", (255, 255, 255), 360),
                                       ("Tickets at the door", 16, "small print", (230, 230, 230), 720)]),
)


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def _poster(background, font_file, lines) -> np.ndarray:
    import skimage.data
    from PIL import Image, ImageDraw, ImageFont

    if isinstance(background, str):
        image = Image.fromarray(getattr(skimage.data, background)()[..., :3]).resize((800, 800))
    else:
        image = Image.new("RGB", (800, 800), background)
    draw = ImageDraw.Draw(image)
    for text, height, _, ink, top in lines:
        path = DEJAVU / font_file if font_file else None
        font = ImageFont.truetype(str(path), height) if path and path.is_file() else ImageFont.load_default(size=height)
        draw.text((60, top), text, font=font, fill=ink)
    return np.asarray(image)


def ocr_report() -> None:
    from tunesmith.tools.vision.ocr import read_text

    exact = total = chars = errors = roles = 0
    misses = []
    for name, background, font_file, lines in POSTERS:
        read, _ = read_text(_poster(background, font_file, lines))
        for text, _, role, _, _ in lines:
            total += 1
            best = min(read, key=lambda line, text=text: _edit_distance(line.text, text), default=None)
            got = best.text if best is not None else ""
            distance = _edit_distance(got, text)
            chars, errors = chars + len(text), errors + min(distance, len(text))
            exact += distance == 0
            roles += best is not None and distance <= len(text) // 4 and best.role == role
            if distance or best is None or best.role != role:
                misses.append(f"{name}: “{text}” ({role}) read as “{got}” ({best.role if best else 'nothing'})")
    print(f"OCR: {exact}/{total} lines read exactly, character error rate {errors / chars:.3f}, "
          f"role right for {roles}/{total}")
    for miss in misses:
        print(f"  miss — {miss}")


def _photos(extra: Path | None) -> dict[str, np.ndarray]:
    import skimage.data
    from PIL import Image

    photos = {}
    for name in ("astronaut", "camera", "coffee", "chelsea", "rocket", "hubble_deep_field", "coins",
                 "immunohistochemistry", "retina", "colorwheel", "logo", "moon"):
        array = getattr(skimage.data, name)()
        photos[f"skimage_{name}.png"] = np.stack([array] * 3, -1) if array.ndim == 2 else array[..., :3]
    for path in sorted(extra.iterdir()) if extra else []:
        photos[path.name] = np.asarray(Image.open(path).convert("RGB"))
    return photos


def face_report(extra: Path | None) -> None:
    from tunesmith.tools.vision.cues import FACE_CONFIDENCE
    from tunesmith.tools.vision.faces import find_faces

    labels = {k: v for k, v in json.loads(LABELS.read_text()).items() if not k.startswith("_")}
    photos = {name: pixels for name, pixels in _photos(extra).items() if name in labels}
    for threshold in (FACE_CONFIDENCE, 0.0):
        found = wrong = expressions_right = expressions_labelled = people = 0
        notes = []
        for name, pixels in photos.items():
            faces = [f for f in find_faces(np.ascontiguousarray(pixels)) if f.detection_confidence >= threshold]
            truth = labels[name]
            people += len(truth)
            matched = set()
            for face in faces:
                hit = next((i for i, t in enumerate(truth) if i not in matched and face.box[0] <= t["centre"][0] <= face.box[2]
                            and face.box[1] <= t["centre"][1] <= face.box[3]), None)
                if hit is None:
                    wrong += 1
                    notes.append(f"{name}: a false face ({face.detection_confidence:.2f}) read as {face.expression}")
                    continue
                matched.add(hit)
                found += 1
                label = truth[hit]["expression"]
                if label is not None:
                    expressions_labelled += 1
                    expressions_right += face.expression == label
                    if face.expression != label:
                        notes.append(f"{name}: a {label} face read as {face.expression} ({face.expression_confidence:.2f})")
            notes += [f"{name}: face at {t['centre']} ({t['expression']}) not found" for i, t in enumerate(truth)
                      if i not in matched]
        print(f"faces (detection confidence ≥ {threshold:.2f}) on {len(photos)} photos: found {found}/{people}, "
              f"{wrong} false faces; expression right for {expressions_right}/{expressions_labelled} labelled faces")
        for note in notes:
            print(f"  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, help="folder with the packaged face photos named in face_labels.json")
    args = parser.parse_args()
    ocr_report()
    face_report(args.photos)


if __name__ == "__main__":
    main()
