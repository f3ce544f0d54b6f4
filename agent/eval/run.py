"""`tunesmith eval`: run suites of requests through the real agent on one or more backends, measure
every turn, and write results.json (after every case, so a run can resume), report.md and report.html.

Layout of the eval folder:
    results.json                 every case on every backend, ablations, judge (rewritten after each case)
    report.md, report.html       the readable report (HTML self-contained, plots embedded)
    inputs/<suite>/              the photos (PNG) and clips (WAV) the cases use, made by the product
    sessions/<backend>/          one session folder per conversation, turns inside
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.agent.eval.metrics import BackendRun, CaseResult, EvalReport, case_kind, measure_chat_turn, measure_turn
from tunesmith.agent.eval.suite import EvalCase, Suite, load_suite
from tunesmith.errors import InputError
from tunesmith.memory.files import atomic_write_json
from tunesmith.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

ModelFactory = Callable[[Settings, EvalCase], "BaseChatModel"]  # a fresh chat model for one case


class EvalError(InputError):
    """The eval cannot start: bad suite, bad backend name or an unusable output folder."""


def case_key(suite: Suite, case: EvalCase) -> str:
    return f"{suite.name}/{case.id}"


def default_model_factory(settings: Settings, case: EvalCase) -> BaseChatModel:
    """The configured chat model (agent.llm), the same for every case; raises agent.llm.LlmUnavailable."""
    from tunesmith.agent.llm.factory import make_chat_model

    return make_chat_model(settings)


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean 'this backend cannot run here' (not a bug)."""
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, ImportError]
    try:
        from tunesmith.agent.llm.factory import LlmUnavailable

        errors.append(LlmUnavailable)
    except ImportError:
        pass
    try:
        from tunesmith.agent.llm.gguf_cache import ModelUnavailable

        errors.append(ModelUnavailable)
    except ImportError:
        pass
    return tuple(errors)


class _Progress:
    """A rich progress bar over all cases of all backends, or nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self._task = self._bar.add_task("eval", total=total)
            self._bar.start()

    def step(self, description: str, advance: int = 0) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=description, advance=advance)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _load_previous(path: Path, resume: bool) -> EvalReport | None:
    if not resume or not path.is_file():
        return None
    try:
        return EvalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as error:
        raise EvalError(f"{path} cannot be resumed ({error}); run without --resume to start over") from None


def _run_case(
    suite: Suite, case: EvalCase, run: BackendRun, settings: Settings, factory: ModelFactory, inputs_dir: Path,
    with_audio: bool,
) -> CaseResult:
    """One case through a fresh session (or the session of the case it edits)."""
    from tunesmith.agent.eval.inputs import prepare_inputs
    from tunesmith.agent.session import ChatSession

    result = CaseResult(suite=suite.name, case_id=case.id, kind=case_kind(case), request=case.request,
                        backend=run.backend, status="failed", conversation=case.conversation, turn=case.turn)
    if case.edit_of:
        parent = run.cases.get(f"{suite.name}/{case.edit_of}")
        if parent is None or parent.status != "done" or parent.session_id is None:
            result.status, result.error = "skipped", f"the case it edits ({case.edit_of}) did not finish"
            return result
        session = ChatSession.resume(parent.session_id, factory(settings, case), settings)
    else:
        session = ChatSession.start(factory(settings, case), settings, title=f"eval {suite.name}/{case.id}")
    result.session_id = session.id
    prepared = prepare_inputs(suite, case, inputs_dir / suite.name)
    files = {role: path for role, path in (("image", prepared.image), ("audio", prepared.audio)) if path is not None}
    before_abc = session.last_tune()[0]
    start = time.perf_counter()
    try:
        outcome = session.ask(case.request, user_files=files)
    except _unavailable_errors():
        raise
    except Exception as error:  # a bug or a tool failure in this case: record it, go on with the others
        result.error = f"{type(error).__name__}: {error}"
        result.wall_seconds = round(time.perf_counter() - start, 3)
        return result
    result.wall_seconds = round(time.perf_counter() - start, 3)
    result.folder, result.status, result.reply = str(outcome.folder), outcome.status, outcome.reply
    refused_as_expected = outcome.status == "failed" and case.conversation is not None and bool(case.expect.unchanged)
    if refused_as_expected:  # "in 0/4" refused, as the suite expects: the case is done, the conversation goes on
        result.status = "done"
    elif outcome.status != "done":  # a turn that made no tune is a failed case, with the turn's own sentence
        result.status, result.error = "failed", outcome.reply
    if case.conversation is None:
        return measure_turn(result, Path(outcome.folder), case.expect, with_audio=with_audio)
    earlier = {c.turn: Path(c.folder) for c in run.cases.values()
               if c.suite == suite.name and c.conversation == case.conversation and c.folder and c.turn}
    return measure_chat_turn(result, Path(outcome.folder), case.expect, before_abc, earlier)


def parse_backend(spec: str) -> tuple[str, str | None]:
    """'ollama:qwen2.5:7b' -> ('ollama', 'qwen2.5:7b'); 'embedded' -> ('embedded', None: the configured model)."""
    backend, _, model = spec.partition(":")
    valid = Settings.model_fields["llm_backend"].annotation.__args__
    if backend not in valid:
        raise EvalError(f"backend {backend!r} is not known; use one of {', '.join(valid)} (optionally backend:model)")
    return backend, model or None


def _backend_settings(settings: Settings, spec: str, out_dir: Path) -> Settings:
    backend, model = parse_backend(spec)
    folder = re.sub(r"[^A-Za-z0-9._-]+", "-", spec)
    update: dict[str, Any] = {"llm_backend": backend, "output_dir": out_dir / "sessions" / folder}
    if model:
        update["llm_model"] = model
    return settings.model_copy(update=update)


def run_eval(
    suite_paths: Sequence[str | Path | Suite],
    out_dir: str | Path,
    *,
    settings: Settings,
    backends: Sequence[str] = ("embedded",),  # "embedded", "ollama", "ollama:qwen2.5:7b", "openai:<model>"
    resume: bool = False,
    ablations: bool = True,
    judge: str | None = None,
    progress: bool = True,
    model_factory: ModelFactory = default_model_factory,
    with_audio: bool = True,
    photos: Sequence[str] | None = None,
    realism: int = 0,
) -> EvalReport:
    """Run every case of every suite on every backend, then the ablations and judge; write the reports.

    `model_factory(settings, case)` builds the chat model for one case (a fresh one per case). results.json is
    rewritten atomically after every case; with `resume`, cases already done there are not run again.
    `with_audio` measures each tune.wav (librosa, CLAP); `photos` picks the photo ablation's photos;
    `realism` > 0 compares that many held-out real tunes with the melody model's, the rule-based
    composer's and a random walk's tunes for the same plans (agent/eval/realism.py).
    """
    from tunesmith.agent.eval.report import write_reports

    suites = [path if isinstance(path, Suite) else load_suite(path) for path in suite_paths]
    if not suites:
        raise EvalError("no suite given; name one or more suite files, e.g. eval/text_requests.yaml")
    for spec in backends:
        parse_backend(spec)
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise EvalError(f"{out_dir} is a file; give a folder for the eval's results")
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.json"
    report = _load_previous(results_path, resume) or EvalReport(
        suites=[s.name for s in suites], seed=settings.seed, refine_rounds=settings.refine_rounds)
    report.suites = list(dict.fromkeys([*report.suites, *(s.name for s in suites)]))
    report.out_dir = str(out_dir)
    bar = _Progress(progress, total=len(backends) * sum(len(s.cases) for s in suites))
    try:
        for backend in dict.fromkeys(backends):
            backend_settings = _backend_settings(settings, backend, out_dir)
            run = report.backends.setdefault(backend, BackendRun(backend=backend, model=backend_settings.llm_model))
            run.available, run.reason = True, None
            for suite in suites:
                for case in suite.cases:
                    key = case_key(suite, case)
                    bar.step(f"{backend} {key}")
                    if not run.available or (key in run.cases and run.cases[key].status == "done"):
                        bar.step(f"{backend} {key}", advance=1)
                        continue
                    try:
                        run.cases[key] = _run_case(suite, case, run, backend_settings, model_factory, out_dir / "inputs", with_audio)
                    except _unavailable_errors() as error:
                        run.available, run.reason = False, f"The {backend} backend could not run: {error}"
                    atomic_write_json(results_path, report)
                    bar.step(f"{backend} {key}", advance=1)
    finally:
        bar.close()
    if ablations:
        from tunesmith.agent.eval.ablations import run_ablations

        report.ablations = run_ablations(suites, out_dir / "ablations", seed=settings.seed, photos=photos).model_dump(mode="json")
        atomic_write_json(results_path, report)
    if realism:
        from tunesmith.agent.eval.realism import realism_report
        from tunesmith.tools.melody_model.limits import ModelCannotCompose

        try:
            report.realism = realism_report(realism, seed=settings.seed, cache_dir=settings.cache_dir).model_dump(mode="json")
        except ModelCannotCompose as reason:
            report.realism = {"note": f"The realism comparison was not run: {reason}."}
    if with_audio:
        from tunesmith.agent.eval.audio_distance import audio_distribution

        report.audio_distribution = audio_distribution(report, out_dir)
        atomic_write_json(results_path, report)
    from tunesmith.agent.eval.judge import judge_report

    report.judge = judge_report(report, judge, settings).model_dump(mode="json")
    atomic_write_json(results_path, report)
    write_reports(report, out_dir)
    return report
