"""A mode change moves the chord symbols with the melody, and the melody's leading note with its V chord."""

from __future__ import annotations

import pytest
from support.corpus_tunes import corpus_tunes

from tunesmith.tools.abc import change_mode, parse_headers, parsed_tune, tune_notes, validate_abc
from tunesmith.tools.abc.chords import chord_for_mode

G_REEL = """X:1
T:Reel in G major
M:4/4
L:1/8
K:G
"G"GABc dBGB|"C"cBcd "D7"efge|"Em"dBGB "Am"cAFA|"D"GABc "G"d4|]
"""


@pytest.mark.parametrize(("chord", "minor", "dorian"), [
    ('"G"', '"Gm"', '"Gm"'), ('"C"', '"Cm"', '"C"'), ('"D7"', '"D7"', '"Dm7"'), ('"Em"', '"Eb"', '"C"'),
    ('"Am"', '"Cm"', '"Am"'), ('"D/F#"', '"D/F#"', '"Dm/F"'), ('"G/B"', '"Gm/Bb"', '"Gm/Bb"'),
    ('"^Fine"', '"^Fine"', '"^Fine"'),
])
def test_g_major_chords_become_the_chords_on_the_same_degrees(chord: str, minor: str, dorian: str) -> None:
    assert chord_for_mode(chord, "G", "major", "minor") == minor
    assert chord_for_mode(chord, "G", "major", "dorian") == dorian


def test_chords_outside_the_old_mode_keep_their_pitches() -> None:
    assert chord_for_mode('"A7"', "G", "major", "minor") == '"A7"'  # V of V stays V of V
    assert chord_for_mode('"Bb"', "G", "major", "minor") == '"Bb"'


def test_d_minor_back_to_major_makes_iv_major_and_keeps_the_dominant() -> None:
    assert [chord_for_mode(f'"{c}"', "D", "minor", "major") for c in ("Dm", "Gm", "A7", "Bb")] == \
        ['"D"', '"G"', '"A7"', '"Bm"']


def test_a_tune_in_minor_has_minor_chords_and_the_leading_note_under_its_dominant() -> None:
    minor = change_mode(G_REEL, "minor")
    assert parse_headers(minor)["K"] == "Gm" and validate_abc(minor).valid
    symbols = [minor[start:end] for start, end in parsed_tune(minor).chord_symbols]
    assert symbols == ['"Gm"', '"Cm"', '"D7"', '"Eb"', '"Cm"', '"D"', '"Gm"']
    # under "D7" the seventh degree stays F#, the leading note; under "Cm" it is F natural
    classes = {bar: [n.midi % 12 for n in tune_notes(minor) if n.bar == bar] for bar in (2, 3)}
    assert classes[2] == [0, 10, 0, 2, 3, 6, 7, 3]  # "Cm" c Bb c d, "D7" eb f# g eb
    assert classes[3] == [2, 10, 7, 10, 0, 9, 5, 9]  # "Eb" d Bb G Bb, "Cm" c A F A


def test_real_tunes_with_chord_symbols_change_mode_into_valid_tunes() -> None:
    for name, abc in corpus_tunes(8, with_chords=True):
        minor = change_mode(abc, "minor")
        assert validate_abc(minor, check_abc2midi=False).valid, name
        assert len(parsed_tune(minor).chord_symbols) == len(parsed_tune(abc).chord_symbols)
