"""Notes heard in a clip, with basic-pitch (Spotify's ICASSP 2022 note model, ONNX, from its PyPI wheel).

The clip is transcribed in 30 s chunks, each with 3 s of context either side, so memory stays bounded
for a 10-minute clip and a progress callback can report after every chunk; a note belongs to the
chunk its onset falls in. The model runs through onnxruntime on the ONNX file inside the
`basic-pitch` package (never through TensorFlow, which basic-pitch prefers when it is importable);
basic-pitch's own decoder turns its frame and onset activations into notes.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tunesmith.errors import UnavailableError
from tunesmith.settings import BackendStatus

SAMPLE_RATE = 22050  # Hz, what the model was trained on
CHUNK_SECONDS = 30.0
CONTEXT_SECONDS = 3.0  # audio either side of a chunk, so notes at its edges are heard whole
SEAM_S = 0.05  # onsets this close, at one pitch, are one note heard by two chunks
# Decoder settings (basic-pitch's defaults but the shortest note: 127 ms drops sixteenths above ~120
# BPM; 5 frames is 58 ms). Measured on renders of corpus tunes in benchmarks/transcription_bench.py.
ONSET_THRESHOLD = 0.5
FRAME_THRESHOLD = 0.3
MIN_NOTE_FRAMES = 5
INFER_ONSETS = True
INSTALL_FIX = ("run scripts/setup.sh, or: pip install --no-deps basic-pitch==0.4.0 && pip install onnxruntime "
               "librosa pretty_midi mir_eval resampy scikit-learn scipy")
_lock = threading.Lock()


@dataclass(frozen=True)
class HeardNote:
    """A note found in audio: onset and offset in seconds, MIDI pitch, and the model's confidence 0..1."""

    start_s: float
    end_s: float
    pitch: int
    amplitude: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def basic_pitch_model_path() -> Path:
    """The ONNX note model inside the installed basic-pitch package (found without importing it)."""
    spec = importlib.util.find_spec("basic_pitch")
    if spec is None or not spec.submodule_search_locations:
        raise UnavailableError("basic-pitch (the note transcription model) is not installed", fix=INSTALL_FIX)
    path = Path(next(iter(spec.submodule_search_locations))) / "saved_models" / "icassp_2022" / "nmp.onnx"
    if not path.is_file():
        raise UnavailableError(f"the basic-pitch package has no ONNX model at {path}", fix=INSTALL_FIX)
    return path


@contextmanager
def _quiet_import() -> Iterator[None]:
    """basic-pitch logs a warning for every optional runtime it lacks (TF, CoreML, TFLite) when imported;
    a handler on the root logger for the moment keeps those from configuring or flooding the user's logging."""
    root, handler = logging.getLogger(), logging.NullHandler()
    root.addHandler(handler)
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)
        root.removeHandler(handler)


@lru_cache(maxsize=1)
def _model():  # -> (onnxruntime.InferenceSession, basic_pitch.note_creation, basic_pitch.inference)
    path = basic_pitch_model_path()
    try:
        import onnxruntime

        with _quiet_import():
            from basic_pitch import inference, note_creation
    except ImportError as exc:
        raise UnavailableError(f"basic-pitch cannot run here: {exc}", fix=INSTALL_FIX) from None
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session, note_creation, inference


def _model_output(samples: np.ndarray) -> dict[str, np.ndarray]:
    """basic-pitch's frame ('note'), onset and contour activations for a stretch of 22.05 kHz audio."""
    session, _, inference = _model()
    from basic_pitch.constants import AUDIO_N_SAMPLES, FFT_HOP

    overlap_frames = 30  # as basic-pitch's run_inference: half is trimmed from each side of every window
    overlap = overlap_frames * FFT_HOP
    padded = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), samples.astype(np.float32)])
    windows = [window for window, _ in inference.window_audio_file(padded, AUDIO_N_SAMPLES - overlap)]
    outputs: dict[str, list[np.ndarray]] = {"note": [], "onset": [], "contour": []}
    names = ["StatefulPartitionedCall:1", "StatefulPartitionedCall:2", "StatefulPartitionedCall:0"]
    for start in range(0, len(windows), 8):
        batch = np.stack(windows[start : start + 8]).astype(np.float32)
        with _lock:
            note, onset, contour = session.run(names, {"serving_default_input_2:0": batch})
        outputs["note"].append(note)
        outputs["onset"].append(onset)
        outputs["contour"].append(contour)
    return {key: inference.unwrap_output(np.concatenate(value), len(samples), overlap_frames)
            for key, value in outputs.items()}


def _chunk_notes(samples: np.ndarray, offset_s: float) -> list[HeardNote]:
    _, note_creation, _ = _model()
    output = _model_output(samples)
    if output["note"] is None or len(output["note"]) < 2:
        return []
    _, events = note_creation.model_output_to_notes(
        output, onset_thresh=ONSET_THRESHOLD, frame_thresh=FRAME_THRESHOLD, min_note_len=MIN_NOTE_FRAMES,
        include_pitch_bends=False, melodia_trick=True, infer_onsets=INFER_ONSETS,
    )
    return [HeardNote(round(float(start) + offset_s, 4), round(float(end) + offset_s, 4), int(pitch),
                      round(float(amplitude), 4)) for start, end, pitch, amplitude, _ in events]


def detect_notes(samples: np.ndarray, *, progress: Callable[[float], None] | None = None) -> list[HeardNote]:
    """Every note basic-pitch hears in mono float samples at 22.05 kHz, sorted by onset (polyphonic).

    `progress` is called with the share of the clip done (0..1) after each 30 s chunk.
    """
    total = len(samples) / SAMPLE_RATE
    notes: list[HeardNote] = []
    chunk_starts = np.arange(0.0, max(total, 1e-9), CHUNK_SECONDS)
    for number, start in enumerate(chunk_starts):
        end = min(total, start + CHUNK_SECONDS)
        first = max(0.0, start - CONTEXT_SECONDS)
        last = min(total, end + CONTEXT_SECONDS)
        heard = _chunk_notes(samples[int(first * SAMPLE_RATE) : int(last * SAMPLE_RATE)], first)
        # Both chunks at a seam may place a note a few ms either side of it: take a little more from each,
        # then keep one of each pair heard twice.
        notes += [n for n in heard if start - SEAM_S <= n.start_s < end + SEAM_S]
        if progress:
            progress((number + 1) / len(chunk_starts))
    kept: list[HeardNote] = []
    for note in sorted(notes, key=lambda n: (n.start_s, -n.pitch)):
        twin = next((k for k in reversed(kept[-8:]) if k.pitch == note.pitch and note.start_s - k.start_s < SEAM_S), None)
        if twin is None:
            kept.append(note)
    return kept


def basic_pitch_checks() -> list[BackendStatus]:
    """Doctor row: is basic-pitch installed, and does its ONNX model load in onnxruntime."""
    label = "basic-pitch"
    fallback = "a clip's melody cannot be transcribed; 'like this clip' keeps only its tempo, key and sound"
    try:
        _model()
    except UnavailableError as exc:
        return [BackendStatus(label, False, f"{exc}. Without it: {fallback}", exc.fix or INSTALL_FIX)]
    except Exception as exc:  # a broken ONNX file or runtime
        return [BackendStatus(label, False, f"the note model does not load ({type(exc).__name__}: {exc}). "
                              f"Without it: {fallback}", INSTALL_FIX)]
    return [BackendStatus(label, True, f"{basic_pitch_model_path()} (note model on onnxruntime, CPU)")]
