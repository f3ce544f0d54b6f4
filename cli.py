"""Tunesmith's command line: compose, chat, serve, doctor, config, prepare, index, sessions, eval.

Start with `tunesmith doctor` to see what is ready, `tunesmith compose "a cheerful jig in D major"`
for one tune, `tunesmith chat` for a conversation ("now make it slower, in minor") and
`tunesmith serve` for the same conversation in your browser.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tunesmith.errors import InputError, TunesmithError, exit_code

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

BackendOption = Annotated[str | None, typer.Option("--backend", help="LLM backend: embedded (default), ollama or openai.")]
ModelOption = Annotated[str | None, typer.Option("--model", help="Model name for the backend, e.g. qwen2.5:7b for Ollama.")]
RoundsOption = Annotated[int | None, typer.Option("--refine-rounds", help="Most critic→revise rounds (0 = no refinement).")]


def fail(message: str, code: int = 1) -> None:
    """Print one clear sentence and exit: expected failures never show a traceback."""
    errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Let a command end on any TunesmithError with its sentence and exit code (2 for bad input), no traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TunesmithError as error:
            fail(str(error), exit_code(error))

    return run


def load(**overrides: object):
    """Settings with command-line overrides; bad values end the command with the key named."""
    from tunesmith.settings import load_settings

    return load_settings(**overrides)


def chat_model_for(settings):
    """The configured chat model, or a clear sentence on why it cannot be used."""
    from tunesmith.agent.llm.factory import make_chat_model

    with console.status(f"Loading the {settings.llm_backend} model {settings.llm_model}…"):
        return make_chat_model(settings)


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


def _ask(session, request: str, **kwargs):
    """Run a turn with a live status line (the step the agent is on)."""
    with console.status("Working…") as status:
        return session.ask(request, progress=lambda step: status.update(f"{step}…"), **kwargs)


def run_with_progress(session, request: str, **kwargs):
    """Run a chat turn; Ctrl-C ends the turn cleanly and keeps the session; an error is one line, the chat goes on."""
    try:
        return _ask(session, request, **kwargs)
    except KeyboardInterrupt:
        errors.print(f"Interrupted; the session is saved (resume with `tunesmith chat --session {session.id}`).")
        return None
    except TunesmithError as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}")
        return None


@app.command()
@one_line_errors
def compose(
    request: Annotated[str, typer.Argument(help='What you want, e.g. "a melancholic waltz in D minor for violin".')],
    image: Annotated[Path | None, typer.Option(help="A picture to set the mood (photo, painting).")] = None,
    audio: Annotated[Path | None, typer.Option(help="A reference clip (WAV, FLAC, OGG, MP3).")] = None,
    abc: Annotated[Path | None, typer.Option(help="An ABC tune to edit or continue.")] = None,
    midi: Annotated[Path | None, typer.Option(help="A MIDI file to repair or continue.")] = None,
    out: Annotated[Path | None, typer.Option(help="A new or empty folder for this tune's files (default: a new session folder).")] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    refine_rounds: RoundsOption = None,
    audio_model: Annotated[str, typer.Option(help="gm: General MIDI rendering (always); musicgen: also MusicGen audio if its weights are present.")] = "gm",
    seed: Annotated[int | None, typer.Option(help="Seed, so the same request gives the same tune.")] = None,
) -> None:
    """Make one tune: ABC, MIDI, WAV, SVG score, trace.json and explanation.md.

    Exit status: 0 when a tune was made, 2 when the input is refused (nothing is loaded or saved), 1 otherwise.
    """
    from tunesmith.agent.intake import OutClaim, check_attachments, check_out_dir, check_request
    from tunesmith.agent.session import ChatSession

    if audio_model not in ("gm", "musicgen"):
        fail(f"--audio-model {audio_model!r} is not valid; use gm or musicgen", 2)
    settings = load(llm_backend=backend, llm_model=model, refine_rounds=refine_rounds, seed=seed)
    request = check_request(request)  # everything the user handed over, before any model loads
    files = check_attachments(_inputs(image, audio, abc, midi))
    out = check_out_dir(out)
    claim = OutClaim(out) if out is not None else None
    try:
        session = ChatSession.start(chat_model_for(settings), settings, request)  # the store keeps a short title
        try:
            outcome = _ask(session, request, user_files=files, turn_dir=out, want_musicgen=audio_model == "musicgen")
        except KeyboardInterrupt:
            fail(f"interrupted; the session is saved (resume with `tunesmith chat --session {session.id}`)", 130)
    finally:
        if claim is not None:
            claim.release()
    _exit_if_failed(outcome)
    show_outcome(outcome)
    console.print(f"session: {session.id} (continue it with `tunesmith chat --session {session.id}`)")


def _exit_if_failed(outcome) -> None:
    """A turn that made nothing of what was asked ends the command with its one sentence and status 1;
    so does a tune job that left no music in its folder, whatever its reply claims."""
    from tunesmith.agent.turn import TUNE_JOBS

    trace = outcome.folder / "trace.json"
    if outcome.status != "done":
        fail(f"{outcome.reply} (what happened: {trace})", 1)
    if outcome.intent in TUNE_JOBS and not _made_music(outcome.folder):
        fail(f"the turn ended without a tune{_last_note(trace)} (what happened: {trace})", 1)


def _last_note(trace: Path) -> str:
    """': <the trace's last note>' (why the agent stopped), or '' when there is none."""
    import json

    try:
        notes = json.loads(trace.read_text(encoding="utf-8")).get("notes") or []
    except (OSError, ValueError, AttributeError):
        return ""
    return f": {notes[-1]}" if notes and isinstance(notes[-1], str) else ""


def _made_music(folder: Path) -> bool:
    """True when the turn wrote music (a tune, MIDI, audio, a score), not only its trace and explanation."""
    records = {"trace.json", "explanation.md", "plan.json"}
    return folder.is_dir() and any(p.is_file() and p.name not in records and not p.name.startswith(".") for p in folder.iterdir())


CHAT_HELP = """Type a request, e.g. "a slow air in A minor", then edits like "now make it faster".
Attach files inline: `--image PATH`, `--audio PATH`, `--abc PATH`, `--midi PATH` after the words.
/play  play the current tune    /save DIR  copy its files    /undo  set the current version aside    /redo  bring it back
/history  list turns    /session  the current tune and every version    /help  this text    /quit  leave
Words work too: "go back to the first tune", "the version before the flute", "version 2 but slower"."""


_ATTACHMENT = re.compile(r"""--(image|audio|abc|midi)(?:\s+(?:"([^"]*)"|'([^']*)'|(\S+)))?""")


def _split_attachments(line: str) -> tuple[str, dict[str, Path]]:
    """The words of a chat line and the files attached with --image/--audio/--abc/--midi PATH.

    A path with spaces is written in quotes (--image "my photo.png"); quotes elsewhere are the user's words.
    """
    files: dict[str, Path] = {}
    for match in _ATTACHMENT.finditer(line):
        path = next((group for group in match.groups()[1:] if group is not None), None)
        if not path:
            raise InputError(f"--{match[1]} needs a file path after it, e.g. --{match[1]} \"my file.{match[1]}\"")
        files[match[1]] = Path(path).expanduser()
    return " ".join(_ATTACHMENT.sub(" ", line).split()), files


def _checked_chat_line(line: str) -> tuple[str, dict[str, Path]]:
    """A chat line's request and attachments, checked at the front door like `compose`'s."""
    from tunesmith.agent.intake import check_attachments, check_request

    request, files = _split_attachments(line)
    return check_request(request), check_attachments(files)


def _play(session) -> None:
    import shutil
    import subprocess

    folder = session.current_folder()
    wav = folder / "tune.wav" if folder else None
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

    folder = session.current_folder()
    if folder is None or not destination:
        console.print("Usage: /save DIR (after a tune was made)")
        return
    target = Path(destination).expanduser()
    shutil.copytree(folder, target, dirs_exist_ok=True)
    console.print(f"Copied {folder.name} to {target}")


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
        "/redo": lambda: console.print(session.redo()),
        "/history": lambda: console.print("\n".join(session.history_lines()) or "No turns yet."),
        "/session": lambda: console.print("\n".join([f"{session.id}: {session.stored.folder}", *session.state_lines()])),
    }
    actions.get(command, lambda: console.print(f"Unknown command {command}. /help lists them."))()
    return True


@app.command()
@one_line_errors
def chat(
    session_id: Annotated[str | None, typer.Option("--session", help="Resume a saved session by id.")] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    refine_rounds: RoundsOption = None,
) -> None:
    """A conversation: ask for a tune, then refine it turn by turn ("slower", "in minor", "for flute")."""
    from tunesmith.agent.session import ChatSession
    from tunesmith.memory.sessions import SessionStore

    settings = load(llm_backend=backend, llm_model=model, refine_rounds=refine_rounds)
    if session_id:
        SessionStore(settings.output_dir).load(session_id)  # a missing or broken session is said before the model loads
    chat_model = chat_model_for(settings)
    session = ChatSession.resume(session_id, chat_model, settings) if session_id else ChatSession.start(chat_model, settings)
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
        try:
            request, files = _checked_chat_line(line)
        except TunesmithError as exc:
            errors.print(f"[bold red]error:[/] {escape(str(exc))}")
            continue
        outcome = run_with_progress(session, request, user_files=files)
        if outcome is not None and outcome.status != "done":
            errors.print(f"[bold red]error:[/] {escape(outcome.reply)}")
        elif outcome is not None:
            show_outcome(outcome)
    console.print(f"Saved. Resume with `tunesmith chat --session {session.id}`.")


@app.command()
@one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 lets other machines in (with a warning).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    backend: BackendOption = None,
    model: ModelOption = None,
    refine_rounds: RoundsOption = None,
) -> None:
    """A web page for the conversation: score with a cursor, player, uploads, downloads and the why."""
    from tunesmith.web.app import create_app
    from tunesmith.web.security import binds_all_interfaces
    from tunesmith.web.server import exposure_warning
    from tunesmith.web.server import serve as run_server

    settings = load(llm_backend=backend, llm_model=model, refine_rounds=refine_rounds)
    warning = exposure_warning(host)
    if warning:
        errors.print(f"[bold yellow]warning:[/] {warning}")
    address = "localhost" if binds_all_interfaces(host) else (f"[{host}]" if ":" in host else host)
    console.print(f"Tunesmith is at [bold]http://{address}:{port}/[/] "
                  f"(sessions in {settings.output_dir}); Ctrl-C stops it.")
    try:
        run_server(create_app(settings, host=host), host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
    except KeyboardInterrupt:  # uvicorn hands Ctrl-C back after shutting down cleanly
        pass
    console.print(f"Stopped. Every session is saved in {settings.output_dir}.")


@app.command()
@one_line_errors
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
@one_line_errors
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
@one_line_errors
def prepare() -> None:
    """Get everything offline ready: assemble the embedded LLM and build the tune library (idempotent)."""
    from tunesmith.agent.llm.gguf_cache import ensure_embedded_model

    settings = load()
    path = ensure_embedded_model(settings.cache_dir)
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
@one_line_errors
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Folders or .abc files to add (default: music21's corpus).")] = None,
    rebuild: Annotated[bool, typer.Option(help="Delete the library and build it again.")] = False,
    stats: Annotated[bool, typer.Option(help="Only summarise the library.")] = False,
    limit: Annotated[int | None, typer.Option(help="Index at most this many tunes (for a quick try).")] = None,
) -> None:
    """Build or update the library of real tunes that retrieval draws on (incremental, resumable);
    after a run that changed it, its counts by source, type, key, mode and meter."""
    from tunesmith.memory.exemplars import library_stats
    from tunesmith.tools.corpus import build_index

    try:
        if not stats:
            report = build_index(paths or None, rebuild=rebuild, limit=limit)
            console.print(report.summary())
        if stats or report.added or report.removed:  # a run that changed nothing: its summary says enough
            console.print(library_stats().summary())
    except FileNotFoundError as exc:
        fail(str(exc), 2)


@sessions_app.command("list")
@one_line_errors
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
@one_line_errors
def sessions_show(session_id: str) -> None:
    """The turns of a session and where their files are."""
    from tunesmith.agent.session import turn_lines
    from tunesmith.memory.sessions import SessionStore

    stored = SessionStore(load().output_dir).load(session_id)
    console.print(f"[bold]{stored.title}[/] ({stored.folder})")
    console.print("\n".join(turn_lines(stored)) or "No turns yet.")
    if stored.state:
        from tunesmith.agent.state import ConversationState

        console.print("\n".join(ConversationState.model_validate(stored.state).lines()))


@sessions_app.command("resume")
@one_line_errors
def sessions_resume(session_id: str, backend: BackendOption = None, model: ModelOption = None) -> None:
    """Continue a session in the chat."""
    chat(session_id=session_id, backend=backend, model=model, refine_rounds=None)


@sessions_app.command("delete")
@one_line_errors
def sessions_delete(session_id: str, yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete a session folder and its files."""
    from tunesmith.memory.sessions import SessionStore

    if not yes and not typer.confirm(f"Delete session {session_id} and all its files?"):
        raise typer.Exit(1)
    SessionStore(load().output_dir).delete(session_id)
    console.print(f"Deleted {session_id}.")


@app.command("eval")
@one_line_errors
def eval_command(
    suites: Annotated[list[Path], typer.Argument(help="Suite files, e.g. eval/text_requests.yaml eval/image_requests.yaml.")],
    out: Annotated[Path, typer.Option(help="Folder for results.json, report.md, report.html and the turns.")] = Path("eval-results"),
    backend: Annotated[list[str] | None, typer.Option("--backend", help="Backend to run, repeat to compare: embedded, ollama, openai, or backend:model (ollama:qwen2.5:7b).")] = None,
    resume: Annotated[bool, typer.Option(help="Keep the cases already done in OUT/results.json; run only the rest.")] = False,
    ablations: Annotated[bool, typer.Option(help="Also run the symbolic ablations (photo bridge, retrieval, refinement).")] = True,
    judge: Annotated[str | None, typer.Option(help="LLM judge served by Ollama or an OpenAI-compatible server, e.g. ollama:qwen2.5:7b.")] = None,
    refine_rounds: RoundsOption = None,
    seed: Annotated[int | None, typer.Option(help="Seed for every case, so runs repeat.")] = None,
    realism: Annotated[int, typer.Option(help="Held-out real tunes to compare with the melody model's, the rule-based composer's and random tunes (0: skip).")] = 40,
) -> None:
    """Run evaluation suites through the agent; write results.json, report.md and report.html."""
    from tunesmith.agent.eval.report import HEADLINE, headline_rows, unavailable_sentences
    from tunesmith.agent.eval.run import run_eval

    settings = load(refine_rounds=refine_rounds, seed=seed)
    try:
        report = run_eval(suites, out, settings=settings, backends=backend or [settings.llm_backend], resume=resume,
                          ablations=ablations, judge=judge, realism=realism)
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
