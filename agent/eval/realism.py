"""Do generated tunes sound like real ones? Held-out real tunes against tunes generated for the same
plans by the melody model, the rule-based composer and a random walk.

Each held-out test tune (the committed split) gives a plan: its key, mode, meter, type, range, its
form (a repeated section is two letters) and its length as played. Every tune is compared as
played (repeats unfolded) through the same tokens, so notation does not tell them apart.

Measures, after Yang & Lerch (2018, "On the evaluation of generative models in music"):
* overlap (0..1) of the distributions of symbolic features between real and generated tunes:
  pooled histograms (pitch class from the tonic, interval, note length, inter-onset interval) and
  per-tune values (pitch range, notes per bar, bar repetition), binned on a common grid;
* a classifier two-sample test: gradient boosting on 15 per-tune features, 5-fold ROC AUC of
  real vs generated (0.5: the classifier cannot tell them apart);
* the critic's plausibility: ROC AUC of the melody model's mean log-likelihood, real vs each source.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction

from pydantic import BaseModel, Field

HISTOGRAMS = ("pitch class", "interval", "note length", "inter-onset interval")
SCALARS = ("pitch range", "notes per bar", "bar repetition")
Bar = list[tuple[int | None, int]]  # (steps from the tonic or None for a rest, length in 1/96 whole notes)


class SourceRealism(BaseModel):
    """One source of tunes compared with the held-out real tunes."""

    source: str
    tunes: int
    classifier_auc: float | None = Field(description="5-fold ROC AUC of real vs this source (0.5 = indistinguishable).")
    classifier_auc_without_endings: float | None = Field(
        None, description="The same test without the two features of the final note (the cadence constraint forces it).")
    plausibility_auc: float | None = Field(description="ROC AUC of the model's log-likelihood, real vs this source.")
    mean_log_likelihood: float | None = Field(description="Mean over tunes of the model's nats/token.")
    overlaps: dict[str, float] = Field(default_factory=dict, description="Feature -> overlap with real tunes, 0..1.")
    features: dict[str, float] = Field(default_factory=dict, description="Means of the per-tune features.")
    valid: float = Field(1.0, description="Share of this source's tunes that are valid ABC.")


class RealismReport(BaseModel):
    """Every source against the same held-out real tunes."""

    plans: int
    sources: list[SourceRealism]
    histograms: dict[str, dict[str, dict[str, float]]] = Field(
        default_factory=dict, description="source -> feature -> bin -> share, for plots.")
    note: str = ""


# ---- tunes as played -------------------------------------------------------------------------------

def played_bars(body: list[str]) -> list[Bar]:
    """The bars of a token body as played: repeats unfolded (first and second endings in turn),
    chord notes left out, tied notes joined."""
    from tunesmith.tools.melody_model.abc_writer import bars_of

    bars, closing = bars_of(body, 0)
    count = len(bars)
    after = [bars[i + 1].before if i + 1 < count else closing for i in range(count)]

    def ends(i: int) -> bool:  # a section ends after bar i
        return i == count - 1 or any(t in (":|", "::", "||", "|]") for t in after[i]) or any(
            t in ("|:", "::") for t in bars[i + 1].before)

    def ending(i: int) -> int | None:
        return next((int(t[1]) for t in bars[i].before if t.startswith("[")), None)

    played: list[int] = []
    index = 0
    while index < count:
        last = index
        while not ends(last):
            last += 1
        section = list(range(index, last + 1))
        index = last + 1
        played += section
        if any(t in (":|", "::") for t in after[last]):
            first_ending = next((i for i in section if ending(i) == 1), None)
            played += section[: section.index(first_ending)] if first_ending is not None else section
            if index < count and ending(index) in (2, 3):
                second = index
                while not ends(second):
                    second += 1
                played += list(range(index, second + 1))
                index = second + 1
    return [_notes(bars[i].events) for i in played]


def _notes(events) -> Bar:
    notes: Bar = []
    tied = False
    for event in events:
        step = event.pitches[0] if event.pitches else None
        if tied and notes and notes[-1][0] == step:
            notes[-1] = (step, notes[-1][1] + event.length)
        else:
            notes.append((step, event.length))
        tied = event.tied
    return notes


# ---- features -------------------------------------------------------------------------------------

def histogram_features(bars: list[Bar]) -> dict[str, Counter]:
    """Pooled counts of pitch class (from the tonic), interval (semitones, ±12), note length and
    inter-onset interval (1/96 whole notes)."""
    notes = [n for bar in bars for n in bar]
    pitches = [s for s, _ in notes if s is not None]
    onsets, position = [], 0
    for step, length in notes:
        if step is not None:
            onsets.append(position)
        position += length
    return {
        "pitch class": Counter(p % 12 for p in pitches),
        "interval": Counter(max(-12, min(12, b - a)) for a, b in zip(pitches, pitches[1:])),
        "note length": Counter(length for step, length in notes if step is not None),
        "inter-onset interval": Counter(b - a for a, b in zip(onsets, onsets[1:])),
    }


def tune_features(bars: list[Bar]) -> dict[str, float]:
    """15 per-tune features: pitch statistics, motion, rhythm, repetition and ending."""
    notes = [n for bar in bars for n in bar]
    pitches = [s for s, _ in notes if s is not None] or [0]
    lengths = [length for s, length in notes if s is not None] or [12]
    steps = [b - a for a, b in zip(pitches, pitches[1:])] or [0]
    rhythms = [tuple(length for _, length in bar) for bar in bars]
    contents = [tuple(bar) for bar in bars]
    pcs = Counter(p % 12 for p in pitches)
    durations = Counter(lengths)

    def entropy(counts: Counter) -> float:
        total = sum(counts.values())
        return -sum(c / total * math.log2(c / total) for c in counts.values())

    return {
        "pitch range": max(pitches) - min(pitches),
        "notes per bar": len(lengths) / max(len(bars), 1),
        "bar repetition": sum(c > 1 for c in Counter(contents).values() for _ in range(c)) / max(len(bars), 1),
        "rhythm repetition": sum(c > 1 for c in Counter(rhythms).values() for _ in range(c)) / max(len(bars), 1),
        "mean pitch": statistics.fmean(pitches),
        "pitch spread": statistics.pstdev(pitches),
        "mean interval": statistics.fmean(abs(s) for s in steps),
        "step share": sum(1 <= abs(s) <= 2 for s in steps) / len(steps),
        "leap share": sum(abs(s) >= 5 for s in steps) / len(steps),
        "repeated-note share": sum(s == 0 for s in steps) / len(steps),
        "pitch-class entropy": entropy(pcs),
        "length entropy": entropy(durations),
        "rest share": sum(s is None for s, _ in notes) / max(len(notes), 1),
        "ends on commonest pitch class": float(pitches[-1] % 12 == pcs.most_common(1)[0][0]),
        "ends on tonic": float(pitches[-1] % 12 == 0),
    }


def overlap_of_histograms(a: Counter, b: Counter) -> float:
    """Histogram intersection of two pooled distributions, 0..1."""
    total_a, total_b = sum(a.values()), sum(b.values())
    if not total_a or not total_b:
        return 0.0
    return sum(min(a[k] / total_a, b[k] / total_b) for k in set(a) | set(b))


def overlap_of_values(a: Sequence[float], b: Sequence[float], bins: int = 20) -> float:
    """Overlap of two samples' distributions on a common grid of `bins` bins, 0..1."""
    low, high = min(min(a), min(b)), max(max(a), max(b))
    if high == low:
        return 1.0
    width = (high - low) / bins

    def counts(values: Sequence[float]) -> Counter:
        return Counter(min(int((v - low) / width), bins - 1) for v in values)

    return overlap_of_histograms(counts(a), counts(b))


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties half)."""
    if not positive or not negative:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


ENDING_FEATURES = ("ends on commonest pitch class", "ends on tonic")


def classifier_auc(real: list[dict[str, float]], generated: list[dict[str, float]], seed: int = 0,
                   leave_out: Sequence[str] = ()) -> float | None:
    """Classifier two-sample test: 5-fold cross-validated ROC AUC of gradient boosting, real vs generated."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    if min(len(real), len(generated)) < 10:
        return None
    names = sorted(n for n in real[0] if n not in leave_out)
    rows = [[f[n] for n in names] for f in real + generated]
    labels = [1] * len(real) + [0] * len(generated)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    scores = cross_val_score(GradientBoostingClassifier(random_state=seed), rows, labels, cv=folds, scoring="roc_auc")
    return round(float(scores.mean()), 3)


# ---- plans and the three generators ----------------------------------------------------------------

def plan_for(tune, seed: int):
    """The plan a held-out tune implies (None when it has no plan: free meter, over 8 sections, too long)."""
    from tunesmith.tools.melody_model.tokens import section_lengths
    from tunesmith.tools.melody_model.vocab import SECTION_ENDS
    from tunesmith.tools.plan import MusicPlan

    if tune.meter == "none":
        return None
    repeats = [t in (":|", "::") for t in tune.body if t in SECTION_ENDS]
    sections = section_lengths(tune.body, tune.meter)
    letters = ""
    for index, _ in enumerate(sections):
        letter = "ABCDEFGH"[min(index, 7)]
        letters += letter * (2 if index < len(repeats) and repeats[index] else 1)
    # Bars as musicians count them (a pickup and the bar completing it are one), each section as often as played.
    bars = sum(n * (2 if index < len(repeats) and repeats[index] else 1) for index, n in enumerate(sections))
    pitches = [tune.reference + s for bar in played_bars(tune.body) for s, _ in bar if s is not None]
    if not pitches or not 2 <= bars <= 128 or not 1 <= len(letters) <= 8 or bars < len(letters):
        return None
    try:
        return MusicPlan(key=tune.tonic, mode=tune.mode, meter=tune.meter, form=letters, bars=bars,
                         tune_type=tune.tune_type, low_pitch=max(21, min(pitches)), high_pitch=min(108, max(pitches)),
                         seed=seed, title=f"plan of {tune.title}"[:100])
    except ValueError:
        return None


def random_walk_abc(plan, seed: int) -> str:
    """Baseline: bars filled with random lengths and a random walk on the scale inside the range."""
    from tunesmith.tools.compose.layout import abc_header
    from tunesmith.tools.melody_model.abc_writer import tune_abc
    from tunesmith.tools.melody_model.limits import reference_for
    from tunesmith.tools.melody_model.vocab import note_token
    from tunesmith.tools.theory import MODE_SEMITONES, pitch_class
    from tunesmith.tools.theory.harmony import writable_scale

    rng = random.Random(seed)
    scale, _ = writable_scale(plan.key, plan.mode)
    low, high = sorted((plan.low_pitch, plan.high_pitch))
    reference = reference_for(pitch_class(scale.tonic), low, high)
    allowed = [p - reference for p in range(low, high + 1) if (p - reference) % 12 in MODE_SEMITONES[plan.mode]]
    bar_units = int(Fraction(plan.meter) * 96)
    position = rng.randrange(len(allowed))
    body: list[str] = []
    for bar in range(plan.bars):
        left = bar_units
        while left:
            length = rng.choice([u for u in (6, 12, 18, 24, 36) if u <= left and (left - u) % 6 == 0] or [left])
            position = max(0, min(len(allowed) - 1, position + rng.randint(-3, 3)))
            body.append(note_token(allowed[position], length))
            left -= length
        body.append("|]" if bar == plan.bars - 1 else "|")
    return tune_abc(body, meter=plan.meter, tonic=scale.tonic, mode=plan.mode, reference=reference,
                    header=abc_header(plan, scale.abc_key()))


def generators(model) -> dict[str, Callable]:
    """source name -> (plan, seed) -> ABC."""
    from tunesmith.tools.compose.composer import compose_rule_based
    from tunesmith.tools.compose.model_composer import sample_plan

    return {
        "melody model": lambda plan, seed: sample_plan(plan, count=1, model=model)[0].abc,
        "rule-based composer": lambda plan, seed: compose_rule_based(plan).abc,
        "random walk": random_walk_abc,
    }


# ---- the report -----------------------------------------------------------------------------------

def realism_report(count: int = 60, *, seed: int = 0, cache_dir=None, model=None,
                   sources: Sequence[str] | None = None, progress: Callable[[str], None] | None = None) -> RealismReport:
    """Compare `count` held-out test tunes with tunes the sources write for the same plans."""
    from tunesmith.settings import get_settings
    from tunesmith.tools.abc import parsed_tune, validate_abc
    from tunesmith.tools.melody_model.corpus_cache import cached_split, tokenized
    from tunesmith.tools.melody_model.likelihood import tune_likelihood
    from tunesmith.tools.melody_model.limits import ModelCannotCompose, check_plan, model_or_refusal
    from tunesmith.tools.melody_model.tokens import TokenizeError, tokenize_parsed

    model = model_or_refusal(model)
    tests = [tokenized(r) for r in cached_split(cache_dir or get_settings().cache_dir)["test"]]
    random.Random(seed).shuffle(tests)
    pairs = []
    for index, tune in enumerate(tests):
        plan = plan_for(tune, seed + index)
        if plan is None:
            continue
        try:
            check_plan(plan, model)
        except ModelCannotCompose:
            continue
        pairs.append((tune, plan))
        if len(pairs) >= count:
            break
    makers = generators(model)
    chosen = [s for s in makers if sources is None or s in sources]
    sets: dict[str, list[tuple[list[Bar], float | None]]] = {"real (held out)": []}
    validity: dict[str, list[bool]] = {}
    for number, (tune, plan) in enumerate(pairs):
        sets["real (held out)"].append((played_bars(tune.body), tune_likelihood(model.network, tune).mean))
        for source in chosen:
            abc = makers[source](plan, plan.seed)
            valid = validate_abc(abc, check_abc2midi=False).valid
            validity.setdefault(source, []).append(valid)
            try:
                tokens = tokenize_parsed(parsed_tune(abc), mode=plan.mode, tune_type=plan.tune_type)
            except TokenizeError:
                continue
            sets.setdefault(source, []).append((played_bars(tokens.body), tune_likelihood(model.network, tokens).mean))
        if progress:
            progress(f"{number + 1}/{len(pairs)}")
    real_bars = [b for b, _ in sets["real (held out)"]]
    real_features = [tune_features(b) for b in real_bars]
    real_hist = _pooled(real_bars)
    real_ll = [ll for _, ll in sets["real (held out)"]]
    rows, plots = [], {"real (held out)": _shares(real_hist)}
    for source, items in sets.items():
        bars = [b for b, _ in items]
        features = [tune_features(b) for b in bars]
        pooled = _pooled(bars)
        overlaps = {name: round(overlap_of_histograms(real_hist[name], pooled[name]), 3) for name in HISTOGRAMS}
        overlaps |= {name: round(overlap_of_values([f[name] for f in real_features], [f[name] for f in features]), 3)
                     for name in SCALARS}
        lls = [ll for _, ll in items]
        real_source = source == "real (held out)"
        rows.append(SourceRealism(
            source=source, tunes=len(items),
            classifier_auc=None if real_source else classifier_auc(real_features, features, seed),
            classifier_auc_without_endings=None if real_source else classifier_auc(real_features, features, seed,
                                                                                    ENDING_FEATURES),
            plausibility_auc=None if real_source else _rounded(roc_auc(real_ll, lls)),
            mean_log_likelihood=round(statistics.fmean(lls), 3) if lls else None,
            overlaps=overlaps,
            features={name: round(statistics.fmean(f[name] for f in features), 3) for name in features[0]} if features else {},
            valid=round(sum(validity.get(source, [True])) / max(len(validity.get(source, [True])), 1), 3),
        ))
        plots[source] = _shares(pooled)
    return RealismReport(plans=len(pairs), sources=rows, histograms=plots,
                         note=f"{len(pairs)} held-out test tunes (seed {seed}) and the same plans for each source")


def _pooled(tunes: list[list[Bar]]) -> dict[str, Counter]:
    pooled = {name: Counter() for name in HISTOGRAMS}
    for bars in tunes:
        for name, counts in histogram_features(bars).items():
            pooled[name].update(counts)
    return pooled


def _shares(pooled: dict[str, Counter]) -> dict[str, dict[str, float]]:
    result = {}
    for name, counts in pooled.items():
        total = sum(counts.values()) or 1
        result[name] = {str(k): round(v / total, 4) for k, v in sorted(counts.items())}
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
