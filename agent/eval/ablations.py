"""Research ablations on the symbolic path: deterministic, no LLM, real composition, critique and audio.

(a) Photo → music: the literal description of a photo read as a request (`plan_from_request` on the
    raw caption) versus the image bridge's plan (`plan_from_image`); both composed, rendered and
    measured (spectral centroid, onset density, tempo), and how strongly each follows the picture's
    energy across photos (Spearman rank correlation).
(b) Retrieval and self-refinement: each text request composed with library exemplars or none, and
    with 3 refinement rounds or none, judged by the critic and by the suite's expectations.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.agent.eval.metrics import measured_values
from tunesmith.agent.eval.suite import OFFLINE_SKIMAGE_IMAGES, Suite

DEFAULT_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "moon")
REFINE_ROUNDS = 3
ARMS = ((True, REFINE_ROUNDS), (True, 0), (False, REFINE_ROUNDS), (False, 0))  # (retrieval, rounds)


class PhotoTune(BaseModel):
    """One photo realised by one route, with what the rendered audio sounds like."""

    photo: str
    route: str = Field(description="'raw caption' or 'bridge'")
    text: str = Field(description="The text the plan was read from (raw caption) or the bridge's MusicGen prompt.")
    plan: str
    energy: float = Field(description="The photo's visual energy, 0..1.")
    valence: float
    tempo_bpm: int = Field(description="Planned tempo, beats per minute.")
    centroid_mean_hz: float
    onset_density_per_s: float
    heard_tempo_bpm: float | None
    clap_similarity: float | None = Field(description="CLAP similarity of the audio to the raw caption; None without CLAP.")


class RouteSummary(BaseModel):
    """One route over all photos: means, spreads (standard deviation across photos) and correlations."""

    route: str
    photos: int
    distinct_plans: int
    tempo_mean: float
    tempo_spread: float
    centroid_mean_hz: float
    centroid_spread_hz: float
    onset_density_mean: float
    onset_density_spread: float
    energy_vs_tempo: float | None = Field(description="Spearman rho of photo energy vs planned tempo; None if constant.")
    energy_vs_onsets: float | None
    clap_mean: float | None


class ArmCase(BaseModel):
    """One text request composed under one arm of the retrieval × refinement ablation."""

    case_id: str
    retrieval: bool
    rounds: int
    exemplars: list[str]
    first_score: float
    kept_score: float
    adherence_mean: float
    valid: bool
    unmet: list[str]


class ArmSummary(BaseModel):
    retrieval: bool
    rounds: int
    cases: int
    kept_mean: float
    first_mean: float
    adherence_mean: float
    valid_rate: float
    all_met_rate: float
    lowered: int = Field(description="Cases whose kept score is below the first draft's (refinement must never do this).")


class AblationReport(BaseModel):
    photos: list[PhotoTune] = Field(default_factory=list)
    routes: list[RouteSummary] = Field(default_factory=list)
    photo_note: str = ""
    arms: list[ArmSummary] = Field(default_factory=list)
    arm_cases: list[ArmCase] = Field(default_factory=list)
    retrieval_note: str = ""


def _spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    from scipy.stats import spearmanr

    if len(set(x)) < 2 or len(set(y)) < 2:
        return None
    return round(float(spearmanr(x, y).statistic), 3)


def _spread(values: list[float]) -> float:
    return round(statistics.pstdev(values), 2) if len(values) > 1 else 0.0


def _plan_line(plan: Any) -> str:
    kind = f" {plan.tune_type}" if plan.tune_type else ""
    return f"{plan.key} {plan.mode}{kind}, {plan.meter}, {plan.tempo_bpm} BPM, {plan.instrument}"


def _realise(plan: Any, folder: Path, name: str, text: str) -> tuple[Any, Any]:
    """Compose (no refinement), render to WAV and measure; returns (descriptors, CLAP similarity or None)."""
    from tunesmith.tools.audio import score_audio
    from tunesmith.tools.compose import compose_abc
    from tunesmith.tools.render import render_midi, render_wav

    abc = compose_abc(plan).abc
    wav = render_wav(render_midi(abc, folder, name=name), folder, name=name)
    scored = score_audio(wav, [text])
    return scored.descriptors, scored.scores[0].clap_similarity


def photo_ablation(photos: Sequence[str], out_dir: Path, *, seed: int = 0) -> tuple[list[PhotoTune], list[RouteSummary]]:
    """Raw caption → plan versus bridged plan, for each scikit-image photo; audio written under `out_dir`."""
    from tunesmith.agent.eval.inputs import write_sample_photo
    from tunesmith.tools.planning import plan_from_request
    from tunesmith.tools.vision import describe_image, plan_from_image

    out_dir.mkdir(parents=True, exist_ok=True)
    tunes: list[PhotoTune] = []
    for photo in photos:
        analysis = describe_image(write_sample_photo(photo, out_dir / f"{photo}.png"))
        bridged = plan_from_image(analysis, "", seed=seed)
        routes = (("raw caption", plan_from_request(bridged.raw_caption_prompt, seed=seed), bridged.raw_caption_prompt),
                  ("bridge", bridged.plan, bridged.musicgen_prompt))
        for route, plan, text in routes:
            heard, clap = _realise(plan, out_dir, f"{photo}-{route.replace(' ', '-')}", bridged.raw_caption_prompt)
            tunes.append(PhotoTune(
                photo=photo, route=route, text=text, plan=_plan_line(plan), energy=round(analysis.energy, 3),
                valence=round(analysis.valence, 3), tempo_bpm=plan.tempo_bpm, centroid_mean_hz=round(heard.centroid_mean_hz, 1),
                onset_density_per_s=round(heard.onset_density_per_s, 2), heard_tempo_bpm=heard.tempo_bpm, clap_similarity=clap,
            ))
    summaries = []
    for route in ("raw caption", "bridge"):
        rows = [t for t in tunes if t.route == route]
        if not rows:
            continue
        tempos, centroids, onsets = [t.tempo_bpm for t in rows], [t.centroid_mean_hz for t in rows], [t.onset_density_per_s for t in rows]
        claps = [t.clap_similarity for t in rows if t.clap_similarity is not None]
        summaries.append(RouteSummary(
            route=route, photos=len(rows), distinct_plans=len({t.plan for t in rows}),
            tempo_mean=round(statistics.fmean(tempos), 1), tempo_spread=_spread(tempos),
            centroid_mean_hz=round(statistics.fmean(centroids), 1), centroid_spread_hz=_spread(centroids),
            onset_density_mean=round(statistics.fmean(onsets), 2), onset_density_spread=_spread(onsets),
            energy_vs_tempo=_spearman([t.energy for t in rows], tempos),
            energy_vs_onsets=_spearman([t.energy for t in rows], onsets),
            clap_mean=round(statistics.fmean(claps), 3) if claps else None,
        ))
    return tunes, summaries


def _library_exemplars(request: str, plan: Any, out_dir: Path) -> list[Any]:
    """The exemplars the agent itself would retrieve for this plan (same filters, same relaxation)."""
    from tunesmith.agent.toolkit.actions import retrieve_for_plan
    from tunesmith.agent.toolkit.context import TurnContext

    ctx = TurnContext(request=request, out_dir=out_dir)
    retrieve_for_plan(ctx, plan)
    return ctx.exemplars


def refinement_ablation(suites: Sequence[Suite], out_dir: Path, *, seed: int = 0) -> tuple[list[ArmCase], list[ArmSummary], str]:
    """Each text case of the suites under the four arms; the note says why retrieval arms were left out."""
    from tunesmith.memory.store import StoreError
    from tunesmith.tools.compose import refine_plan
    from tunesmith.tools.planning import plan_from_request

    note = ""
    rows: list[ArmCase] = []
    cases = [c for s in suites for c in s.cases if not (c.edit_of or c.image or c.audio)]
    for case in cases:
        plan = plan_from_request(case.request, seed=seed)
        exemplars = []
        if not note:
            try:
                exemplars = _library_exemplars(case.request, plan, out_dir)
            except StoreError as error:
                note = f"Retrieval arms were not run: {error}"
        for retrieval, rounds in ARMS:
            if retrieval and note:
                continue
            used = exemplars if retrieval else []
            outcome = refine_plan(plan, [e.abc for e in used], rounds=rounds)
            adherence = [d.score for d in outcome.critique.adherence]
            rows.append(ArmCase(
                case_id=case.id, retrieval=retrieval, rounds=rounds, exemplars=[e.title for e in used],
                first_score=outcome.first_score, kept_score=outcome.best_score,
                adherence_mean=round(statistics.fmean(adherence), 3) if adherence else 0.0,
                valid=outcome.critique.valid,
                unmet=case.expect.unmet(measured_values(outcome.abc, outcome.plan.model_dump())),
            ))
    if not cases:
        note = "No text cases in the suites given, so the retrieval and refinement ablation was not run."
    summaries = []
    for retrieval, rounds in ARMS:
        arm = [r for r in rows if r.retrieval == retrieval and r.rounds == rounds]
        if arm:
            summaries.append(ArmSummary(
                retrieval=retrieval, rounds=rounds, cases=len(arm),
                kept_mean=round(statistics.fmean(r.kept_score for r in arm), 3),
                first_mean=round(statistics.fmean(r.first_score for r in arm), 3),
                adherence_mean=round(statistics.fmean(r.adherence_mean for r in arm), 3),
                valid_rate=round(sum(r.valid for r in arm) / len(arm), 3),
                all_met_rate=round(sum(not r.unmet for r in arm) / len(arm), 3),
                lowered=sum(r.kept_score < r.first_score for r in arm),
            ))
    return rows, summaries, note


def suite_photos(suites: Sequence[Suite]) -> list[str]:
    """The distinct scikit-image photos the suites use, or DEFAULT_PHOTOS when they use none."""
    named = [c.image for s in suites for c in s.cases if c.image in OFFLINE_SKIMAGE_IMAGES]
    return list(dict.fromkeys(named)) or list(DEFAULT_PHOTOS)


def run_ablations(suites: Sequence[Suite], out_dir: Path, *, seed: int = 0, photos: Sequence[str] | None = None) -> AblationReport:
    """Both ablations; files (photos, WAVs) go under `out_dir`."""
    out_dir = Path(out_dir)
    photos = list(photos) if photos is not None else suite_photos(suites)
    tunes, routes = photo_ablation(photos, out_dir / "photos", seed=seed)
    arm_cases, arms, note = refinement_ablation(suites, out_dir, seed=seed)
    photo_note = "" if clap_ran(tunes) else "CLAP weights are not on this machine, so photo routes are compared by audio descriptors only."
    return AblationReport(photos=tunes, routes=routes, photo_note=photo_note, arms=arms, arm_cases=arm_cases, retrieval_note=note)


def clap_ran(tunes: Sequence[PhotoTune]) -> bool:
    return any(t.clap_similarity is not None for t in tunes)
