"""musicnn tags and embeddings of rendered tunes and synthesised clips; short and loud clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.synth_clips import SR, chord_loop

from tunesmith.errors import UnavailableError
from tunesmith.tools.audio.musicnn import tagger
from tunesmith.tools.audio.musicnn.tagger import TaggingError, embed_samples, tag_audio, tag_samples

AIR = """X:1
T:Air
M:3/4
L:1/8
Q:1/4=80
K:D
%%MIDI program {program}
d4 f2 | a4 f2 | e4 d2 | c4 A2 | B4 d2 | c4 e2 | d6 | d6 |]
"""


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tunesmith.tools.render import render_all

    folder = tmp_path_factory.mktemp("renders")
    return {name: render_all(AIR.format(program=program), folder, name, formats=["wav"]).wav
            for name, program in (("piano", 0), ("flute", 73))}


def test_a_piano_render_is_tagged_piano(renders: dict[str, Path]) -> None:
    tags = tag_audio(renders["piano"])
    assert "piano" in [t.tag for t in tags.top(3)]
    assert tags.probability("piano") > tags.probability("flute")
    assert tags.taggers == ["MTT_musicnn", "MSD_musicnn"] and len(tags.tags) == 100


def test_a_flute_render_is_tagged_flute_more_than_piano(renders: dict[str, Path]) -> None:
    tags = tag_audio(renders["flute"])
    assert tags.probability("flute") > tags.probability("piano")


def test_full_scale_audio_gives_finite_probabilities() -> None:
    # musicnn's own code casts the mel spectrogram to float16 first, which overflows on loud audio
    loud = chord_loop(100, [(9, True), (2, True)], 6, harmonics=10)
    loud = np.clip(loud / np.abs(loud).max() * 4.0, -1, 1)
    tags = tag_samples(loud, SR)
    assert all(np.isfinite(t.probability) and 0 <= t.probability <= 1 for t in tags.tags)


def test_a_clip_under_a_second_is_too_short_to_tag() -> None:
    with pytest.raises(TaggingError, match="lasts 0.50 s; tagging needs at least 1 s"):
        tag_samples(np.zeros(SR // 2, dtype=np.float32), SR)


def test_a_two_second_clip_is_padded_to_one_patch_and_embedded_in_200_dimensions(tmp_path: Path) -> None:
    clip = chord_loop(100, [(2, False)], 2)
    assert tag_samples(clip, SR).patches == 1
    assert embed_samples(clip, SR).shape == (1, 200)


def test_progress_is_reported_per_batch_of_patches() -> None:
    shares: list[float] = []
    tag_samples(chord_loop(100, [(2, False)], 7), SR, taggers=("MTT_musicnn",), progress=shares.append)
    assert shares == [1.0]


def test_without_the_musicnn_package_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tagger.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UnavailableError, match="musicnn tagger weights are not installed") as caught:
        tagger.musicnn_folder()
    assert "--no-deps musicnn==0.1.0" in caught.value.fix
    rows = tagger.musicnn_checks()
    assert not rows[0].available and "pip install --no-deps musicnn" in rows[0].fix
