"""Constrained sampling: every sampled tune is valid by construction.

A `ConstraintMachine` walks the bars the tune must have. Inside a bar only notes and rests may
come, of lengths that fit what is left of the bar exactly (and leave a remainder other lengths can
fill), pitches inside the instrument's range and in the mode's scale (plus the accidentals real
tunes in that mode use), and the bar's last note ends a section on the tonic triad (the tune on the
tonic). Bar lines, repeats and the end are forced where the structure puts them. Sampling is
seeded, with temperature and nucleus (top-p) settings; rows of a batch run in lockstep with one
key/value cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from tunesmith.tools.melody_model.vocab import (
    BOS,
    CONTINUED,
    HIGHEST_STEP,
    LOWEST_STEP,
    PAD,
    UNITS_PER_WHOLE,
    parse_note,
    vocabulary,
)

SCALE_OUTSIDE_SHARE = 0.01  # a pitch class outside the mode's scale is allowed when real tunes in the mode use it this often
LENGTH_SHARE = 0.002  # note lengths rarer than this in the meter's tunes are not sampled
MIN_FINAL_UNITS = 12  # a section's last note lasts at least an eighth (in bars of a quarter or more)


@dataclass(frozen=True)
class FreeBar:
    """A bar to sample: its length (1/96 whole notes) and, when it ends a section, the pitch classes
    (steps from the tonic mod 12) its last note may have."""

    units: int
    cadence: frozenset[int] | None = None
    section: int = 0
    opens_section: bool = False  # a section does not start with a rest
    downbeat: frozenset[int] | None = None  # pitch classes the first note may have (the bar's chord)
    approach: frozenset[int] | None = None  # steps the last note may have (a step into the note that follows)


@dataclass(frozen=True)
class Forced:
    """Tokens written as given (bar lines, <eos>, a repeated section); `copy_of` names a section whose
    sampled bars are copied here instead."""

    tokens: tuple[str, ...] = ()
    copy_of: int | None = None


Segment = FreeBar | Forced


@dataclass(frozen=True)
class PitchRules:
    """Which steps (semitones from the reference tonic) may be sampled, and which note lengths."""

    steps: frozenset[int]
    lengths: tuple[int, ...]


def mode_pitch_classes(mode: str, facts: dict) -> set[int]:
    """The mode's scale (steps from the tonic mod 12) plus pitch classes real tunes in that mode use
    at least SCALE_OUTSIDE_SHARE of the time."""
    from tunesmith.tools.theory import MODE_SEMITONES

    allowed = set(MODE_SEMITONES[mode])
    shares = facts.get("mode_pitch_classes", {}).get(mode, {})
    allowed |= {int(pc) for pc, share in shares.items() if share >= SCALE_OUTSIDE_SHARE}
    return allowed


def cadence_classes(mode: str, final: bool) -> frozenset[int]:
    """Pitch classes a section may end on: the tonic for the tune's end, the tonic triad elsewhere."""
    from tunesmith.tools.theory import MODE_SEMITONES

    scale = MODE_SEMITONES[mode]
    return frozenset({0}) if final else frozenset({0, scale[2], scale[4]})


def meter_lengths(meter: str, facts: dict, bar_units: int) -> tuple[int, ...]:
    """Note lengths (units) real tunes in this meter use at least LENGTH_SHARE of the time, up to a bar."""
    shares = facts.get("meter_lengths", {}).get(meter, {})
    lengths = sorted(int(units) for units, share in shares.items() if share >= LENGTH_SHARE and int(units) <= bar_units)
    return tuple(lengths) or tuple(u for u in (6, 12, 24, 36, 48) if u <= bar_units)


def bar_units(meter: str) -> int:
    """A bar of `meter` in 1/96 whole notes."""
    return int(Fraction(meter) * UNITS_PER_WHOLE)


@lru_cache(maxsize=64)
def _fillable(lengths: tuple[int, ...], total: int) -> tuple[bool, ...]:
    """fillable[r]: r units can be made of these lengths (r = 0 always)."""
    reach = [False] * (total + 1)
    reach[0] = True
    for r in range(1, total + 1):
        reach[r] = any(length <= r and reach[r - length] for length in lengths)
    return tuple(reach)


class _VocabTables:
    """Per token id: its step (or None), its length in units (0 for non-notes)."""

    def __init__(self):
        import torch

        vocab = vocabulary()
        self.size = len(vocab)
        self.ids = vocab.ids
        steps, units, rest = [], [], []
        for token in vocab.tokens:
            note = parse_note(token)
            steps.append(note[0] if note and note[0] is not None else -999)
            units.append(note[1] if note else 0)
            rest.append(bool(note) and note[0] is None)
        self.step = torch.tensor(steps)
        self.units = torch.tensor(units)
        self.rest = torch.tensor(rest)
        self.note = self.units > 0


@lru_cache(maxsize=1)
def vocab_tables() -> _VocabTables:
    return _VocabTables()


@dataclass
class ConstraintMachine:
    """Walks `segments`; `allowed()` is a bool mask over the vocabulary or one forced token id."""

    segments: list[Segment]
    rules: PitchRules
    index: int = 0
    position: int = 0  # in a Forced segment: next token; in a FreeBar: units written so far
    events: int = 0  # notes or rests written in the current bar
    pending: list[str] = field(default_factory=list)  # tokens of the Forced segment being written
    sections: dict[int, list[str]] = field(default_factory=dict)  # sampled tokens per section, for copies
    written: list[str] = field(default_factory=list)
    _masks: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.index >= len(self.segments)

    def _enter(self) -> None:
        """Prepare the segment at `index` (resolve a copy into its tokens)."""
        while not self.done:
            segment = self.segments[self.index]
            if isinstance(segment, Forced):
                tokens = list(segment.tokens) if segment.copy_of is None else self.sections.get(segment.copy_of, [])
                if tokens:
                    self.pending = tokens
                    return
                self.index += 1
                continue
            return

    def forced(self) -> int | None:
        """The token id this step must take, or None when the step samples."""
        self._enter()
        if self.done:
            return vocab_tables().ids[PAD]
        if isinstance(self.segments[self.index], Forced):
            return vocab_tables().ids[self.pending[self.position]]
        return None

    def allowed(self):
        """Bool mask over the vocabulary for a sampled step inside a FreeBar."""
        import torch

        bar = self.segments[self.index]
        remaining = bar.units - self.position
        key = (bar.units, remaining, bar.cadence, self.events == 0 and bar.opens_section,
               bar.downbeat if self.events == 0 else None, bar.approach)
        if key in self._masks:
            return self._masks[key]
        tables = vocab_tables()
        fill = _fillable(self.rules.lengths, bar.units)
        lengths = torch.zeros(tables.size, dtype=torch.bool)
        for length in self.rules.lengths:
            if length <= remaining and fill[remaining - length]:
                lengths |= tables.units == length
        pitches = torch.zeros(tables.size, dtype=torch.bool)
        for step in self.rules.steps:
            pitches |= tables.step == step
        mask = lengths & (pitches | tables.rest)
        if bar.cadence is not None:
            completes = tables.units == remaining
            final_ok = torch.zeros(tables.size, dtype=torch.bool)
            for step in self.rules.steps:
                if step % 12 in bar.cadence:
                    final_ok |= tables.step == step
            if remaining >= 2 * MIN_FINAL_UNITS or bar.units >= 24:
                final_ok &= tables.units >= min(MIN_FINAL_UNITS, remaining)
            # A note that completes the bar must be a cadence note; a shorter one must leave room for it.
            mask &= ~completes | final_ok
            leaves_room = (remaining - tables.units) >= min(MIN_FINAL_UNITS, remaining)
            mask &= completes | leaves_room
        if bar.approach is not None:
            into_next = torch.zeros(tables.size, dtype=torch.bool)
            for step in bar.approach & self.rules.steps:
                into_next |= tables.step == step
            completes = tables.units == remaining
            if bool((mask & completes & into_next).any()):
                mask &= ~completes | into_next
        if self.events == 0 and bar.opens_section:
            mask &= ~tables.rest
        if self.events == 0 and bar.downbeat is not None:
            chord_tones = torch.zeros(tables.size, dtype=torch.bool)
            for step in self.rules.steps:
                if step % 12 in bar.downbeat:
                    chord_tones |= tables.step == step
            if bool((mask & chord_tones).any()):
                mask &= chord_tones
        if not bool(mask.any()):  # no cadence note fits: fall back to any note that fits the bar
            mask = lengths & pitches
        self._masks[key] = mask
        return mask

    def advance(self, token_id: int) -> None:
        """Record the token taken at this step."""
        token = vocabulary().tokens[token_id]
        if self.done:
            return
        segment = self.segments[self.index]
        self.written.append(token)
        if isinstance(segment, Forced):
            self.position += 1
            if segment.copy_of is None:
                self._record(token)
            if self.position >= len(self.pending):
                self.index, self.position, self.pending = self.index + 1, 0, []
            return
        self._record(token, segment.section)
        self.position += int(vocab_tables().units[token_id])
        self.events += 1
        if self.position >= segment.units:
            self.index, self.position, self.events = self.index + 1, 0, 0

    def _record(self, token: str, section: int | None = None) -> None:
        if section is None:
            # A bar line inside a section belongs to it; section-closing lines are left out of copies.
            following = self.segments[self.index + 1] if self.index + 1 < len(self.segments) else None
            if isinstance(following, FreeBar) and token == "|":
                self.sections.setdefault(following.section, []).append(token)
            return
        self.sections.setdefault(section, []).append(token)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread meanwhile: the network's many small steps lose more to thread hand-offs
    than they gain (2.5x slower on two threads of a shared 2-core machine, measured)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def decode(network, prompts: list[list[str]], machines: list[ConstraintMachine], *, seed: int,
           temperature: float = 1.0, top_p: float = 1.0, restart: list[str] | None = None) -> list[list[str]]:
    """Sample one continuation per prompt under its machine; returns the tokens each machine wrote.

    Prompts may differ in length (left-padded, masked). When a row reaches the network's context,
    every row restarts from `restart` (<bos> controls <cont>) plus its latest tokens.
    """
    with one_thread():
        return _decode(network, prompts, machines, seed=seed, temperature=temperature, top_p=top_p, restart=restart)


def _decode(network, prompts, machines, *, seed, temperature, top_p, restart):
    import torch

    vocab = vocabulary()
    context = network.config.context
    generator = torch.Generator().manual_seed(seed)
    rows = len(prompts)
    encoded = [vocab.encode(p) for p in prompts]
    caches, valid, positions, logits = _prime(network, encoded)
    step_count = 0
    while not all(m.done for m in machines):
        chosen = []
        scaled = torch.log_softmax(logits / max(temperature, 1e-3), dim=-1)
        for row, machine in enumerate(machines):
            forced = machine.forced()
            if forced is not None:
                chosen.append(forced)
                continue
            mask = machine.allowed()
            chosen.append(_sample(scaled[row], mask, top_p, generator))
        for row, machine in enumerate(machines):
            machine.advance(chosen[row])
        step_count += 1
        if all(m.done for m in machines):
            break
        if positions.max().item() + 1 >= context:
            tail = context // 2
            fresh = [vocab.encode(restart or [BOS, CONTINUED]) + vocab.encode(m.written[-tail:]) for m in machines]
            caches, valid, positions, logits = _prime(network, fresh)
            continue
        ids = torch.tensor(chosen).view(rows, 1)
        positions = positions + 1
        valid = torch.cat([valid, torch.ones(rows, 1, dtype=torch.bool)], dim=1)
        with torch.inference_mode():
            logits = network(ids, positions=positions, mask=valid[:, None, None, :], caches=caches)[:, -1]
    return [m.written for m in machines]


def _prime(network, encoded: list[list[int]]):
    """Read the (left-padded) prompts; returns caches, the valid-key mask, last positions and logits."""
    import torch

    rows, longest = len(encoded), max(len(e) for e in encoded)
    pad = vocab_tables().ids[PAD]
    ids = torch.tensor([[pad] * (longest - len(e)) + e for e in encoded])
    offsets = torch.tensor([longest - len(e) for e in encoded]).view(rows, 1)
    index = torch.arange(longest).view(1, longest)
    valid = index >= offsets
    positions = (index - offsets).clamp(min=0)
    causal = torch.ones(longest, longest, dtype=torch.bool).tril()
    mask = causal[None, None] & valid[:, None, None, :]
    mask |= torch.eye(longest, dtype=torch.bool)[None, None]  # pad rows attend to themselves: no NaN
    caches = [[] for _ in network.blocks]
    with torch.inference_mode():
        logits = network(ids, positions=positions, mask=mask, caches=caches)[:, -1]
    return caches, valid, positions[:, -1:], logits


def _sample(log_probs, mask, top_p: float, generator) -> int:
    """One token among those `mask` allows, from the nucleus (top-p) of their renormalised distribution."""
    import torch

    allowed = mask.nonzero().squeeze(1)
    probs = torch.softmax(log_probs[allowed], dim=-1)
    if top_p < 1.0 and len(allowed) > 1:
        ordered, order = probs.sort(descending=True)
        keep = int(((ordered.cumsum(0) - ordered) < top_p).sum())
        allowed, probs = allowed[order[:keep]], ordered[:keep]
    return int(allowed[torch.multinomial(probs, 1, generator=generator)])


def pitch_rules(mode: str, meter: str, facts: dict, reference: int, low: int, high: int) -> PitchRules:
    """Steps inside MIDI low..high and the mode's pitch classes; lengths of the meter."""
    classes = mode_pitch_classes(mode, facts)
    steps = frozenset(s for s in range(LOWEST_STEP, HIGHEST_STEP + 1)
                      if low <= reference + s <= high and s % 12 in classes)
    return PitchRules(steps, meter_lengths(meter, facts, bar_units(meter)))


