"""LLM-as-judge for eval tunes: 1–7 ratings of melody, rhythm, harmony and authenticity, plus
semantic and emotional fit to the picture for image cases (prompt: prompts/judge.txt).

Only a model served through Ollama or an OpenAI-compatible server judges (`--judge ollama:qwen2.5:7b`,
`--judge openai:gpt-4o-mini`; a bare name means Ollama): the small embedded model that composed the
tunes is not a credible judge of them. Without a judge the result says it was not run and why.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from tunesmith.errors import TunesmithError
from tunesmith.prompts import load_prompt
from tunesmith.settings import Settings

if TYPE_CHECKING:
    from tunesmith.agent.eval.metrics import EvalReport

MUSIC_CRITERIA = ("melody", "rhythm", "harmony", "authenticity")
PICTURE_CRITERIA = ("semantics", "emotion")
JUDGE_BACKENDS = ("ollama", "openai")


class JudgeError(TunesmithError, ValueError):
    """The judge's answer held no usable ratings; the message quotes it."""


class JudgedCase(BaseModel):
    backend: str
    case: str
    scores: dict[str, int] = Field(description="Criterion -> rating 1..7.")


class JudgeResult(BaseModel):
    ran: bool
    reason: str
    judge: str | None = None
    cases: list[JudgedCase] = Field(default_factory=list)
    means: dict[str, dict[str, float]] = Field(default_factory=dict, description="Backend -> criterion -> mean rating.")
    failures: list[str] = Field(default_factory=list)


def parse_judge_spec(spec: str) -> tuple[str, str]:
    """'ollama:qwen2.5:7b' -> ('ollama', 'qwen2.5:7b'); a bare model name is served by Ollama."""
    backend, _, model = spec.partition(":")
    if backend in JUDGE_BACKENDS and model:
        return backend, model
    if backend in ("embedded",):
        raise JudgeError(f"judge {spec!r}: the embedded model cannot judge; use ollama:<model> or openai:<model>")
    return "ollama", spec


def judge_prompt(request: str, abc: str, picture: str | None) -> str:
    """The judge prompt for one tune; `picture` is a description of the photo for image cases."""
    criteria = MUSIC_CRITERIA + (PICTURE_CRITERIA if picture else ())
    return load_prompt("judge").format(
        request=request, abc=abc.strip(),
        picture=f"The music was made for a picture: {picture}\n" if picture else "",
        picture_criteria=("- semantics: does the music fit what the picture shows?\n"
                          "- emotion: does the music carry the picture's mood?\n") if picture else "",
        example=json.dumps({name: 4 for name in criteria}),
    )


def parse_ratings(answer: str, picture: bool) -> dict[str, int]:
    """The ratings in the judge's answer (the first JSON object), each clamped to 1..7."""
    found = re.search(r"\{.*?\}", answer, flags=re.DOTALL)
    try:
        data = json.loads(found.group(0)) if found else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise JudgeError(f"the judge answered without a JSON object of ratings: {answer[:200]!r}")
    scores = {}
    for name in MUSIC_CRITERIA + (PICTURE_CRITERIA if picture else ()):
        value = data.get(name)
        if isinstance(value, (int, float)):
            scores[name] = int(min(max(round(value), 1), 7))
    if not scores:
        raise JudgeError(f"the judge's JSON named none of {', '.join(MUSIC_CRITERIA)}: {answer[:200]!r}")
    return scores


def _picture_text(folder: Path) -> str | None:
    evidence = json.loads((folder / "trace.json").read_text(encoding="utf-8")).get("evidence", {})
    if "image" not in evidence:
        return None
    return evidence.get("raw_caption_prompt") or evidence.get("musicgen_prompt")


def judge_report(report: EvalReport, judge: str | None, settings: Settings, chat_model: Any = None) -> JudgeResult:
    """Rate every finished tune of the report; `chat_model` overrides the model built from `judge`."""
    if judge is None and chat_model is None:
        return JudgeResult(ran=False, reason="No judge model was configured (use --judge ollama:<model> or "
                                             "openai:<model>), so the LLM-as-judge ratings were not made.")
    try:
        if chat_model is None:
            from tunesmith.agent.llm.factory import make_chat_model

            backend, model = parse_judge_spec(judge)
            chat_model = make_chat_model(settings.model_copy(update={"llm_backend": backend, "llm_model": model, "llm_temperature": 0.0}))
    except Exception as error:  # LlmUnavailable, JudgeError, a missing client package: all mean "not run"
        return JudgeResult(ran=False, judge=judge, reason=f"The judge {judge} could not be used: {error}")
    result = JudgeResult(ran=True, judge=judge or type(chat_model).__name__, reason="")
    for run in report.backends.values():
        for key, case in run.cases.items():
            if case.status != "done" or case.folder is None or not (Path(case.folder) / "tune.abc").is_file():
                continue
            folder = Path(case.folder)
            picture = _picture_text(folder)
            prompt = judge_prompt(case.request, (folder / "tune.abc").read_text(encoding="utf-8"), picture)
            try:
                answer = chat_model.invoke(prompt)
                scores = parse_ratings(str(answer.content), picture is not None)
            except Exception as error:  # one bad answer or a dropped connection must not lose the others
                result.failures.append(f"{run.backend} {key}: {error}")
                continue
            result.cases.append(JudgedCase(backend=run.backend, case=key, scores=scores))
    for backend in report.backends:
        rated = [c.scores for c in result.cases if c.backend == backend]
        names = {name for scores in rated for name in scores}
        result.means[backend] = {n: round(statistics.fmean(s[n] for s in rated if n in s), 2) for n in sorted(names)}
    result.reason = f"{len(result.cases)} tunes rated, {len(result.failures)} answers unusable."
    return result
