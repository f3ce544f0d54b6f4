"""transcribe_audio: a clip's melody back as valid ABC — synthesised melodies, a rendered real tune, bad clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.real_tunes import KESH, render_clip
from support.synth_clips import SR, TWINKLE_G, chord_loop, melody, write

from tunesmith.errors import InputError
from tunesmith.tools.abc import analyse_abc, tune_notes, validate_abc
from tunesmith.tools.audio.describe import AudioInputError
from tunesmith.tools.audio.transcribe import MelodyNotFound, transcribe_audio


def pitches_and_lengths(abc: str) -> list[tuple[int, float]]:
    return [(n.midi, n.duration) for n in tune_notes(abc) if n.midi is not None]


def test_a_synthesised_nursery_tune_comes_back_note_for_note_in_4_4_g_major(tmp_path: Path) -> None:
    result = transcribe_audio(write(tmp_path / "twinkle.wav", melody(TWINKLE_G, 100)))
    assert validate_abc(result.abc).valid
    assert [(p, length) for p, length in pitches_and_lengths(result.abc)] == [(p, float(b)) for p, b in TWINKLE_G]
    assert (result.meter, result.tempo_bpm, result.key, result.mode, result.bars) == ("4/4", 100, "G", "major", 8)
    assert result.sentence() == "transcribed from your clip: 28 notes, 8 bars, tempo 100, G major"


def test_a_waltz_is_written_in_3_4_with_its_half_notes(tmp_path: Path) -> None:
    waltz = [(67, 2), (71, 1), (74, 2), (71, 1), (72, 3), (69, 3)] * 4
    result = transcribe_audio(write(tmp_path / "waltz.wav", melody(waltz, 150, beats_per_bar=3)))
    assert result.meter == "3/4" and result.tempo_bpm == 150
    assert pitches_and_lengths(result.abc) == [(p, float(b)) for p, b in waltz]


def test_a_rendered_jig_keeps_its_pitches_rhythm_and_compound_meter(tmp_path: Path) -> None:
    result = transcribe_audio(render_clip(tmp_path, KESH, "kesh"))
    assert validate_abc(result.abc).valid
    assert result.meter == "6/8" and result.tempo_bpm == 100
    assert (result.key, result.mode) == ("G", "major")
    original, heard = pitches_and_lengths(KESH), pitches_and_lengths(result.abc)
    assert heard == original
    assert analyse_abc(result.abc).instrument_program == 0


def test_a_long_clip_is_heard_in_windows_with_progress_and_no_note_lost_at_their_seams(tmp_path: Path) -> None:
    shares: list[float] = []
    result = transcribe_audio(write(tmp_path / "long.wav", melody(TWINKLE_G * 4, 120)), progress=shares.append)
    assert len(shares) == 3  # 64.5 s of audio in 30 s windows
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert result.notes == 4 * len(TWINKLE_G)


def test_silence_is_said_to_be_silent(tmp_path: Path) -> None:
    with pytest.raises(MelodyNotFound, match="no melody was found in silence.wav: it is silent"):
        transcribe_audio(write(tmp_path / "silence.wav", np.zeros(SR * 5, dtype=np.float32)))


def test_noise_has_no_melody_and_says_so_in_one_sentence(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).normal(0, 0.2, SR * 6).astype(np.float32)
    with pytest.raises(MelodyNotFound, match="no melody was found in noise.wav: basic-pitch heard"):
        transcribe_audio(write(tmp_path / "noise.wav", noise))


def test_a_tenth_of_a_second_is_too_short(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"lasts 0.10 s; a melody needs at least 1 s"):
        transcribe_audio(write(tmp_path / "blip.wav", melody([(69, 0.2)], 120)[: SR // 10]))


def test_a_corrupt_file_gets_a_clear_message(tmp_path: Path) -> None:
    broken = tmp_path / "clip.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage")
    with pytest.raises(AudioInputError, match="not an audio file"):
        transcribe_audio(broken)


def test_a_dense_chord_loop_gives_a_valid_melody_or_one_sentence(tmp_path: Path) -> None:
    clip = write(tmp_path / "chords.wav", chord_loop(110, [(9, True), (2, True), (4, False), (9, True)], 12, harmonics=8,
                                                    hits_per_beat=2))
    try:
        result = transcribe_audio(clip)
    except MelodyNotFound as error:
        assert str(error).startswith("no melody was found in chords.wav")
    else:
        assert validate_abc(result.abc).valid and result.notes >= 6


def test_without_basic_pitch_transcription_says_so_in_one_sentence_with_the_fix(tmp_path: Path, monkeypatch) -> None:
    from tunesmith.errors import UnavailableError
    from tunesmith.tools.audio import notes

    real_find_spec = notes.importlib.util.find_spec
    monkeypatch.setattr(notes.importlib.util, "find_spec",
                        lambda name, *args: None if name == "basic_pitch" else real_find_spec(name, *args))
    notes._model.cache_clear()
    try:
        with pytest.raises(UnavailableError, match="basic-pitch \\(the note transcription model\\) is not installed") as caught:
            transcribe_audio(write(tmp_path / "twinkle.wav", melody(TWINKLE_G[:8], 100)))
        assert "--no-deps basic-pitch==0.4.0" in caught.value.fix
        (row,) = notes.basic_pitch_checks()
        assert not row.available and "cannot be transcribed" in row.detail
    finally:
        notes._model.cache_clear()
