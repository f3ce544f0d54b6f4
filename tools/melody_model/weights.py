"""The shipped weights: save them with their SHA-256, load them once (checking the hash), and say in
one sentence why they cannot be used when they are missing or corrupt.

Files in `weights/`: `model.pt` (network config, fp16 state, vocabulary, training facts and corpus
statistics), `model.sha256`, `calibration.json` (the critic's percentiles on held-out real tunes) and
MODEL_CARD.md.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tunesmith.errors import UnavailableError

WEIGHTS_DIR = Path(__file__).parent / "weights"
MODEL_FILE, HASH_FILE, CALIBRATION_FILE = "model.pt", "model.sha256", "calibration.json"
MIN_TUNES_FOR_METER = 50  # a meter with fewer training tunes is left to the rule-based composer


class MelodyModelUnavailable(UnavailableError):
    """The melody model's weights are missing, corrupt or do not match their recorded SHA-256."""


@dataclass
class MelodyModel:
    """A loaded network with what sampling and scoring need to know about its training corpus."""

    network: Any  # MelodyNetwork, in eval mode
    facts: dict  # training settings and corpus statistics (see scripts/train_melody_model.py)
    calibration: dict = field(default_factory=dict)
    folder: Path = WEIGHTS_DIR

    @property
    def context(self) -> int:
        return self.network.config.context

    def meter_tunes(self, meter: str) -> int:
        """Training tunes in this meter."""
        return int(self.facts.get("meters", {}).get(meter, 0))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_statistics(train: list) -> dict:
    """What sampling constrains with: training tunes per meter, each mode's pitch classes (share of
    notes, steps from the tonic mod 12) and each meter's note lengths (share of notes, 1/96 units)."""
    from tunesmith.tools.melody_model.vocab import parse_note

    meters: Counter = Counter(t.meter for t in train)
    pitch_classes: dict[str, Counter] = {}
    lengths: dict[str, Counter] = {}
    for tune in train:
        for token in tune.body:
            note = parse_note(token)
            if note is None:
                continue
            step, units = note
            lengths.setdefault(tune.meter, Counter())[units] += 1
            if step is not None:
                pitch_classes.setdefault(tune.mode, Counter())[step % 12] += 1

    def shares(counts: Counter) -> dict[str, float]:
        total = sum(counts.values())
        return {str(k): round(v / total, 5) for k, v in sorted(counts.items())}

    return {
        "meters": dict(meters.most_common()),
        "mode_pitch_classes": {mode: shares(c) for mode, c in pitch_classes.items()},
        "meter_lengths": {meter: shares(c) for meter, c in lengths.items()},
    }


def save(folder: Path, network, facts: dict) -> Path:
    """Write model.pt (fp16 weights) and model.sha256; returns the model file."""
    import torch

    from tunesmith.tools.melody_model.vocab import vocabulary

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in network.state_dict().items()}
    buffer = io.BytesIO()
    torch.save({"config": network.config.as_dict(), "state": state, "vocabulary": list(vocabulary().tokens),
                "facts": facts}, buffer)
    path = folder / MODEL_FILE
    path.write_bytes(buffer.getvalue())
    (folder / HASH_FILE).write_text(f"{file_sha256(path)}  {MODEL_FILE}\n")
    return path


def _unavailable(reason: str) -> MelodyModelUnavailable:
    return MelodyModelUnavailable(
        f"the melody model cannot be used: {reason}",
        fix="restore tools/melody_model/weights/ from the repository (git checkout -- tools/melody_model/weights) "
            "or retrain with scripts/train_melody_model.py",
    )


def load_model(folder: Path = WEIGHTS_DIR) -> MelodyModel:
    """Load and check the weights in `folder`; MelodyModelUnavailable says what is wrong in one sentence."""
    import torch

    from tunesmith.tools.melody_model.network import MelodyNetwork, NetworkConfig
    from tunesmith.tools.melody_model.vocab import vocabulary

    path = Path(folder) / MODEL_FILE
    if not path.is_file():
        raise _unavailable(f"{path} is missing")
    try:
        expected = (Path(folder) / HASH_FILE).read_text().split()[0]
    except (OSError, IndexError):
        raise _unavailable(f"{Path(folder) / HASH_FILE} is missing or empty") from None
    if file_sha256(path) != expected:
        raise _unavailable(f"{path} does not match its SHA-256 in {HASH_FILE} (corrupt or replaced)")
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        if saved["vocabulary"] != list(vocabulary().tokens):
            raise _unavailable(f"{path} was trained with another vocabulary than this version's")
        network = MelodyNetwork(NetworkConfig(**saved["config"]))
        network.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in saved["state"].items()})
    except MelodyModelUnavailable:
        raise
    except Exception as error:  # a truncated or foreign file: any unpickling or shape error
        raise _unavailable(f"{path} cannot be read ({type(error).__name__})") from None
    network.eval()
    calibration = {}
    calibration_path = Path(folder) / CALIBRATION_FILE
    if calibration_path.is_file():
        calibration = json.loads(calibration_path.read_text(encoding="utf-8"))
    return MelodyModel(network=network, facts=saved["facts"], calibration=calibration, folder=Path(folder))


@lru_cache(maxsize=2)
def shipped_model(folder: str = str(WEIGHTS_DIR)) -> MelodyModel:
    """The shipped model, loaded once per process (folder as text so it can be cached)."""
    return load_model(Path(folder))


def model_status(folder: Path = WEIGHTS_DIR) -> tuple[bool, str]:
    """(usable, one sentence) for `tunesmith doctor`: checks the files and the hash without loading torch."""
    path = Path(folder) / MODEL_FILE
    try:
        expected = (Path(folder) / HASH_FILE).read_text().split()[0]
    except (OSError, IndexError):
        return False, f"{Path(folder) / HASH_FILE} is missing"
    if not path.is_file():
        return False, f"{path} is missing"
    if file_sha256(path) != expected:
        return False, f"{path} does not match its SHA-256"
    return True, f"{path.name} ({path.stat().st_size / 1e6:.1f} MB, SHA-256 checked)"


def melody_checks() -> list:
    """The `tunesmith doctor` row: are the shipped melody-model weights there and intact?"""
    from tunesmith.tools.weights import BackendStatus

    usable, detail = model_status()
    return [BackendStatus("melody model", usable, detail if usable else f"{detail}; the rule-based composer writes melodies",
                          fix="" if usable else "git checkout -- tools/melody_model/weights, or tunesmith train")]


def write_calibration(folder: Path, validation: list) -> Path:
    """Score every validation tune with the model in `folder` and write the per-meter (and per
    meter-and-type) percentiles the critic compares against."""
    from tunesmith.tools.melody_model.likelihood import calibration_table

    model = load_model(folder)
    table = calibration_table(model, validation)
    path = Path(folder) / CALIBRATION_FILE
    path.write_text(json.dumps(table, indent=1), encoding="utf-8")
    return path
