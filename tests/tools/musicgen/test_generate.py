"""MusicGen's real generation paths (text, melody, continuation) on tiny random models built offline."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile
from support.tiny_models import build_tiny_clap, build_tiny_musicgen, build_tiny_musicgen_melody, one_torch_thread

from tunesmith.memory.files import OutsideFolderError
from tunesmith.tools.audio.describe import AudioInputError
from tunesmith.tools.musicgen import backend as musicgen_backend
from tunesmith.tools.musicgen.audiocraft import AudiocraftUnavailable
from tunesmith.tools.musicgen.backend import MusicgenModelError, choose_device, load_musicgen, melody_chroma
from tunesmith.tools.musicgen.continuation import equal_power_join, planned_blocks
from tunesmith.tools.musicgen.generate import continue_audio, generate_from_text, generate_with_melody, musicgen_checks
from tunesmith.tools.weights import WeightsUnavailable

SR = 32000


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    with one_torch_thread():
        yield


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("tiny_models")
    return {
        "text": str(build_tiny_musicgen(root / "musicgen")),
        "short_window": str(build_tiny_musicgen(root / "musicgen_64", max_positions=64)),  # 1.2 s windows
        "melody": str(build_tiny_musicgen_melody(root / "musicgen_melody")),
        "clap": str(build_tiny_clap(root / "clap")),
    }


def tone(path: Path, freq_hz: float, seconds: float, sr: int = SR) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    soundfile.write(str(path), (0.5 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32), sr)
    return path


def read(path: str) -> np.ndarray:
    return soundfile.read(path, dtype="float32")[0]


def clearly_different(a: np.ndarray, b: np.ndarray) -> bool:
    """True when the two clips differ by more than a tenth of their level, not just by rounding."""
    return float(np.abs(a - b).mean()) > 0.1 * float(np.abs(a).mean())


def test_text_prompt_yields_a_32_khz_wav_of_the_requested_length(models, out_dir: Path) -> None:
    result = generate_from_text("a calm folk tune on fiddle", out_dir / "tune.wav", seconds=1.5,
                                model=models["text"], progress=False)
    info = soundfile.info(result.path)
    assert (info.samplerate, info.channels, info.frames) == (SR, 1, 48000)
    assert (result.mode, result.backend, result.device, result.blocks) == ("text", "transformers", "cpu", 1)
    assert result.seconds == pytest.approx(1.5) and result.realtime_factor > 0
    assert np.abs(read(result.path)).max() > 0  # the codec decoded real samples, not silence
    assert [p.name for p in out_dir.iterdir()] == ["tune.wav"]  # no temp files left behind


def test_same_seed_repeats_exactly_and_another_seed_differs(models, out_dir: Path) -> None:
    def make(name: str, seed: int) -> np.ndarray:
        return read(generate_from_text("a jig", out_dir / name, seconds=0.5, seed=seed, model=models["text"],
                                       progress=False).path)

    first, again, other = make("a.wav", 7), make("b.wav", 7), make("c.wav", 8)
    assert np.array_equal(first, again)
    assert clearly_different(first, other)


def test_text_longer_than_one_window_is_made_in_blocks_to_the_exact_length(models, out_dir: Path) -> None:
    # This model's window is 1.2 s, so 2 s takes a text window and one continuation block.
    result = generate_from_text("a reel", out_dir / "long.wav", seconds=2.0, model=models["short_window"], progress=False)
    assert result.blocks == 2
    assert soundfile.info(result.path).frames == 2 * SR


def test_melody_clip_sets_the_length_and_shapes_the_result(models, tmp_path: Path, out_dir: Path) -> None:
    a_tone, c_sharp_tone = tone(tmp_path / "a.wav", 440.0, 1.2), tone(tmp_path / "cs.wav", 554.37, 1.2)
    with_a = generate_with_melody("a waltz", a_tone, out_dir / "a.wav", model=models["melody"], progress=False)
    with_c_sharp = generate_with_melody("a waltz", c_sharp_tone, out_dir / "cs.wav", model=models["melody"], progress=False)
    assert (with_a.mode, with_a.source_audio, with_a.seconds) == ("melody", str(a_tone), pytest.approx(1.2))
    assert soundfile.info(with_a.path).frames == int(1.2 * SR)
    # Same text and seed: only the melody's chroma differs, and so does the audio.
    assert clearly_different(read(with_a.path), read(with_c_sharp.path))


def test_melody_chroma_marks_the_pitch_class_of_the_tone(models, tmp_path: Path) -> None:
    loaded = load_musicgen(models["melody"], melody=True)
    samples = read(str(tone(tmp_path / "a.wav", 440.0, 2.0)))
    chroma = melody_chroma(loaded, samples)
    assert chroma.shape == (1, 2 * SR // 4096 + 1, 12)
    assert chroma.sum(dim=-1).eq(1).all()  # one-hot per frame
    assert set(chroma[0].argmax(dim=-1).tolist()) == {9}  # chroma bins start at C, so A is 9


def test_continuation_keeps_the_seed_and_reaches_the_requested_length(models, tmp_path: Path, out_dir: Path) -> None:
    seed_clip = tone(tmp_path / "seed.wav", 440.0, 1.0)
    result = continue_audio("a jig", seed_clip, out_dir / "more.wav", total_seconds=2.2, block_seconds=1.0,
                            overlap_seconds=0.5, model=models["text"], progress=False)
    audio = read(result.path)
    assert len(audio) == int(2.2 * SR)
    assert result.blocks == planned_blocks(2.2, 1.0, 1.0, 0.5) == 3
    # Up to the first crossfade (the last 0.25 s of the seed) the seed comes through unchanged (16-bit).
    np.testing.assert_allclose(audio[: int(0.75 * SR)], read(str(seed_clip))[: int(0.75 * SR)], atol=1e-4)


def test_each_block_of_a_continuation_follows_its_own_prompt(models, tmp_path: Path, out_dir: Path) -> None:
    seed_clip = tone(tmp_path / "seed.wav", 330.0, 0.6)
    settings = dict(total_seconds=1.6, block_seconds=1.0, overlap_seconds=0.5, model=models["text"], progress=False)
    one_text = read(continue_audio("a slow waltz", seed_clip, out_dir / "one.wav", **settings).path)
    two_texts = read(continue_audio(["a slow waltz", "a fast reel"], seed_clip, out_dir / "two.wav", **settings).path)
    first_block_end = int((0.6 + 0.5 - 0.25) * SR)  # the second block's crossfade starts here
    np.testing.assert_array_equal(one_text[:first_block_end], two_texts[:first_block_end])
    assert clearly_different(one_text[first_block_end:], two_texts[first_block_end:])


def test_equal_power_join_appends_the_new_part_and_fades_over_the_prompt() -> None:
    existing = np.full((1, 1000), 0.5, dtype=np.float32)
    block = np.concatenate([np.full((1, 200), 0.5), np.full((1, 300), -0.5)], axis=1).astype(np.float32)
    joined = equal_power_join(existing, block, prompt_samples=200, crossfade_samples=100)
    assert joined.shape == (1, 1300)
    np.testing.assert_allclose(joined[0, 1000:], -0.5)
    # cos² + sin² = 1: at the seam's middle both signals play at 1/√2 of their level.
    assert joined[0, 950] == pytest.approx(0.5 * np.sqrt(2), abs=0.01)
    assert joined[0, 899] == pytest.approx(0.5)


def test_long_cpu_runs_announce_an_estimate_and_later_runs_predict_it(models, out_dir, caplog, monkeypatch) -> None:
    monkeypatch.setattr(musicgen_backend, "LONG_RUN_SECONDS", 0.0)
    musicgen_backend._steps_per_second.clear()
    with caplog.at_level(logging.INFO, logger="tunesmith.tools.musicgen.backend"):
        generate_from_text("a march", out_dir / "a.wav", seconds=0.4, model=models["text"], progress=False)
    assert "on this CPU" in caplog.text
    loaded = load_musicgen(models["text"], melody=False)
    assert musicgen_backend.estimate_seconds(loaded, 100) > 0


def test_cancelling_mid_generation_leaves_no_file(models, out_dir: Path, monkeypatch) -> None:
    watch_step = musicgen_backend._StepProgress.__call__

    def interrupt_at_step_5(self, input_ids, scores):
        if self.seen == 5:
            raise KeyboardInterrupt  # what Ctrl-C does mid-generation
        return watch_step(self, input_ids, scores)

    monkeypatch.setattr(musicgen_backend._StepProgress, "__call__", interrupt_at_step_5)
    with pytest.raises(KeyboardInterrupt):
        generate_from_text("a reel", out_dir / "cancelled.wav", seconds=1.0, model=models["text"], progress=False)
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=301, model=m["text"]), ValueError,
         "seconds=301 is not valid; use more than 0 and at most 300 seconds"),
        (lambda m, o, t: generate_from_text("", o / "a.wav", seconds=1, model=m["text"]), ValueError, "non-empty"),
        (lambda m, o, t: generate_from_text("x", o / "a.mp3", seconds=1, model=m["text"]), ValueError, "must end in .wav"),
        (lambda m, o, t: generate_from_text("x", "../../escape.wav", seconds=1, model=m["text"]), OutsideFolderError,
         "outside the output folder"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, model="no-such-model"), WeightsUnavailable,
         "no-such-model is not a folder on this machine"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, model=str(t)), WeightsUnavailable,
         "has no config.json and weight files"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, model=m["clap"]), MusicgenModelError,
         "holds a 'clap' model, but this mode needs a 'musicgen' model"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, model=m["melody"]), MusicgenModelError,
         "'musicgen_melody' model"),
        (lambda m, o, t: generate_with_melody("x", tone(t / "m.wav", 440, 0.5), o / "a.wav", seconds=31,
                                              model=m["melody"]), ValueError, "at most 30 seconds"),
        (lambda m, o, t: continue_audio("x", tone(t / "s.wav", 440, 2.0), o / "a.wav", total_seconds=1.5,
                                        model=m["text"]), ValueError, "already lasts 2.0 s"),
        (lambda m, o, t: continue_audio("x", tone(t / "s.wav", 440, 1.0), o / "a.wav", total_seconds=5,
                                        block_seconds=4, overlap_seconds=4, model=m["text"]), ValueError,
         "overlap_seconds=4 is not valid"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, temperature=0, model=m["text"]), ValueError,
         "temperature=0 is not valid: input should be greater than 0"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, backend="jukebox"), ValueError,
         "backend 'jukebox' is not valid; use 'transformers'"),
        (lambda m, o, t: generate_from_text("x", o / "a.wav", seconds=1, backend="audiocraft"), AudiocraftUnavailable,
         "pins torch 2.1"),
    ],
    ids=["too-long", "empty-prompt", "not-wav", "outside-output", "unknown-model", "folder-without-weights",
         "clap-folder", "melody-model-for-text", "melody-too-long", "seed-longer-than-total", "overlap-too-big",
         "zero-temperature", "unknown-backend", "audiocraft-missing"],
)
def test_bad_requests_get_clear_errors_and_write_nothing(models, out_dir: Path, tmp_path: Path, call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(models, out_dir, tmp_path)
    assert list(out_dir.iterdir()) == []


def test_a_melody_that_is_not_audio_is_refused_before_generating(models, tmp_path: Path, out_dir: Path) -> None:
    not_audio = tmp_path / "melody.wav"
    not_audio.write_text("X:1\nK:G\nGABc|\n")
    with pytest.raises(AudioInputError, match="not an audio file"):
        generate_with_melody("a jig", not_audio, out_dir / "a.wav", model=models["melody"], progress=False)
    assert list(out_dir.iterdir()) == []


def test_default_weights_missing_offline_is_one_clear_sentence(out_dir: Path) -> None:
    with pytest.raises(WeightsUnavailable, match="facebook/musicgen-small is not in the Hugging Face cache"):
        generate_from_text("a jig", out_dir / "a.wav", seconds=1)


def test_doctor_rows_report_musicgen_weights_and_audiocraft(models, monkeypatch) -> None:
    monkeypatch.setenv("TUNESMITH_MUSICGEN_MODEL", models["text"])
    from tunesmith.settings import get_settings

    get_settings.cache_clear()
    rows = {row.name: row for row in musicgen_checks()}
    assert rows["MusicGen"].available and models["text"] in rows["MusicGen"].detail
    assert not rows["MusicGen-melody"].available and "symbolic" in rows["MusicGen-melody"].detail
    assert not rows["audiocraft backend"].available and "own environment" in rows["audiocraft backend"].fix


def test_asking_for_a_gpu_on_a_cpu_machine_is_a_clear_error() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        choose_device("cuda")
    with pytest.raises(ValueError, match="'tpu' is not valid"):
        choose_device("tpu")
