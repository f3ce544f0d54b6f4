"""The front door's checks: every file is judged by its content, every refusal is one sentence with the fix."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from support import image_samples, synth_clips
from support.piano_midi import two_hand_piano

from tunesmith.agent.intake import OUT_CLAIM, OutClaim, check_attachments, check_out_dir, check_request
from tunesmith.errors import InputError

TUNE = "X:1\nT:Reel\nM:4/4\nL:1/8\nK:G\nGABc dBGA|B2ge dB2z|]\n"


def refusal(call, *args) -> str:
    with pytest.raises(InputError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(bytes(100_000))) + chunk(b"IEND", b"")


# --- the request ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_request_says_what_to_write(text: str) -> None:
    assert "the request is empty" in refusal(check_request, text)


def test_a_request_of_thousands_of_words_is_refused_with_the_limit() -> None:
    assert "at most 4,000 are read" in refusal(check_request, "a slow air " * 2000)


@pytest.mark.parametrize(("text", "expected"), [
    ("a reel in G, 10000 bars", "2 to 128 bars"),
    ("a waltz at tempo 2000 BPM", "30 to 260 BPM"),
    ("a march in 0/4", "is not a meter"),
    ("a jig in H# major", "is not a key"),
    ("a reel of " + "7" * 400 + " bars", "2 to 128 bars"),
])
def test_words_out_of_range_are_refused_before_anything_loads(text: str, expected: str) -> None:
    message = refusal(check_request, text)
    assert expected in message and len(message) < 300


def test_a_good_request_comes_back_stripped() -> None:
    assert check_request("  a cheerful jig in D major \n") == "a cheerful jig in D major"


# --- attachments ------------------------------------------------------------------------------------

def test_good_files_of_every_kind_are_accepted_as_resolved_paths(tmp_path: Path) -> None:
    image = image_samples.save(image_samples.sky_over_field(), tmp_path, "sky.png")
    clip = synth_clips.write(tmp_path / "clip.wav", synth_clips.chord_loop(100, [(0, True)], 2.0))
    midi = two_hand_piano(tmp_path / "piece.mid")
    abc = tmp_path / "tune.abc"
    abc.write_text(TUNE)
    checked = check_attachments({"image": image, "audio": clip, "midi": midi, "abc": abc})
    assert checked == {"image": image.resolve(), "audio": clip.resolve(), "midi": midi.resolve(), "abc": abc.resolve()}


def test_a_latin1_tune_book_is_accepted(tmp_path: Path) -> None:
    book = tmp_path / "book.abc"
    book.write_bytes(("% a book\n\n" + TUNE.replace("Reel", "Müller's Reel") + "\n" + TUNE.replace("X:1", "X:2")).encode("latin-1"))
    assert check_attachments({"abc": book})["abc"] == book.resolve()


def test_missing_files_folders_and_unknown_roles_are_named(tmp_path: Path) -> None:
    assert "does not exist" in refusal(check_attachments, {"image": tmp_path / "nope.png"})
    assert "is a folder, not an image file" in refusal(check_attachments, {"image": tmp_path})
    assert "not a kind of input" in refusal(check_attachments, {"video": tmp_path / "x"})


def test_a_pipe_is_refused_without_reading_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.abc"
    os.mkfifo(pipe)
    assert "not a regular file" in refusal(check_attachments, {"abc": pipe})


@pytest.mark.parametrize(("role", "name", "content", "expected"), [
    ("image", "notes.txt", b"shopping: milk, eggs\n", "not an image (it contains text)"),
    ("image", "empty.png", b"", "empty (0 bytes)"),
    ("image", "bomb.png", _png_declaring(100_000, 100_000), "images up to 50 MP are accepted"),
    ("audio", "notes.txt", b"not a clip\n" * 50, "not an audio file"),
    ("audio", "broken.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40), "not an audio file"),
    ("midi", "notes.mid", b"not midi at all\n", "not a readable MIDI file"),
    ("abc", "empty.abc", b"", "empty (0 bytes)"),
    ("abc", "garbage.abc", b"lorem ipsum dolor sit amet\nconsectetur\n", "holds no ABC tune with notes"),
    ("abc", "binary.abc", b"\x00\x01\x02X:1\nK:C\nC|", "not a text file"),
])
def test_unusable_files_are_refused_by_their_content(tmp_path: Path, role: str, name: str, content: bytes,
                                                     expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    message = refusal(check_attachments, {role: path})
    assert expected in message and name in message
    assert "179" not in message  # never Pillow's own limit: ours is the one documented


def test_a_truncated_image_is_refused(tmp_path: Path) -> None:
    whole = image_samples.save(image_samples.busy_contrast(), tmp_path, "whole.png")
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "damaged or truncated" in refusal(check_attachments, {"image": cut})


def test_a_megabyte_tune_is_refused_with_the_tune_limit(tmp_path: Path) -> None:
    huge = tmp_path / "huge.abc"
    huge.write_text("X:1\nT:Long\nM:4/4\nL:1/8\nK:G\n" + "GABc dBGA|\n" * 100_000)
    assert "a tune may have at most 100,000" in refusal(check_attachments, {"abc": huge})


def test_drum_only_and_empty_midi_files_have_nothing_to_work_with(tmp_path: Path) -> None:
    import pretty_midi

    drums = pretty_midi.PrettyMIDI()
    kit = pretty_midi.Instrument(program=0, is_drum=True)
    kit.notes.append(pretty_midi.Note(velocity=90, pitch=36, start=0.0, end=0.5))
    drums.instruments.append(kit)
    drums.write(str(tmp_path / "drums.mid"))
    pretty_midi.PrettyMIDI().write(str(tmp_path / "silent.mid"))
    assert "only drum notes" in refusal(check_attachments, {"midi": tmp_path / "drums.mid"})
    assert "no notes" in refusal(check_attachments, {"midi": tmp_path / "silent.mid"})


def test_silence_of_nan_samples_is_not_audio(tmp_path: Path) -> None:
    import soundfile

    soundfile.write(tmp_path / "nan.wav", np.full(8000, np.nan, dtype=np.float32), 8000, subtype="FLOAT")
    assert "not finite" in refusal(check_attachments, {"audio": tmp_path / "nan.wav"})


# --- the output folder ------------------------------------------------------------------------------

def test_out_may_be_new_or_empty(tmp_path: Path) -> None:
    assert check_out_dir(tmp_path / "new" / "deeper") == (tmp_path / "new" / "deeper").resolve()
    (tmp_path / "empty").mkdir()
    assert check_out_dir(tmp_path / "empty") == (tmp_path / "empty").resolve()
    assert check_out_dir(None) is None


def test_out_that_is_a_file_or_holds_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tune.abc").write_text(TUNE)
    assert "is a file" in refusal(check_out_dir, tmp_path / "tune.abc")
    assert "already holds files (tune.abc)" in refusal(check_out_dir, tmp_path)
    assert "is a file, not a folder" in refusal(check_out_dir, tmp_path / "tune.abc" / "below")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_under_a_folder_you_cannot_write_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert "not writable" in refusal(check_out_dir, locked / "new")


def test_a_claimed_out_folder_refuses_a_second_compose_and_is_left_clean(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    first = OutClaim(folder)
    assert "being written by another compose" in refusal(OutClaim, folder)
    assert "being written by another compose" in refusal(check_out_dir, folder)
    first.release()
    assert not folder.exists()  # made by the claim and still empty: removed
    folder.mkdir()
    claim = OutClaim(folder)
    (folder / "tune.abc").write_text(TUNE)
    claim.release()
    assert sorted(p.name for p in folder.iterdir()) == ["tune.abc"] and not (folder / OUT_CLAIM).exists()
