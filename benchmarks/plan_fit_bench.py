"""Plan fit for pictures: the spread of plans, and blind A/B material (each picture's plan against another's).

Run: .venv/bin/python benchmarks/plan_fit_bench.py --out /work/notes/blind/vision-run1 \
         --keys /work/notes/blind_keys/vision-run1.json [--photos DIR] [--seed 29]

Pictures: the eleven scikit-image photos of the issue, covers made here with printed titles (Pillow's own
font), and any photos in --photos (e.g. faces from packages: insightface's sdist data/images/t1.jpg,
face_recognition's sdist tests/test_images/*.jpg, Debian opencv-doc's examples/data/messi5.jpg; not committed).
For each picture the bench writes, in random order as A and B, its own plan and the plan made for another
picture (a seeded derangement), as a musician would read them (no reasons, no title: a title would name the
picture's words). The answer key goes to --keys, apart from the material. It prints the spread of plans:
how many tune types, instruments, registers and tempi the pictures got. Judging is done by people who have
not seen the code; see the brief written next to the material.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections import Counter
from pathlib import Path

SKIMAGE = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "coins", "immunohistochemistry", "retina",
           "camera", "colorwheel", "logo")
#: Covers made here: (file stem, lines of (text, pixel height), background, ink).
COVERS = (
    ("cover_summer_nights", [("SUMMER NIGHTS", 80), ("Live at the Harbour", 34)], (18, 28, 70), (250, 225, 130)),
    ("cover_requiem", [("REQUIEM", 96), ("for the fallen", 32)], (20, 20, 22), (225, 225, 225)),
    ("cover_christmas_eve", [("CHRISTMAS EVE", 78), ("carols by candlelight", 30)], (120, 18, 24), (245, 230, 180)),
    ("cover_happy_days", [("Happy Days", 90), ("songs for the summer fair", 30)], (250, 205, 60), (200, 40, 40)),
    ("cover_ghost_stories", [("GHOST STORIES", 72), ("tales for a winter night", 28)], (40, 60, 50), (200, 230, 200)),
    ("cover_sailors", [("THE SAILOR'S VOYAGE", 64), ("songs of the sea", 30)], (30, 90, 140), (250, 250, 250)),
    ("cover_spring_morning", [("Spring Morning", 84), ("a walk in the meadow", 30)], (200, 235, 200), (40, 110, 60)),
    ("cover_victory", [("VICTORY", 110), ("The Champions' Parade", 34)], (170, 20, 20), (250, 210, 60)),
)
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def note(midi: int) -> str:
    """A MIDI note number as a name with its octave (60 = C4)."""
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def plan_text(plan) -> str:
    """The plan as a musician reads it: no reasons, no title."""
    return (f"{plan.tune_type} in {plan.key} {plan.mode}, {plan.meter}, {plan.tempo_bpm} BPM, {plan.bars} bars in form "
            f"{plan.form}; {plan.instrument}, melody between {note(plan.low_pitch)} and {note(plan.high_pitch)}; "
            f"{plan.density} rhythm, {plan.contour} phrases; character: {plan.mood}")


def make_pictures(folder: Path, photos: Path | None) -> list[Path]:
    """The pictures of the run, saved as files in `folder`."""
    import numpy as np
    import skimage.data
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SKIMAGE:
        array = getattr(skimage.data, name)()
        array = np.stack([array] * 3, axis=-1) if array.ndim == 2 else array[..., :3]
        path = folder / f"skimage_{name}.png"
        Image.fromarray(np.ascontiguousarray(array)).save(path)
        paths.append(path)
    for stem, lines, background, ink in COVERS:
        image = Image.new("RGB", (800, 800), background)
        draw, top = ImageDraw.Draw(image), 220
        for text, height in lines:
            draw.text((60, top), text, font=ImageFont.load_default(size=height), fill=ink)
            top += int(height * 1.7)
        path = folder / f"{stem}.png"
        image.save(path)
        paths.append(path)
    for photo in sorted(photos.iterdir()) if photos else []:
        if photo.suffix.lower() in (".jpg", ".jpeg", ".png"):
            paths.append(Path(shutil.copy(photo, folder / f"photo_{photo.name}")))
    return paths


def spread(plans: dict[str, object]) -> list[str]:
    """Lines saying how varied the plans are."""
    values = list(plans.values())
    lines = []
    for label, key in (("tune types", lambda p: p.tune_type), ("instruments", lambda p: p.instrument),
                       ("modes", lambda p: p.mode), ("meters", lambda p: p.meter), ("densities", lambda p: p.density)):
        counts = Counter(key(plan) for plan in values)
        lines.append(f"{label}: {len(counts)} distinct — " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    tempi = sorted(plan.tempo_bpm for plan in values)
    centres = sorted((plan.low_pitch + plan.high_pitch) // 2 for plan in values)
    widths = sorted(plan.high_pitch - plan.low_pitch for plan in values)
    lines.append(f"tempi (BPM, beat unit of the meter): {tempi[0]}–{tempi[-1]}, median {tempi[len(tempi) // 2]}")
    lines.append(f"register centres: {note(centres[0])}–{note(centres[-1])} ({len(set(c // 3 for c in centres))} "
                 f"distinct minor-third bands); range widths {widths[0]}–{widths[-1]} semitones")
    return lines


BRIEF = """# Blind plan-fit test: which music plan fits the picture?

You are a composer who scores pictures. For each numbered pair below, open the picture (`pictures/<file>`),
read the two music plans A and B, and choose the plan that fits the picture better — the music you would
rather hear with it. Both plans were made by the same program, one of them for a different picture; you are
not told which. Judge the music the plan describes (type, key and mode, tempo, instrument, register, rhythm,
shape, character), not the wording.

Answer in a file `answers.json`: `{"<pair id>": {"choice": "A" or "B", "confidence": 50-100, "why": "one line"}}`.
Confidence is how sure you are that your choice fits better (50 = a coin toss, 100 = certain). Please also
write a few sentences at the end (`"_overall"`) on what the plans get right and wrong.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the judges' material")
    parser.add_argument("--keys", type=Path, required=True, help="the answer key (kept apart from the material)")
    parser.add_argument("--photos", type=Path, help="a folder of further photos (faces) to include")
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    from tunesmith.tools.vision import describe_image, plan_from_image

    pictures = make_pictures(args.out / "pictures", args.photos)
    plans = {path.name: plan_from_image(describe_image(path, caption=False)).plan for path in pictures}
    rng = random.Random(args.seed)
    names = list(plans)
    while True:  # a derangement: every picture is paired with another picture's plan
        others = names[:]
        rng.shuffle(others)
        if all(a != b for a, b in zip(names, others, strict=True)):
            break
    pairs, keys = [], {}
    for number, (name, other) in enumerate(zip(names, others, strict=True), start=1):
        pair_id = f"pair{number:02d}"
        own_first = rng.random() < 0.5
        a, b = (plans[name], plans[other]) if own_first else (plans[other], plans[name])
        pairs.append({"id": pair_id, "picture": f"pictures/{name}", "A": plan_text(a), "B": plan_text(b)})
        keys[pair_id] = {"picture": name, "ours": "A" if own_first else "B", "other_plan_from": other}
    (args.out / "pairs.json").write_text(json.dumps(pairs, indent=2, ensure_ascii=False) + "\n")
    body = [BRIEF, ""] + [f"## {p['id']}: `{p['picture']}`\n\n- **A**: {p['A']}\n- **B**: {p['B']}\n" for p in pairs]
    (args.out / "BRIEF.md").write_text("\n".join(body))
    args.keys.parent.mkdir(parents=True, exist_ok=True)
    args.keys.write_text(json.dumps(keys, indent=2) + "\n")
    print(f"{len(pairs)} pairs in {args.out}; key in {args.keys}\n")
    for line in spread(plans):
        print(line)
    print()
    for name, plan in plans.items():
        print(f"{name:34s} {plan_text(plan)[:150]}")


if __name__ == "__main__":
    main()
