"""Plan -> tune with the melody model: the plan's form becomes sections the model writes under
constraints, conditioned on the plan (meter, mode, type, sections, bars per section) and on a
retrieved exemplar's opening bars read as a prompt.

The form is written out (plan.bars counts bars as played): consecutive statements of a letter
(the AA of AABB) are one section the model writes with repeat signs, then unfolded; a letter that
returns later with the same length repeats its first statement. Pitches are key-relative, so the
same model writes in every key; the plan's key only sets the reference tonic and the spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tunesmith.tools.melody_model.limits import (
    ModelCannotCompose,
    check_plan,
    model_or_refusal,
    model_tune_type,
    reference_for,
)
from tunesmith.tools.melody_model.prompts import bar_units, exemplar_prefix
from tunesmith.tools.melody_model.sampling import (
    ConstraintMachine,
    Forced,
    FreeBar,
    cadence_classes,
    decode,
    pitch_rules,
)
from tunesmith.tools.melody_model.sampling import (
    bar_units as meter_units,
)
from tunesmith.tools.melody_model.tokens import control_tokens
from tunesmith.tools.melody_model.vocab import BOS, CONTINUED, EOS, parse_note
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory import pitch_class

# Plain sampling from the model's distribution (inside the constraints): a nucleus of 0.95 made tunes
# more likely than real ones and blander in rhythm (note-length entropy 0.98 vs 1.26 bits over 200
# held-out plans); with 1.0 it matches real tunes (1.31 vs 1.29), benchmarks/realism_bench.py.
TEMPERATURE, TOP_P = 1.0, 1.0
EXEMPLAR_BUDGET = 110  # most tokens of an exemplar's opening read before the tune


@dataclass
class Section:
    """A section the model writes: its letter, bars, statements in a row, and the earlier section it repeats."""

    letter: str
    bars: int
    times: int = 1
    copy_of: int | None = None


@dataclass
class Draft:
    """A tune as the model wrote it: the sections and the bars (note tokens) of each written section."""

    sections: list[Section]
    bars: dict[int, list[list[str]]]
    exemplar: str | None = None  # title of the exemplar read as a prompt

    def section_bars(self, index: int) -> list[list[str]]:
        section = self.sections[index]
        return self.bars.get(section.copy_of if section.copy_of is not None else index, [])

    def native(self) -> list[str]:
        """The body as the model reads it: repeated sections between repeat signs, written once."""
        body = ["|:"] if self.sections[0].times > 1 else []
        for index in range(len(self.sections)):
            for number, bar in enumerate(self.section_bars(index)):
                body += (["|"] if number else []) + bar
            body.append(closing_line(self.sections, index))
        return body

    def unfolded(self) -> list[str]:
        """The tune as played: every statement written out, '||' after each, '|]' at the end."""
        body: list[str] = []
        statements = [index for index, s in enumerate(self.sections) for _ in range(s.times)]
        for number, index in enumerate(statements):
            for bar_number, bar in enumerate(self.section_bars(index)):
                body += (["|"] if bar_number else []) + bar
            body.append("|]" if number == len(statements) - 1 else "||")
        return body

    def replaced(self, section: int, first: int, bars: list[list[str]]) -> Draft:
        """A copy with bars `first`.. of a written section replaced."""
        new = {k: [list(b) for b in v] for k, v in self.bars.items()}
        new[section][first:first + len(bars)] = [list(b) for b in bars]
        return Draft(self.sections, new, self.exemplar)


@dataclass
class Frame:
    """What the plan fixes for every draft: meter, mode, pitch rules, controls, how to write the ABC."""

    plan: MusicPlan
    meter: str
    units: int  # one bar in 1/96 whole notes
    reference: int  # MIDI number of the tonic the steps count from
    rules: object  # PitchRules
    controls: list[str]
    sections: list[Section]
    scale: object  # tools.theory.harmony.Scale
    header: list[str]
    downbeats: list[frozenset[int]] | None
    chord_symbols: list[str] | None
    low: int
    high: int
    choices: list[str]
    model_words: str  # what the model is, for the explanation


@dataclass
class ModelTune:
    """A sampled tune: its ABC, the draft it was written from, and the notes on how it was made."""

    abc: str
    draft: Draft
    choices: list[str]

    @property
    def exemplar(self) -> str | None:
        return self.draft.exemplar


def closing_line(sections: list[Section], index: int) -> str:
    """The bar line that ends section `index` in the model's form: a repeat, a double bar or the end."""
    section = sections[index]
    following = sections[index + 1] if index + 1 < len(sections) else None
    if section.times > 1:
        return "::" if following is not None and following.times > 1 else ":|"
    return "|]" if following is None else "|:" if following.times > 1 else "||"


def sections_of(plan: MusicPlan) -> list[Section]:
    """The plan's form as model sections: AABB in 32 bars -> A (8 bars, twice), B (8 bars, twice)."""
    from tunesmith.tools.compose.layout import form_layout

    sections: list[Section] = []
    for letter, bars in form_layout(plan, []):
        if sections and sections[-1].letter == letter and sections[-1].bars == bars and sections[-1].copy_of is None:
            sections[-1].times += 1
            continue
        earlier = next((i for i, s in enumerate(sections) if s.letter == letter and s.bars == bars and s.copy_of is None), None)
        sections.append(Section(letter, bars, 1, earlier))
    return sections


def ends_tune(sections: list[Section], index: int) -> bool:
    """True when section `index` (or a later repeat of it) is the tune's last section."""
    return index == len(sections) - 1 or sections[-1].copy_of == index


def segments_for(sections: list[Section], units: int, mode: str, downbeats: list[frozenset[int]] | None = None) -> list:
    """The constraint machine's walk: bars to sample, bar lines and repeats to force, copies, <eos>."""
    segments: list = []
    if sections[0].times > 1:
        segments.append(Forced(("|:",)))
    for index, section in enumerate(sections):
        if section.copy_of is not None:
            segments.append(Forced(copy_of=section.copy_of))
        else:
            for bar in range(section.bars):
                last = bar == section.bars - 1
                chord = downbeats[bar % len(downbeats)] if downbeats else None
                segments.append(FreeBar(units, cadence_classes(mode, ends_tune(sections, index)) if last else None,
                                        section=index, opens_section=bar == 0, downbeat=chord))
                if not last:
                    segments.append(Forced(("|",)))
        segments.append(Forced((closing_line(sections, index),)))
    segments.append(Forced((EOS,)))
    return segments


def exemplar_prompts(exemplars: Sequence[str], meter: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(title, prompt tokens) for each exemplar in the plan's meter, and notes on the ones left out."""
    from tunesmith.tools.abc import AbcError, parsed_tune
    from tunesmith.tools.melody_model.tokens import TokenizeError, tokenize_parsed

    prompts, notes = [], []
    for number, text in enumerate(exemplars, start=1):
        try:
            tune = parsed_tune(text)
            tokens = tokenize_parsed(tune)
        except (AbcError, TokenizeError, ValueError) as error:
            notes.append(f"exemplar {number} was not read by the melody model: {error}")
            continue
        title = tokens.title or f"exemplar {number}"
        if tokens.meter != meter:
            notes.append(f"exemplar '{title}' is in {tokens.meter}, not {meter}, so the melody model did not read it")
            continue
        prompts.append((title, exemplar_prefix(tokens.controls(), bar_units(tokens.body), EXEMPLAR_BUDGET)))
    return prompts, notes


def _prompt_budget(sections: list[Section], units: int, facts: dict, meter: str, context: int) -> int:
    """Tokens left for an exemplar once the tune itself is expected to fit in the context."""
    shares = facts.get("meter_lengths", {}).get(meter, {})
    mean_length = sum(int(u) * s for u, s in shares.items()) or 12
    expected = sum(s.bars for s in sections if s.copy_of is None) * (units / mean_length + 1) + 16
    return int(context - expected)


def plan_frame(plan: MusicPlan, model) -> Frame:
    """Everything the plan fixes; ModelCannotCompose when the model cannot write it."""
    from tunesmith.tools.compose.layout import abc_header, plan_range
    from tunesmith.tools.theory.harmony import writable_scale

    meter = check_plan(plan, model)
    scale, respelled = writable_scale(plan.key, plan.mode)
    choices = [respelled] if respelled else []
    low, high = plan_range(plan, choices)
    reference = reference_for(pitch_class(scale.tonic), low, high)
    rules = pitch_rules(plan.mode, meter, model.facts, reference, low, high)
    if not rules.steps:
        raise ModelCannotCompose(f"no note of {plan.key} {plan.mode} fits the range MIDI {low}-{high}")
    sections = sections_of(plan)
    downbeats, chord_symbols = _planned_chords(plan, scale)
    controls = control_tokens(meter, plan.mode, model_tune_type(plan.tune_type), [s.bars for s in sections])
    config = model.network.config
    words = (f"a {config.layers}-layer transformer of {model.network.parameter_count() / 1e6:.1f}M parameters trained "
             f"on {model.facts.get('train_tunes', 'the')} real folk tunes of music21's corpus")
    return Frame(plan, meter, meter_units(meter), reference, rules, controls, sections, scale,
                 abc_header(plan, scale.abc_key()), downbeats, chord_symbols, low, high, choices, words)


def render(frame: Frame, draft: Draft) -> str:
    """The draft as ABC under the plan's header, with chord symbols."""
    from tunesmith.tools.melody_model.abc_writer import tune_abc

    body = draft.unfolded()
    chords = _bar_chords(body, frame.chord_symbols, frame.scale, frame.plan.mode, frame.reference)
    return tune_abc(body, meter=frame.meter, tonic=frame.scale.tonic, mode=frame.plan.mode,
                    reference=frame.reference, header=frame.header, chords=chords)


def draft_from(machine: ConstraintMachine, sections: list[Section], exemplar: str | None) -> Draft:
    """The bars of each written section, from what the machine recorded."""
    bars: dict[int, list[list[str]]] = {}
    for index, tokens in machine.sections.items():
        current: list[list[str]] = [[]]
        for token in tokens:
            if token == "|":
                current.append([])
            else:
                current[-1].append(token)
        bars[index] = [b for b in current if b]
    return Draft(sections, bars, exemplar)


def sample_plan(plan: MusicPlan, exemplars: Sequence[str] = (), *, count: int = 1, seed: int | None = None,
                temperature: float = TEMPERATURE, top_p: float = TOP_P, model=None) -> list[ModelTune]:
    """`count` tunes for the plan, sampled in one batch (candidate i reads exemplar i mod the usable ones).

    Raises ModelCannotCompose when the model cannot write the plan or its weights cannot be used.
    """
    model = model_or_refusal(model)
    frame = plan_frame(plan, model)
    prompts, notes = exemplar_prompts(exemplars, frame.meter)
    budget = _prompt_budget(frame.sections, frame.units, model.facts, frame.meter, model.context)
    usable = [(title, tokens) for title, tokens in prompts if len(tokens) <= budget]
    if len(usable) < len(prompts):
        notes.append("the longest exemplars were not read: the tune itself needs the model's context")
    own = [BOS, *frame.controls]
    rows = [(usable[i % len(usable)] if usable else (None, [])) for i in range(count)]
    machines = [ConstraintMachine(segments_for(frame.sections, frame.units, plan.mode, frame.downbeats), frame.rules)
                for _ in rows]
    decode(model.network, [tokens + own for _, tokens in rows], machines,
           seed=plan.seed if seed is None else seed, temperature=temperature, top_p=top_p,
           restart=[*own, CONTINUED])
    tunes = []
    for (title, prompt), machine in zip(rows, machines):
        draft = draft_from(machine, frame.sections, title)
        choices = frame.choices + notes + _explain(plan, frame, title, temperature, top_p,
                                                   plan.seed if seed is None else seed)
        if title:
            shared, total = shared_bars(prompt, draft)
            choices.append(f"borrowing: {shared} of the tune's {total} written bars repeat a bar of '{title}' note "
                           "for note" if shared else f"borrowing: no bar repeats a bar of '{title}' note for note")
        tunes.append(ModelTune(abc=render(frame, draft), draft=draft, choices=choices))
    return tunes


def shared_bars(prompt: list[str], draft: Draft) -> tuple[int, int]:
    """(bars of the draft's written sections that repeat a bar of the prompt note for note, bars written)."""
    from tunesmith.tools.melody_model.prompts import is_bar_token

    exemplar: set[tuple[str, ...]] = set()
    current: list[str] = []
    for token in prompt:
        if is_bar_token(token) or token == EOS:
            if current:
                exemplar.add(tuple(current))
            current = []
        elif parse_note(token) is not None:
            current.append(token)
    written = [tuple(bar) for bars in draft.bars.values() for bar in bars]
    return sum(bar in exemplar for bar in written), len(written)


def _planned_chords(plan: MusicPlan, scale) -> tuple[list[frozenset[int]] | None, list[str] | None]:
    """The plan's chords (one per bar of a section) as downbeat pitch classes and chord symbols."""
    if not plan.chords:
        return None, None
    from tunesmith.tools.compose.layout import ComposeError
    from tunesmith.tools.theory.harmony import parse_chord

    tonic = scale.midi(0)
    classes, symbols = [], []
    for numeral in plan.chords:
        try:
            chord = parse_chord(numeral, scale)
        except ValueError as error:
            raise ComposeError(str(error)) from None
        classes.append(frozenset((scale.midi(degree, alteration) - tonic) % 12 for degree, alteration in chord.tones))
        symbols.append(chord.symbol)
    return classes, symbols


def _bar_chords(body: list[str], planned: list[str] | None, scale, mode: str, reference: int) -> list[str | None]:
    """A chord symbol per bar: the plan's chords in turn, else the mode's chord that best fits the bar."""
    from tunesmith.tools.melody_model.harmonise import chord_for_notes

    bars: list[list[tuple[int, int]]] = [[]]
    for token in body:
        note = parse_note(token)
        if note is not None and note[0] is not None:
            bars[-1].append((reference + note[0], note[1]))
        elif token in ("|", "||", "|]") and bars[-1]:
            bars.append([])
    if not bars[-1]:
        bars.pop()
    symbols: list[str | None] = []
    previous = None
    for index, notes in enumerate(bars):
        symbol = planned[index % len(planned)] if planned else chord_for_notes(notes, scale, mode)
        symbols.append(symbol if symbol != previous else None)
        previous = symbol
    return symbols


def _explain(plan: MusicPlan, frame: Frame, exemplar: str | None, temperature: float, top_p: float,
             seed: int) -> list[str]:
    sections = frame.sections
    form = ", ".join(f"{s.letter} {s.bars} bars" + (f" x{s.times}" if s.times > 1 else "")
                     + (f" (repeats section {sections[s.copy_of].letter})" if s.copy_of is not None else "")
                     for s in sections)
    choices = [
        f"melody: written by the melody model ({frame.model_words}), one note at a time, conditioned on "
        + " ".join(frame.controls),
        f"form {plan.form}: {form}; repeated sections are written out so the tune has {plan.bars} bars as played",
        f"constraints: every bar exactly one bar of {plan.meter}, notes of {plan.key} {plan.mode} (with the "
        f"accidentals real {plan.mode} tunes use) inside MIDI {frame.low}-{frame.high}, each section ending on "
        "the tonic triad and the tune on the tonic",
        f"sampling: temperature {temperature}, nucleus top-p {top_p}, seed {seed}",
    ]
    if exemplar:
        choices.append(f"style: the model read the opening bars of '{exemplar}' (retrieved) as a prompt before "
                       "writing, so its rhythms and turns of phrase shaped the new tune")
    else:
        choices.append("style: no exemplar in this meter was read; the control tokens alone set the style")
    choices.append("chords: the plan's chords on each bar's first note, written as chord symbols" if frame.chord_symbols
                   else "chords: for each bar the chord of the mode that holds most of its notes, played softly by abc2midi")
    return choices
