"""The user's own tune: play, score, check, convert, analyse and tune books, on real corpus tunes and on
deliberately broken ones — through the real agent and tools, with a scripted model that must not be called."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from support.exemplar_sample import use_sample_library
from support.scripted_model import scripted

from tunesmith.agent.session import ChatSession
from tunesmith.settings import load_settings
from tunesmith.tools.abc import analyse_abc, split_tunes, tune_notes, validate_abc
from tunesmith.tools.tunebook import stops_abc2midi

ONEILLS_JIGS = "oneills1850/0550-0625.abc"


@cache
def corpus_tune(file: str, title_word: str) -> str:
    """A tune from music21's corpus, found by a word of its title, exactly as the file has it."""
    from tunesmith.tools.corpus.reader import music21_abc_files

    path = dict((relative, p) for p, relative in music21_abc_files())[file]
    return next(t for t in split_tunes(path.read_text(encoding="utf-8", errors="replace")) if title_word in t)


def _ask(words: str, tmp_path: Path, **files: Path):
    """One turn on a fresh session whose model fails the test if the agent calls it."""
    session = ChatSession.start(scripted(), load_settings())
    return session.ask(words, user_files=files)


def _trace(outcome) -> dict:
    return json.loads((outcome.folder / "trace.json").read_text())


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_play_this_tune_plays_a_valid_corpus_tune_exactly_as_written_without_a_model_call(tmp_path: Path) -> None:
    tune = corpus_tune(ONEILLS_JIGS, "Biddy is my Darling")
    outcome = _ask("play this tune", tmp_path, abc=_file(tmp_path, "biddy.abc", tune))
    assert (outcome.intent, outcome.status) == ("play", "done")
    assert (outcome.folder / "tune.abc").read_text() == tune.rstrip() + "\n", "byte for byte the tune given"
    assert (outcome.folder / "tune.wav").stat().st_size > 10_000 and (outcome.folder / "score.svg").is_file()
    trace = _trace(outcome)
    assert trace["llm_steps"] == [] and [c["name"] for c in trace["tool_calls"]] == ["play_tune"]
    assert "nothing changed" in outcome.reply
    assert "nothing was changed" in (outcome.folder / "explanation.md").read_text()


def test_wrong_bar_lengths_are_reported_but_not_rewritten_when_abc2midi_plays_them(tmp_path: Path) -> None:
    tune = corpus_tune(ONEILLS_JIGS, "Grumguffenhoff")
    assert not validate_abc(tune).valid
    outcome = _ask("play this", tmp_path, abc=_file(tmp_path, "grum.abc", tune))
    assert outcome.status == "done"
    assert (outcome.folder / "tune.abc").read_text() == tune.rstrip() + "\n"
    checked = _ask("is this valid?", tmp_path, abc=_file(tmp_path, "grum.abc", tune))
    assert checked.intent == "check" and "1 error" in checked.reply and "bar 1" in checked.reply
    assert "12 eighths in 6/8" in checked.reply
    assert (checked.folder / "repaired.abc").is_file(), "a repaired version is offered"
    assert (checked.folder / "tune.abc").read_text() == tune.rstrip() + "\n", "but the user's tune is kept"


def test_a_tune_without_a_key_line_is_repaired_only_there_and_the_repair_is_named(tmp_path: Path) -> None:
    broken = "X:1\nT:No key\nM:6/8\nL:1/8\nDFA dFA|GBd gfe|DFA dFA|GBA G3|]\n"
    outcome = _ask("play this tune", tmp_path, abc=_file(tmp_path, "nokey.abc", broken))
    assert outcome.status == "done"
    played = (outcome.folder / "tune.abc").read_text()
    as_read = broken.replace("L:1/8\n", "L:1/8\nK:C\n")  # no K: line means no sharps or flats
    assert [n.midi for n in tune_notes(played)] == [n.midi for n in tune_notes(as_read)], "every pitch as written"
    assert "K:" in outcome.reply and "repaired" in outcome.reply
    explanation = (outcome.folder / "explanation.md").read_text()
    assert "could not play it as written" in explanation and "K:" in explanation


def test_unknown_decorations_are_played_as_written(tmp_path: Path) -> None:
    tune = "X:1\nT:Decorated\nM:6/8\nL:1/8\nK:D\n!foo!DFA !bar!dFA|GBd gfe|DFA dFA|GBA G3|]\n"
    outcome = _ask("let me hear it", tmp_path, abc=_file(tmp_path, "deco.abc", tune))
    assert outcome.status == "done" and (outcome.folder / "tune.abc").read_text() == tune


def test_typographic_quotes_that_stop_abc2midi_are_repaired_before_playing(tmp_path: Path) -> None:
    # Overlap: the robust helper's ABC core may read “D” as a chord symbol; either way it must play.
    tune = "X:1\nT:Curly “quotes” – and dashes\nM:6/8\nL:1/8\nK:D\nDFA dFA|GBd gfe|“D”DFA dFA|GBA G3|]\n"
    outcome = _ask("play this tune", tmp_path, abc=_file(tmp_path, "typo.abc", tune))
    assert outcome.status == "done" and (outcome.folder / "tune.wav").is_file()
    assert stops_abc2midi(validate_abc((outcome.folder / "tune.abc").read_text())) == []


def test_fix_it_repairs_every_error_of_the_tune_and_plays_the_repaired_tune(tmp_path: Path) -> None:
    tune = corpus_tune(ONEILLS_JIGS, "Grumguffenhoff")
    outcome = _ask("please fix it", tmp_path, abc=_file(tmp_path, "grum.abc", tune))
    assert (outcome.intent, outcome.status) == ("repair", "done") and validate_abc(outcome.abc).valid
    assert "bar 1" in outcome.reply and (outcome.folder / "tune.wav").is_file()


def test_show_me_the_score_engraves_svg_and_pdf_and_musicxml_when_asked(tmp_path: Path) -> None:
    abc = _file(tmp_path, "biddy.abc", corpus_tune(ONEILLS_JIGS, "Biddy is my Darling"))
    outcome = _ask("show me the score", tmp_path, abc=abc)
    assert (outcome.intent, outcome.status) == ("score", "done") and (outcome.folder / "score.svg").is_file()
    pdf = _ask("show me the sheet music as PDF and MusicXML", tmp_path, abc=abc)
    assert (pdf.folder / "score.pdf").read_bytes().startswith(b"%PDF")
    assert "<score-partwise" in (pdf.folder / "score.musicxml").read_text()


def test_what_is_wrong_with_bar_7_lists_only_that_bar_with_its_line(tmp_path: Path) -> None:
    tune = ("X:1\nT:Two slips\nM:3/4\nL:1/8\nK:G\nG2 B2 d2|c2 A2 F2|G2 B2 d2|e2 d2 B2|\n"
            "c2 A2 F2|G2 B2 d2|A2 F2 D2 E2|G6|]\n")
    outcome = _ask("what's wrong with bar 7?", tmp_path, abc=_file(tmp_path, "slips.abc", tune))
    assert outcome.status == "done"
    assert "bar 7" in outcome.reply and "line 7" in outcome.reply and "4 beats in 3/4" in outcome.reply
    assert "bar 1:" not in outcome.reply


def test_convert_to_midi_and_musicxml_and_abc_from_a_midi(tmp_path: Path) -> None:
    abc = _file(tmp_path, "biddy.abc", corpus_tune(ONEILLS_JIGS, "Biddy is my Darling"))
    midi = _ask("convert it to MIDI", tmp_path, abc=abc)
    assert (midi.intent, midi.status) == ("convert", "done") and (midi.folder / "tune.mid").stat().st_size > 100
    xml = _ask("export as MusicXML", tmp_path, abc=abc)
    assert (xml.folder / "tune.musicxml").is_file()
    back = _ask("ABC from this MIDI please", tmp_path, midi=midi.folder / "tune.mid")
    assert (back.intent, back.status) == ("convert", "done")
    transcribed = (back.folder / "tune.abc").read_text()
    assert analyse_abc(transcribed).meter == "6/8" and "midi2abc" in back.reply + (back.folder / "explanation.md").read_text()


def test_what_key_and_what_kind_of_tune_answer_with_evidence_from_the_library(tmp_path: Path, monkeypatch) -> None:
    use_sample_library(monkeypatch)
    abc = _file(tmp_path, "biddy.abc", corpus_tune(ONEILLS_JIGS, "Biddy is my Darling").replace("R:jig\n", ""))
    key = _ask("what key is this in?", tmp_path, abc=abc)
    assert (key.intent, key.status) == ("analyse", "done") and "key G major" in key.reply
    kind = _ask("what kind of tune is it?", tmp_path, abc=abc)
    assert "most likely a jig" in kind.reply and "library tunes in 6/8" in kind.reply


BOOK = """%abc-2.1
X:1
T:First Reel
M:4/4
L:1/8
K:D
ABcd efga|gfed cBAG|ABcd efga|gfed d4|]

X:7
T:Drowsy Maggie
M:4/4
L:1/8
K:Edor
E2BE dEBE|E2BE AFDF|E2BE dEBE|BABc dAFD|]

X:9
T:Broken One
M:4/4
L:1/8
K:G
GABc dedB|dedB dedB|c2ec B2dB|c2A2 A4 A2|]
"""


def test_a_tune_book_is_listed_and_tunes_are_picked_by_number_x_or_title(tmp_path: Path) -> None:
    book = _file(tmp_path, "book.abc", BOOK)
    listing = _ask("list the tunes", tmp_path, abc=book)
    assert listing.intent == "list" and "1. X:1 First Reel; 2. X:7 Drowsy Maggie; 3. X:9 Broken One" in listing.reply
    second = _ask("play the second one", tmp_path, abc=book)
    assert analyse_abc(second.abc).title == "Drowsy Maggie" and second.status == "done"
    by_x = _ask("X:9", tmp_path, abc=book)
    assert analyse_abc(by_x.abc).title == "Broken One"
    by_title = _ask("play Drowsy Maggie", tmp_path, abc=book)
    assert analyse_abc(by_title.abc).title == "Drowsy Maggie"


def test_checking_all_tunes_of_a_book_reports_each(tmp_path: Path) -> None:
    outcome = _ask("check all of them", tmp_path, abc=_file(tmp_path, "book.abc", BOOK))
    assert outcome.status == "done"
    assert "'First Reel'" in outcome.reply and "'Drowsy Maggie'" in outcome.reply
    assert "'Broken One' (X:9 3 of 3 in book.abc) has 1 error" in outcome.reply
    assert "line 6, bar 4: 5 beats in 4/4" in (outcome.folder / "explanation.md").read_text()


def test_a_tune_number_the_book_does_not_have_fails_with_one_sentence_naming_what_it_holds(tmp_path: Path) -> None:
    outcome = _ask("play the fifth one", tmp_path, abc=_file(tmp_path, "book.abc", BOOK))
    assert outcome.status == "failed" and outcome.abc is None
    assert outcome.reply.startswith("The file holds 3 tunes") and "Drowsy Maggie" in outcome.reply


def test_a_file_that_is_not_abc_is_refused_before_the_turn_and_the_cli_exits_2(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from tunesmith.agent.intake import IntakeError
    from tunesmith.cli import app

    prose = _file(tmp_path, "letter.abc", "Dear friend, here is the tune I promised you.\n")
    with pytest.raises(IntakeError, match="letter.abc holds no ABC tune"):
        _ask("play this tune", tmp_path, abc=prose)
    monkeypatch.setattr("tunesmith.cli.chat_model_for", lambda settings: scripted())
    result = CliRunner().invoke(app, ["compose", "play this tune", "--abc", str(prose)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "holds no ABC tune" in result.output.replace("\n", " ")


def test_editing_one_tune_of_a_book_changes_only_that_tune(tmp_path: Path) -> None:
    from support.scripted_model import call

    session = ChatSession.start(scripted([call("edit_abc", instruction="slower"), call("render")]), load_settings())
    outcome = session.ask("make the second one slower", user_files={"abc": _file(tmp_path, "book.abc", BOOK)})
    assert outcome.status == "done"
    edited = analyse_abc(outcome.abc)
    assert edited.title == "Drowsy Maggie" and edited.tempo_bpm is not None


def test_unclear_words_with_an_attached_tune_validate_and_play_it(tmp_path: Path) -> None:
    tune = corpus_tune(ONEILLS_JIGS, "Biddy is my Darling")
    outcome = _ask("hmm, here it is", tmp_path, abc=_file(tmp_path, "biddy.abc", tune))
    assert (outcome.intent, outcome.status) == ("play", "done") and (outcome.folder / "tune.wav").is_file()
