"""compose_abc: a plan becomes valid, idiomatic ABC that keeps the plan's key, mode, meter and length."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from tunesmith.tools.abc import ValidationReport, analyse_abc, parse_key, tune_notes, validate_abc
from tunesmith.tools.compose.composer import ComposeError, compose_abc
from tunesmith.tools.compose.melody import BarPlan, IntervalHabits, Note, Voice, realise_bar
from tunesmith.tools.compose.notation import bar_abc
from tunesmith.tools.compose.rhythm import BEAT_CELLS, TUNE_TYPE_CELLS, bar_sixteenths
from tunesmith.tools.critic.critique import critique_abc
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory.harmony import Scale, parse_chord, writable_scale
from tunesmith.tools.theory.meter import COMMON_METERS as METERS
from tunesmith.tools.theory.pitch import TONICS
from tunesmith.tools.theory.pitch import pitch_class as tonic_pitch_class

MODES = ["major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian"]
TUNE_TYPES = [None, "jig", "reel", "waltz", "hornpipe", "polka", "march", "air", "slip jig", "strathspey", "lullaby"]
NUMERALS = ["I", "ii", "IV", "V", "vi", "V7", "bVII", "iv", "VI", "III", "vii°"]

THE_KESH = """X:1
T:The Kesh
R:jig
M:6/8
L:1/8
K:G
GAG GAB|ABA ABd|edd gdd|edB dBA|GAG GAB|ABA ABd|edd gdB|AGF G3|
BAB dBd|ege dBA|BAB dBG|ABA AGA|BAB dBd|ege dBd|gfg aga|bgf g3|]
"""


def random_plan(rng: random.Random, seed: int) -> MusicPlan:
    low = rng.randint(36, 90)
    return MusicPlan(
        title=f"Tune {seed}", key=rng.choice(TONICS), mode=rng.choice(MODES),
        meter=rng.choice([*METERS, "3/2", "6/4", "5/8", "11/8", "2/16"]),
        tempo_bpm=rng.randint(30, 260), bars=rng.randint(2, 128),
        form=rng.choice(["AABB", "AABA", "AB", "A", "ABAC", "ABC", "AAB", "ABCDEFGH"]),
        tune_type=rng.choice(TUNE_TYPES), density=rng.choice(["sparse", "medium", "dense"]),
        contour=rng.choice(["arch", "ascending", "descending", "wave", "flat"]),
        chords=rng.sample(NUMERALS, rng.randint(1, 6)) if rng.random() < 0.3 else [],
        low_pitch=low, high_pitch=min(108, low + rng.randint(0, 30)) if rng.random() < 0.9 else rng.randint(21, 108),
        instrument=rng.choice(["piano", "violin", "flute", "fiddle", "harp", "accordion"]), seed=seed,
    )


def bar_rhythms(abc: str) -> dict[int, tuple[int, ...]]:
    """Bar number -> note durations in sixteenths."""
    bars = defaultdict(list)
    for event in tune_notes(abc):
        bars[event.bar].append(int(event.duration * 4))
    return {number: tuple(cell) for number, cell in bars.items()}


def measured_adherence(report: ValidationReport, plan: MusicPlan) -> dict[str, bool]:
    """Key (as pitch class), mode, meter and bar count as the validator read them from the ABC text."""
    key = parse_key(report.headers["K"])
    return {
        "key": tonic_pitch_class(key.tonic) == tonic_pitch_class(plan.key),
        "mode": key.mode == plan.mode,
        "meter": report.headers["M"] == plan.meter,
        "bars": report.bars == plan.bars,
    }


@pytest.mark.slow
def test_a_thousand_random_plans_all_give_valid_abc_with_the_plans_key_mode_meter_and_bars() -> None:
    rng = random.Random(2024)
    failures = []
    for seed in range(1000):
        plan = random_plan(rng, seed)
        tune = compose_abc(plan)
        report = validate_abc(tune.abc, check_abc2midi=False)
        adherence = measured_adherence(report, plan)
        if not report.valid or not all(adherence.values()):
            failures.append((plan, [p.message for p in report.problems], adherence))
    assert failures == []


def test_abc2midi_accepts_composed_tunes_without_errors() -> None:
    rng = random.Random(7)
    for seed in range(15):
        report = validate_abc(compose_abc(random_plan(rng, seed)).abc, check_abc2midi=True)
        assert report.valid, [p.message for p in report.problems]


def test_the_critic_finds_full_adherence_and_a_tonic_ending() -> None:
    rng = random.Random(31)
    for seed in range(25):
        plan = random_plan(rng, seed).model_copy(update={"low_pitch": 57, "high_pitch": 81})
        critique = critique_abc(compose_abc(plan).abc, plan)
        scores = {d.name: d.score for d in critique.adherence + critique.quality}
        assert critique.valid, critique.feedback
        assert all(scores[name] == 1.0 for name in ("mode", "meter", "bars", "tempo", "range", "instrument", "cadence")), scores
        assert scores["key"] >= 0.7, scores  # K: is right; 1.0 also needs the Krumhansl estimate to agree


def test_every_random_tune_ends_on_its_tonic() -> None:
    rng = random.Random(12)
    for seed in range(80):
        plan = random_plan(rng, seed)
        last = [e.midi for e in tune_notes(compose_abc(plan).abc) if e.midi is not None][-1]
        assert last % 12 == tonic_pitch_class(plan.key), plan


def test_major_and_minor_tunes_centre_on_their_tonic() -> None:
    rng = random.Random(8)
    centred = 0
    for seed in range(40):
        plan = random_plan(rng, seed).model_copy(update={"mode": rng.choice(["major", "minor"])})
        facts = analyse_abc(compose_abc(plan).abc)
        centred += tonic_pitch_class(facts.estimated_key) == tonic_pitch_class(plan.key) and facts.estimated_mode == plan.mode
    assert centred >= 32  # Krumhansl-Schmuckler hears the planned key and mode in at least 80% of tunes


def test_melody_stays_inside_the_planned_range() -> None:
    rng = random.Random(11)
    for seed in range(30):
        plan = random_plan(rng, seed).model_copy(update={"low_pitch": 55, "high_pitch": 55 + rng.randint(12, 30)})
        pitches = [e.midi for e in tune_notes(compose_abc(plan).abc) if e.midi is not None]
        assert plan.low_pitch <= min(pitches) and max(pitches) <= plan.high_pitch


def test_same_plan_and_seed_give_identical_abc() -> None:
    plan = MusicPlan(key="G", mode="major", meter="6/8", tune_type="jig", bars=16, seed=42)
    assert compose_abc(plan).abc == compose_abc(plan.model_copy()).abc


def test_different_seeds_give_different_tunes() -> None:
    plan = MusicPlan(key="G", mode="major", meter="4/4", tune_type="reel", bars=16)
    melodies = {tuple(e.midi for e in tune_notes(compose_abc(plan.model_copy(update={"seed": s})).abc)) for s in range(8)}
    assert len(melodies) == 8


def test_jig_request_yields_6_8_meter_in_d_major_in_quaver_groups() -> None:
    plan = MusicPlan(title="Jig", key="D", mode="major", meter="6/8", tune_type="jig", bars=16, tempo_bpm=116)
    abc = compose_abc(plan).abc
    assert "M:6/8" in abc and "K:D\n" in abc and "Q:3/8=116" in abc and "R:jig" in abc
    notes = [e for e in tune_notes(abc) if e.midi is not None]
    quavers = sum(1 for e in notes if e.duration == 0.5)
    assert quavers / len(notes) > 0.6  # mostly groups of three quavers


def test_reel_runs_in_quavers_and_air_moves_in_long_notes() -> None:
    def notes_per_bar(tune_type: str, meter: str, density: str) -> float:
        plan = MusicPlan(tune_type=tune_type, meter=meter, density=density, bars=16, seed=3)
        return len(tune_notes(compose_abc(plan).abc)) / 16

    assert notes_per_bar("reel", "4/4", "dense") >= 7
    assert notes_per_bar("air", "4/4", "sparse") <= 4


def test_waltz_bars_are_three_beats_often_a_minim_and_a_crotchet() -> None:
    abc = compose_abc(MusicPlan(tune_type="waltz", meter="3/4", bars=16, seed=5)).abc
    by_bar = defaultdict(list)
    for event in tune_notes(abc):
        by_bar[event.bar].append(event.duration)
    assert all(sum(durations) == 3 for durations in by_bar.values())
    assert any(durations[:1] == [2.0] for durations in by_bar.values())


def test_every_section_ends_on_the_tonic_with_a_long_note() -> None:
    for mode, tonic_class in [("major", 7), ("minor", 7), ("dorian", 7)]:
        plan = MusicPlan(key="G", mode=mode, meter="4/4", form="AABB", bars=16, seed=9)
        by_bar = defaultdict(list)
        for event in tune_notes(compose_abc(plan).abc):
            by_bar[event.bar].append(event)
        for section_end in (4, 8, 12, 16):
            last = by_bar[section_end][-1]
            assert last.midi % 12 == tonic_class and last.duration >= 1


def test_downbeats_are_chord_tones() -> None:
    scale = Scale("D", "minor")
    voice = Voice(scale, "4/4", 60, 84, IntervalHabits.default())
    rng = random.Random(0)
    for numeral in ("i", "iv", "V", "VI", "VII", "V7"):
        chord = parse_chord(numeral, scale)
        tones = {scale.midi(d, a) % 12 for d, a in chord.tones}
        for _ in range(30):
            notes = realise_bar(BarPlan(chord, (2, 2, 2, 2, 2, 2, 2, 2), 3.0, 5.0), [], voice, rng)
            assert scale.midi(notes[0].step, notes[0].alteration) % 12 in tones
            assert scale.midi(notes[4].step, notes[4].alteration) % 12 in tones  # mid-bar accent


def test_minor_dominant_raises_the_leading_note() -> None:
    plan = MusicPlan(key="D", mode="minor", meter="4/4", bars=8, form="A", chords=["i", "V", "i", "V"], seed=1)
    abc = compose_abc(plan).abc
    assert "K:Dm\n" in abc and '"A"' in abc  # K: as tools.theory.keys writes it (Dm, not Dmin)
    pitch_classes = {e.midi % 12 for e in tune_notes(abc) if e.midi is not None}
    assert 1 in pitch_classes  # C sharp over the A major chord


def test_planned_chords_appear_as_chord_symbols_in_order() -> None:
    plan = MusicPlan(key="G", mode="major", meter="3/4", bars=4, form="A", chords=["I", "IV", "V7", "I"])
    body = compose_abc(plan).abc.split("K:G\n")[1]
    symbols = [part.split('"')[0] for part in body.split('"')[1::2]]
    assert symbols == ["G", "C", "D7", "G"]


def test_unknown_chord_numeral_is_refused_with_its_name_and_valid_examples() -> None:
    with pytest.raises(ComposeError, match=r"'X7' is not a roman-numeral chord; use e\.g\. I, ii"):
        compose_abc(MusicPlan(chords=["I", "X7"]))


def test_chord_that_would_need_triple_sharps_is_refused_clearly() -> None:
    with pytest.raises(ComposeError, match=r"'#III' in C# major needs triple accidentals"):
        compose_abc(MusicPlan(key="C#", chords=["I", "#III"]))


def test_key_that_needs_double_sharps_is_written_as_its_enharmonic_twin_and_says_so() -> None:
    tune = compose_abc(MusicPlan(key="D#", mode="major", bars=8))
    assert "K:Eb\n" in tune.abc
    assert any("enharmonic" in choice and "Eb major" in choice for choice in tune.choices)


def test_narrow_range_is_widened_to_an_octave_and_the_choice_is_recorded() -> None:
    tune = compose_abc(MusicPlan(key="C", low_pitch=64, high_pitch=64, bars=8))
    pitches = [e.midi for e in tune_notes(tune.abc)]
    assert max(pitches) - min(pitches) <= 12
    assert any("widened" in choice for choice in tune.choices)


def test_form_with_more_sections_than_bars_still_gives_the_planned_bars() -> None:
    tune = compose_abc(MusicPlan(form="AABB", bars=2))
    assert analyse_abc(tune.abc).bars == 2 and validate_abc(tune.abc, check_abc2midi=False).valid


def test_returning_section_repeats_its_opening_bars() -> None:
    plan = MusicPlan(form="AABA", bars=32, meter="4/4", seed=4)
    by_bar = defaultdict(list)
    for event in tune_notes(compose_abc(plan).abc):
        by_bar[event.bar].append((event.midi, event.duration))
    for start in (9, 25):  # second and last A
        assert [by_bar[start + i] for i in range(4)] == [by_bar[1 + i] for i in range(4)]
    assert [by_bar[17 + i] for i in range(4)] != [by_bar[1 + i] for i in range(4)]  # B is new


def test_instrument_becomes_a_midi_program_line() -> None:
    assert "%%MIDI program 40\n" in compose_abc(MusicPlan(instrument="violin")).abc


def test_exemplar_rhythm_cells_are_used_and_credited() -> None:
    distinctive = THE_KESH.replace("GAG GAB|ABA ABd|", "G3 A2B|A3 B2d|")
    tune = compose_abc(MusicPlan(key="D", meter="6/8", bars=16, seed=2), [distinctive])
    assert tune.exemplar_titles == ["The Kesh"]
    assert any("rhythm" in choice and "'The Kesh'" in choice for choice in tune.choices)
    exemplar_cells = set(bar_rhythms(distinctive).values())
    assert (6, 4, 2) in exemplar_cells
    moving_bars = [cell for number, cell in bar_rhythms(tune.abc).items() if number % 4]  # phrase ends are cadences
    assert all(cell in exemplar_cells for cell in moving_bars)


def test_real_corpus_jigs_as_exemplars_give_a_valid_jig_that_credits_them() -> None:
    from pathlib import Path

    import music21

    from tunesmith.tools.abc import parse_headers, split_tunes

    folder = Path(music21.__file__).parent / "corpus" / "ryansMammoth"
    jigs = [t for f in sorted(folder.glob("*Jig.abc"))[:8] for t in split_tunes(f.read_text(errors="replace"))
            if parse_headers(t).get("M") == "6/8"][:3]
    tune = compose_abc(MusicPlan(key="D", meter="6/8", tune_type="jig", bars=16, seed=1), jigs)
    assert len(tune.exemplar_titles) == 3
    assert validate_abc(tune.abc).valid
    credited = " ".join(tune.choices)
    assert "interval habits from" in credited and all(title in credited for title in tune.exemplar_titles)
    exemplar_cells = {cell for jig in jigs for cell in bar_rhythms(jig).values()}
    assert all(cell in exemplar_cells for number, cell in bar_rhythms(tune.abc).items() if number % 4)


def test_interval_habits_follow_the_exemplars() -> None:
    stepwise = "X:1\nT:Steps\nM:6/8\nL:1/8\nK:D\n" + "DEF GAB|cBA GFE|" * 8 + "\n"
    leaping = "X:1\nT:Leaps\nM:6/8\nL:1/8\nK:D\n" + "DFA dAF|DAd fdA|" * 8 + "\n"

    def step_share(exemplar: str) -> float:
        sizes = Counter()
        for seed in range(6):
            pitches = [e.midi for e in tune_notes(compose_abc(MusicPlan(meter="6/8", bars=16, seed=seed), [exemplar]).abc)]
            sizes.update(abs(b - a) for a, b in zip(pitches, pitches[1:]))
        return (sizes[1] + sizes[2]) / sum(sizes.values())

    assert step_share(stepwise) > step_share(leaping) + 0.2


def test_unreadable_exemplar_is_skipped_and_said() -> None:
    tune = compose_abc(MusicPlan(bars=8), ["this is not a tune", THE_KESH])
    assert tune.exemplar_titles == ["The Kesh"]
    assert any("exemplar 1 skipped" in choice for choice in tune.choices)


def test_every_rhythm_cell_fills_its_bar_or_beat() -> None:
    for (tune_type, meter), cells in TUNE_TYPE_CELLS.items():
        for cell, _ in cells:
            assert sum(cell) == bar_sixteenths(meter), (tune_type, meter, cell)
    for beat, by_density in BEAT_CELLS.items():
        for cells in by_density.values():
            assert all(sum(cell) == beat for cell, _ in cells)


def test_written_accidentals_read_back_as_the_intended_pitches() -> None:
    rng = random.Random(5)
    for _ in range(300):
        scale, _ = writable_scale(rng.choice(TONICS), rng.choice(MODES))
        notes = [Note(rng.randint(-8, 12), rng.choice([0, 0, 0, 1, -1]), 2) for _ in range(8)]
        abc = f"X:1\nT:t\nM:4/4\nL:1/8\nK:{scale.abc_key()}\n{bar_abc(notes, scale, '4/4')}|]\n"
        assert [e.midi for e in tune_notes(abc)] == [scale.midi(n.step, n.alteration) for n in notes], abc


def test_hornpipe_moves_in_dotted_pairs() -> None:
    cells = bar_rhythms(compose_abc(MusicPlan(tune_type="hornpipe", meter="4/4", bars=16, seed=2)).abc)
    dotted = [cell for number, cell in cells.items() if number % 4 and cell[:2] in ((3, 1), (1, 3))]
    assert len(dotted) >= 8


def test_a_short_b_part_ends_with_the_a_parts_cadence_bar() -> None:
    by_bar = defaultdict(list)
    for event in tune_notes(compose_abc(MusicPlan(form="AB", bars=8, meter="6/8", seed=3)).abc):
        by_bar[event.bar].append((event.midi, event.duration))
    assert by_bar[4] == by_bar[8]
