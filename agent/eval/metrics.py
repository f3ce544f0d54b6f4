"""What one eval case produced, measured from its turn folder, and the same numbers summed over cases.

Everything is read back from the files the agent wrote (tune.abc, plan.json, trace.json, tune.wav),
so the eval judges what a user would get, not what the agent said it did. Expectations are checked by
the suite's own checker (`Expectation.unmet`) against values measured from the ABC.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.agent.eval.suite import EvalCase, Expectation

EXPECTATION_FIELDS = ("key", "mode", "meter", "tempo", "bars", "instrument", "tune_type", "unchanged", "same_as",
                      "relative")


class AudioFacts(BaseModel):
    """Descriptors of the rendered tune.wav, and CLAP where its weights exist."""

    duration_s: float
    tempo_bpm: float | None = Field(description="Tempo heard in the audio, beats per minute.")
    centroid_mean_hz: float
    centroid_spread_hz: float
    onset_density_per_s: float
    loudness_lufs: float
    descriptor_match: float | None = Field(description="0..1 fit of the audio to targets read from the request's words.")
    clap_similarity: float | None = Field(description="CLAP text-audio cosine similarity, -1..1; None without CLAP.")
    clap_status: str
    tag_match: float | None = Field(None, description="musicnn tag profile vs the request's words, calibrated 0..1.")
    top_tags: str = Field("", description="The render's most likely musicnn tags.")


class CaseResult(BaseModel):
    """One case on one backend: status, validity, expectations, critic, audio, retrieval and time."""

    suite: str
    case_id: str
    kind: str = Field(description="text, edit, image or audio")
    request: str
    backend: str
    status: str = Field(description="done | failed | skipped")
    error: str | None = None
    folder: str | None = None
    session_id: str | None = None
    abc_valid: bool = False
    music21_parses: bool = False
    validation_errors: list[str] = Field(default_factory=list)
    expected: dict[str, Any] = Field(default_factory=dict)
    measured: dict[str, Any] = Field(default_factory=dict)
    unmet: list[str] = Field(default_factory=list)
    constraints: dict[str, bool] = Field(default_factory=dict, description="Each stated expectation: met or not.")
    critic_overall: float | None = None
    critic_scores: dict[str, float] = Field(default_factory=dict)
    critic_first: float | None = None
    critic_final: float | None = None
    refine_rounds: int = 0
    exemplars_used: list[str] = Field(default_factory=list)
    audio: AudioFacts | None = None
    wall_seconds: float = 0.0
    llm_seconds: float = 0.0
    tool_seconds: float = 0.0
    llm_steps: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    agent_fallback_steps: int = Field(0, description="Tool calls the agent ran because the model skipped them.")
    conversation: str | None = Field(None, description="Chat suites: the conversation this turn belongs to.")
    turn: int | None = None
    reply: str | None = None
    reply_problems: list[str] | None = Field(None, description="Chat suites: how the reply disagrees with the turn's files "
                                                               "and trace; empty when consistent.")

    @property
    def refine_gain(self) -> float | None:
        """Critic overall after refinement minus the first draft's."""
        if self.critic_first is None or self.critic_final is None:
            return None
        return round(self.critic_final - self.critic_first, 3)

    @property
    def all_met(self) -> bool:
        return self.status == "done" and not self.unmet


def case_kind(case: EvalCase) -> str:
    """Which input a case exercises."""
    if case.conversation:
        return "chat"
    if case.edit_of:
        return "edit"
    if case.image:
        return "image"
    if case.audio:
        return "audio"
    return "text"


def measured_values(abc: str, plan: dict[str, Any] | None) -> dict[str, Any]:
    """Key, mode, meter, tempo (beats per minute of the Q: beat), bars, instrument and tune type of a tune.

    Read from the ABC; the instrument counts as the plan's when the ABC's `%%MIDI program` is that
    instrument's General MIDI program, and the tune type comes from the ABC's R: field, else the plan.
    """
    from tunesmith.tools.abc import analyse_abc
    from tunesmith.tools.theory import gm_program

    analysis = analyse_abc(abc)
    plan = plan or {}
    instrument = None
    if plan.get("instrument") is not None and analysis.instrument_program == gm_program(plan["instrument"]):
        instrument = plan["instrument"]
    elif analysis.instrument_program is not None:
        instrument = f"GM program {analysis.instrument_program}"
    return {
        "key": analysis.key, "mode": analysis.mode, "meter": analysis.meter, "tempo_bpm": analysis.tempo_bpm,
        "bars": analysis.bars, "instrument": instrument, "tune_type": analysis.tune_type or plan.get("tune_type"),
    }


def constraint_table(expect: Expectation, unmet: list[str]) -> dict[str, bool]:
    """For each field the expectation states: True when no miss names it."""
    stated = {"tempo" if name.startswith("tempo") else name for name in expect.stated()}
    relative = tuple(f"{name}:" for name in expect.relative)
    return {name: not any(miss.startswith(f"{name}:") or (name == "relative" and miss.startswith(relative))
                          for miss in unmet) for name in EXPECTATION_FIELDS if name in stated}


def music21_parses(abc: str) -> bool:
    """True when music21's ABC reader finds notes in the tune (in a child process with a time limit)."""
    from tunesmith.tools.render import music21_reads

    return music21_reads(abc)


def audio_facts(wav: Path, request: str) -> AudioFacts | None:
    """Descriptors of a rendered WAV scored against the request (CLAP where weights exist, else musicnn tags)."""
    from tunesmith.tools.audio import score_audio

    if not wav.is_file():
        return None
    scored = score_audio(wav, [request])
    d, text = scored.descriptors, scored.scores[0]
    return AudioFacts(
        duration_s=round(d.duration_s, 2), tempo_bpm=d.tempo_bpm, centroid_mean_hz=d.centroid_mean_hz,
        centroid_spread_hz=d.centroid_spread_hz, onset_density_per_s=d.onset_density_per_s,
        loudness_lufs=d.loudness_lufs, descriptor_match=text.descriptor_match,
        clap_similarity=text.clap_similarity, clap_status=scored.clap_status, tag_match=text.tag_match,
        top_tags=scored.top_tags,
    )


def measure_turn(result: CaseResult, folder: Path, expect: Expectation, *, with_audio: bool = True) -> CaseResult:
    """Fill `result` from the files in a finished turn folder."""
    from tunesmith.tools.abc import validate_abc

    trace = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
    result.llm_seconds, result.tool_seconds = trace.get("llm_seconds", 0.0), trace.get("tool_seconds", 0.0)
    steps = trace.get("llm_steps", [])
    result.llm_steps = len(steps)
    result.input_tokens = sum(step.get("input_tokens") or 0 for step in steps)
    result.output_tokens = sum(step.get("output_tokens") or 0 for step in steps)
    result.agent_fallback_steps = sum(1 for call in trace.get("tool_calls", []) if call.get("by") == "agent")
    evidence = trace.get("evidence", {})
    result.exemplars_used = [e.get("title", "?") for e in evidence.get("exemplars", [])]
    rounds = trace.get("critic_rounds", [])
    result.refine_rounds = max(len(rounds) - 1, 0)
    critique = evidence.get("critique")
    if critique:
        result.critic_overall = critique["overall"]
        result.critic_scores = {d["name"]: d["score"] for d in critique["adherence"] + critique["quality"]}
        result.critic_final = critique["overall"]
    # Only turns that ran the self-refine loop have a first draft; an edit's tune was not refined.
    result.critic_first = rounds[0]["overall"] if rounds else None
    tune = folder / "tune.abc"
    result.expected = expect.stated()
    if not tune.is_file():
        result.unmet = ["no tune was produced"]
        result.constraints = {name: False for name in constraint_table(expect, [])}
        return result
    abc = tune.read_text(encoding="utf-8")
    report = validate_abc(abc)
    result.abc_valid = report.valid
    result.validation_errors = [p.message for p in report.problems if p.severity == "error"]
    result.music21_parses = music21_parses(abc)
    plan = trace.get("plan")
    result.measured = measured_values(abc, plan)
    result.unmet = expect.unmet(result.measured)
    result.constraints = constraint_table(expect, result.unmet)
    if with_audio:
        result.audio = audio_facts(folder / "tune.wav", result.request)
    return result


def measure_chat_turn(result: CaseResult, folder: Path, expect: Expectation, before_abc: str | None,
                      earlier: dict[int, Path]) -> CaseResult:
    """Fill a chat turn's result: the tune it leaves current (its own, or the one before when it made none)
    against the expectation, the chat expectations, and the reply's consistency with the files and trace."""
    from tunesmith.agent.eval.conversation import reply_problems, turn_misses

    measure_turn(result, folder, expect, with_audio=False)
    trace = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
    if not (folder / "tune.abc").is_file() and before_abc is None and expect.unchanged:
        result.unmet = []  # no tune before, none asked for, none made
    if not (folder / "tune.abc").is_file() and before_abc is not None:  # the tune stays what it was
        result.abc_valid = True
        from tunesmith.agent.state import TuneFacts

        result.measured = measured_values(before_abc, {"instrument": TuneFacts.from_abc(before_abc).instrument})
        result.unmet = expect.unmet(result.measured)
    result.unmet += turn_misses(expect, folder, before_abc, earlier)
    result.constraints = constraint_table(expect, result.unmet)
    result.reply_problems = reply_problems(result.reply or "", folder, before_abc, trace)
    return result


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


class Summary(BaseModel):
    """Numbers over a group of cases (a backend, or a backend and suite)."""

    cases: int
    done: int
    failed: int
    valid_rate: float | None
    music21_rate: float | None
    all_met_rate: float | None = Field(description="Share of done cases meeting every stated expectation.")
    field_met_rate: dict[str, float] = Field(default_factory=dict)
    critic_mean: float | None
    critic_first_mean: float | None = Field(description="Mean first-draft score over the cases that were refined.")
    critic_final_mean: float | None = Field(description="Mean kept score over the same cases.")
    refine_gain_mean: float | None
    retrieval_rate: float | None = Field(description="Share of done cases whose tune drew on library exemplars.")
    wall_median_s: float | None
    llm_share: float | None = Field(description="LLM seconds / (LLM + tool seconds), over all done cases.")
    input_tokens: int
    output_tokens: int
    descriptor_match_mean: float | None
    clap_mean: float | None
    tag_match_mean: float | None = None
    reply_consistent_rate: float | None = Field(None, description="Chat turns: share whose reply agrees with the turn's files and trace.")


def summarise(results: list[CaseResult]) -> Summary:
    """Aggregate case results; rates are over the cases that finished."""
    done = [r for r in results if r.status == "done"]
    fields: dict[str, list[bool]] = {}
    for r in done:
        for name, met in r.constraints.items():
            fields.setdefault(name, []).append(met)
    llm, tools = sum(r.llm_seconds for r in done), sum(r.tool_seconds for r in done)
    refined = [r for r in done if r.refine_gain is not None]
    return Summary(
        cases=len(results), done=len(done), failed=sum(r.status == "failed" for r in results),
        valid_rate=_rate([r.abc_valid for r in done]), music21_rate=_rate([r.music21_parses for r in done]),
        all_met_rate=_rate([r.all_met for r in done]),
        field_met_rate={name: _rate(flags) for name, flags in fields.items()},
        critic_mean=_mean([r.critic_overall for r in done if r.critic_overall is not None]),
        critic_first_mean=_mean([r.critic_first for r in refined]),
        critic_final_mean=_mean([r.critic_final for r in refined]),
        refine_gain_mean=_mean([r.refine_gain for r in refined]),
        retrieval_rate=_rate([bool(r.exemplars_used) for r in done]),
        wall_median_s=round(statistics.median([r.wall_seconds for r in done]), 2) if done else None,
        llm_share=round(llm / (llm + tools), 3) if llm + tools > 0 else None,
        input_tokens=sum(r.input_tokens for r in done), output_tokens=sum(r.output_tokens for r in done),
        descriptor_match_mean=_mean([r.audio.descriptor_match for r in done if r.audio and r.audio.descriptor_match is not None]),
        clap_mean=_mean([r.audio.clap_similarity for r in done if r.audio and r.audio.clap_similarity is not None]),
        tag_match_mean=_mean([r.audio.tag_match for r in done if r.audio and r.audio.tag_match is not None]),
        reply_consistent_rate=_rate([not r.reply_problems for r in done if r.reply_problems is not None]),
    )


class BackendRun(BaseModel):
    """One backend's cases, or the one sentence saying why it could not run."""

    backend: str
    model: str
    available: bool = True
    reason: str | None = None
    cases: dict[str, CaseResult] = Field(default_factory=dict, description="By '<suite>/<case id>'.")


class EvalReport(BaseModel):
    """Everything one eval run measured; saved as results.json."""

    suites: list[str]
    seed: int
    refine_rounds: int
    backends: dict[str, BackendRun] = Field(default_factory=dict)
    ablations: dict[str, Any] = Field(default_factory=dict)
    audio_distribution: dict[str, Any] = Field(default_factory=dict, description="musicnn Fréchet distance to real tunes.")
    judge: dict[str, Any] = Field(default_factory=dict)
    realism: dict[str, Any] = Field(default_factory=dict)
    out_dir: str = ""

    def summary(self, backend: str, suite: str | None = None) -> Summary:
        """Aggregate numbers of one backend, over one suite or all of them."""
        cases = self.backends[backend].cases.values()
        return summarise([c for c in cases if suite is None or c.suite == suite])
