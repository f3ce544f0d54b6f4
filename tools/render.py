"""Render ABC to MIDI (abc2midi, music21 fallback), WAV (FluidSynth + a GM SoundFont), SVG (abcm2ps), MusicXML.

Every converter runs as a separate process with a time limit (music21 too: its ABC reader can spin
for good on a strange tune), in a private temp folder, and its output is decoded tolerantly (a
non-UTF-8 byte in a program's message never raises). Finished files are copied atomically into the
output folder, so a reader never sees half a file and nothing is written anywhere else. A missing
program is a `RenderError` that names the apt package to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from tunesmith.errors import TunesmithError
from tunesmith.memory.files import atomic_copy, atomic_write_text, confined_path
from tunesmith.tools.abc import abc2midi_errors, validate_abc
from tunesmith.tools.weights import BackendStatus

MAX_ABC_CHARS = 100_000
# Time limits in seconds: a long tune converts in well under a second; these only stop a stuck program.
ABC2MIDI_TIMEOUT_S = 20.0
ABCM2PS_TIMEOUT_S = 20.0
FLUIDSYNTH_TIMEOUT_S = 120.0
MUSIC21_TIMEOUT_S = 20.0
PEAK_TARGET_DBFS = -1.0
# Audio this far below the peak at the end of FluidSynth's output is reverb tail, trimmed away.
TAIL_FLOOR_DBFS = -60.0
FORMATS = ("abc", "mid", "wav", "svg", "musicxml")
FORMAT_ALIASES = {"midi": "mid", "audio": "wav", "score": "svg", "xml": "musicxml", "mxl": "musicxml"}
APT_PACKAGE = {"abc2midi": "abcmidi", "fluidsynth": "fluidsynth", "abcm2ps": "abcm2ps"}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


class RenderError(TunesmithError, RuntimeError):
    """A tune could not be rendered; the message says why and, for a missing program, what to install."""


class RenderResult(BaseModel):
    """Files written by `render_all` (None where a format was not asked for) and facts about the audio."""

    abc: Path | None = None
    midi: Path | None = None
    wav: Path | None = None
    svg: Path | None = None
    musicxml: Path | None = None
    duration_seconds: float | None = None  # length of the WAV in seconds
    peak_dbfs: float | None = None  # WAV peak level in dB relative to full scale


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise RenderError(
            f"{name!r} is not a valid file name; use letters, digits, '-', '_' or '.' "
            "(no path separators, at most 80 characters), e.g. 'tune'"
        )
    return name


def _check_abc(abc: str) -> str:
    if not isinstance(abc, str) or not abc.strip():
        raise RenderError("the ABC text is empty; give a tune with X:, T:, M:, L:, K: headers and notes")
    if len(abc) > MAX_ABC_CHARS:
        raise RenderError(f"the ABC text has {len(abc):,} characters; at most {MAX_ABC_CHARS:,} can be rendered")
    return abc


def _program(binary: str) -> str:
    """Absolute path of an external program on PATH, or RenderError naming its apt package."""
    found = shutil.which(binary)
    if found is None:
        raise RenderError(f"{binary} is not installed (not on PATH); install it with `apt-get install {APT_PACKAGE[binary]}`")
    return found


def _run(
    command: list[str], cwd: Path, timeout_seconds: float, *, name: str | None = None, stdin_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a program with a time limit; its output decoded as UTF-8 with bad bytes replaced."""
    name = name or Path(command[0]).name
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=timeout_seconds, input=stdin_text, stdin=None if stdin_text is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"{name} did not finish within {timeout_seconds:g} s and was stopped") from None
    except OSError as exc:
        raise RenderError(f"{name} could not be started: {exc}") from None


def _error_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().lower().startswith("error")]


def render_midi(abc: str, out_dir: Path, name: str = "tune") -> Path:
    """Write `<name>.mid` from ABC with abc2midi; music21 is the fallback when abc2midi is missing or fails.

    abc2midi's MIDI is kept unless it reports an error that loses notes (`tools.abc.abc2midi_errors`,
    the same judge the validator uses). The fallback is tried only for a tune our validator reads
    without symbol, header or structure errors: music21 guesses at anything else, slowly.
    """
    _check_abc(abc)
    target = confined_path(out_dir, f"{_check_name(name)}.mid")
    with tempfile.TemporaryDirectory(prefix="tunesmith-midi-") as work:
        folder = Path(work)
        (folder / "tune.abc").write_text(abc, encoding="utf-8")
        midi = folder / "tune.mid"
        try:
            result = _run([_program("abc2midi"), "tune.abc", "-o", "tune.mid"], folder, ABC2MIDI_TIMEOUT_S)
            errors = abc2midi_errors(result.stdout + result.stderr)
            if result.returncode == 0 and not errors and midi.is_file() and midi.stat().st_size > 0:
                return atomic_copy(midi, target)
            why = f"abc2midi: {'; '.join(errors)}" if errors else f"abc2midi exited with status {result.returncode} and wrote no MIDI"
        except RenderError as exc:
            why = str(exc)
        midi.unlink(missing_ok=True)
        unreadable = _unreadable_for_music21(abc)
        if unreadable:
            raise RenderError(f"the tune could not be turned into MIDI: {why}; repair it first ({unreadable})")
        try:
            _music21_convert(abc, "midi", midi)
        except RenderError as exc:
            raise RenderError(f"the tune could not be turned into MIDI: {why}; the music21 fallback failed too: {exc}") from None
        return atomic_copy(midi, target)


def _unreadable_for_music21(abc: str) -> str | None:
    """Why the tune is not worth handing to music21 (our parser's first error other than bar lengths), or None."""
    try:
        report = validate_abc(abc, check_abc2midi=False)
    except TunesmithError as exc:
        return str(exc)
    blocking = [p.message for p in report.errors if p.kind not in ("bar_duration", "pitch", "repeat")]
    return blocking[0] if blocking else None


# Runs in a fresh interpreter, so a music21 that spins on a strange tune can be stopped: reads ABC on
# stdin, writes the score as argv[1] ("midi", "musicxml", or "none" to only read it) to argv[2].
_MUSIC21_SCRIPT = """
import sys
from music21 import converter
fmt, destination = sys.argv[1], sys.argv[2]
try:
    score = converter.parse(sys.stdin.read(), format="abc")
except Exception as exc:
    print(f"music21 could not read the ABC ({type(exc).__name__}: {exc})"[:300]); sys.exit(3)
if not score.flatten().notes:
    print("music21 found no notes in the ABC"); sys.exit(3)
if fmt != "none":
    try:
        score.write(fmt, fp=destination)
    except Exception as exc:
        print(f"music21 could not write {fmt} ({type(exc).__name__}: {exc})"[:300]); sys.exit(3)
"""


def _music21_convert(abc: str, fmt: str, destination: Path | None) -> None:
    """Have music21 read the tune (and write it as `fmt` to `destination`) in a child process with a time limit."""
    work = destination.parent if destination is not None else Path(tempfile.gettempdir())
    command = [sys.executable, "-c", _MUSIC21_SCRIPT, fmt, str(destination or "-")]
    result = _run(command, work, MUSIC21_TIMEOUT_S, name="music21", stdin_text=abc)
    lines = (result.stdout or "").strip().splitlines()
    if result.returncode == 3 and lines:
        raise RenderError(lines[-1])
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        raise RenderError(f"music21 failed ({detail[0][:200]})")
    if destination is not None and not destination.is_file():
        raise RenderError(f"music21 wrote no {fmt} file")


def music21_reads(abc: str) -> bool:
    """True when music21's ABC reader finds notes in the tune (within MUSIC21_TIMEOUT_S seconds)."""
    try:
        _check_abc(abc)
        _music21_convert(abc, "none", None)
    except RenderError:
        return False
    return True


def render_wav(
    midi_path: Path,
    out_dir: Path,
    *,
    soundfont: Path | None = None,
    sample_rate: int | None = None,
    name: str = "tune",
) -> Path:
    """Synthesise `<name>.wav` (16-bit, `sample_rate` Hz) from a MIDI file with FluidSynth.

    The audio is normalised to a peak of about -1 dBFS so it is never near-silent, and the silent
    reverb tail FluidSynth appends is trimmed, so the length matches the music.
    """
    from tunesmith.settings import get_settings

    settings = get_settings()
    soundfont = Path(soundfont or settings.soundfont)
    sample_rate = int(sample_rate or settings.sample_rate)
    target = confined_path(out_dir, f"{_check_name(name)}.wav")
    midi_path = Path(midi_path)
    if not midi_path.is_file():
        raise RenderError(f"MIDI file {midi_path} does not exist; render the tune to MIDI first")
    if not 8000 <= sample_rate <= 192000:
        raise RenderError(f"sample rate {sample_rate} Hz is not valid; use 8000..192000 Hz, e.g. 44100")
    if not soundfont.is_file():
        raise RenderError(
            f"SoundFont {soundfont} not found; install one with `apt-get install fluid-soundfont-gm` "
            "or set TUNESMITH_SOUNDFONT to an .sf2 file"
        )
    fluidsynth = _program("fluidsynth")
    with tempfile.TemporaryDirectory(prefix="tunesmith-wav-") as work:
        folder = Path(work)
        raw = folder / "raw.wav"
        command = [fluidsynth, "-ni", "-q", "-F", str(raw), "-r", str(sample_rate), "-g", "0.6", "-T", "wav",
                   str(soundfont), str(midi_path.resolve())]
        result = _run(command, folder, FLUIDSYNTH_TIMEOUT_S)
        if result.returncode != 0 or not raw.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RenderError(f"fluidsynth could not render {midi_path.name}: {detail[0]}")
        finished = folder / "tune.wav"
        _normalise(raw, finished)
        return atomic_copy(finished, target)


def _normalise(source: Path, destination: Path) -> None:
    """Scale to a -1 dBFS peak and trim the trailing tail below -60 dBFS; RenderError for silence."""
    import numpy as np
    import soundfile

    samples, rate = soundfile.read(source, dtype="float32", always_2d=True)
    envelope = np.abs(samples).max(axis=1)
    peak = float(envelope.max()) if envelope.size else 0.0
    if peak < 1e-6:
        raise RenderError("FluidSynth produced silence; the MIDI file has no audible notes")
    end = int(np.flatnonzero(envelope > peak * 10 ** (TAIL_FLOOR_DBFS / 20))[-1]) + 1
    trimmed = samples[:end] * (10 ** (PEAK_TARGET_DBFS / 20) / peak)
    soundfile.write(destination, trimmed, rate, subtype="PCM_16")


def render_svg(abc: str, out_dir: Path, name: str = "tune") -> Path:
    """Engrave the (first) tune as one SVG score, `<name>.svg`, with abcm2ps."""
    _check_abc(abc)
    target = confined_path(out_dir, f"{_check_name(name)}.svg")
    abcm2ps = _program("abcm2ps")
    with tempfile.TemporaryDirectory(prefix="tunesmith-svg-") as work:
        folder = Path(work)
        (folder / "tune.abc").write_text(abc, encoding="utf-8")
        result = _run([abcm2ps, "-q", "-g", "-O", "score.svg", "tune.abc"], folder, ABCM2PS_TIMEOUT_S)
        pages = sorted(folder.glob("score*.svg"))
        if result.returncode != 0 or not pages:
            why = "; ".join(_error_lines(result.stdout + result.stderr)) or "no score was engraved (is there a K: header and notes?)"
            raise RenderError(f"abcm2ps could not engrave the tune: {why}")
        return atomic_copy(pages[0], target)


def render_musicxml(abc: str, out_dir: Path, name: str = "tune") -> Path:
    """Convert the tune to MusicXML, `<name>.musicxml`, with music21."""
    _check_abc(abc)
    target = confined_path(out_dir, f"{_check_name(name)}.musicxml")
    with tempfile.TemporaryDirectory(prefix="tunesmith-xml-") as work:
        written = Path(work) / "tune.musicxml"
        _music21_convert(abc, "musicxml", written)
        return atomic_copy(written, target)


def render_all(
    abc: str, out_dir: Path, name: str = "tune", formats: Sequence[str] = ("abc", "mid", "wav", "svg")
) -> RenderResult:
    """Write the asked formats (of abc, mid, wav, svg, musicxml) as `<name>.<ext>`; wav brings mid with it.

    Common other names a model may use are accepted: midi, audio, score, xml.
    """
    formats = [FORMAT_ALIASES.get(str(fmt).strip().lower(), str(fmt).strip().lower()) for fmt in formats]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FORMATS)}")
    _check_abc(abc)
    _check_name(name)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = RenderResult()
    if "abc" in formats:
        result.abc = atomic_write_text(confined_path(out_dir, f"{name}.abc"), abc if abc.endswith("\n") else abc + "\n")
    if "mid" in formats or "wav" in formats:
        result.midi = render_midi(abc, out_dir, name)
    if "wav" in formats:
        result.wav = render_wav(result.midi, out_dir, name=name)
        result.duration_seconds, result.peak_dbfs = _wav_facts(result.wav)
    if "svg" in formats:
        result.svg = render_svg(abc, out_dir, name)
    if "musicxml" in formats:
        result.musicxml = render_musicxml(abc, out_dir, name)
    return result


def _wav_facts(wav: Path) -> tuple[float, float]:
    """Duration (seconds) and peak level (dBFS) of a WAV file."""
    import numpy as np
    import soundfile

    samples, rate = soundfile.read(wav, dtype="float32", always_2d=True)
    peak = float(np.abs(samples).max())
    return round(len(samples) / rate, 3), round(20 * float(np.log10(max(peak, 1e-9))), 2)


def render_checks() -> list[BackendStatus]:
    """`tunesmith doctor` rows for the renderers: abc2midi, fluidsynth, the SoundFont, abcm2ps."""
    from tunesmith.settings import get_settings

    def program_row(binary: str, purpose: str, fallback: str, required: bool) -> BackendStatus:
        path = shutil.which(binary)
        if path:
            return BackendStatus(binary, True, f"{path} ({purpose})", required=required)
        return BackendStatus(binary, False, f"not on PATH; {fallback}", f"apt-get install {APT_PACKAGE[binary]}", required)

    soundfont = Path(get_settings().soundfont)
    soundfont_row = BackendStatus(
        "soundfont", soundfont.is_file(),
        f"{soundfont} ({'found' if soundfont.is_file() else 'missing; no WAV audio without it'})",
        "" if soundfont.is_file() else "apt-get install fluid-soundfont-gm, or set TUNESMITH_SOUNDFONT to an .sf2 file",
        required=True,
    )
    return [
        program_row("abc2midi", "ABC to MIDI", "MIDI falls back to music21 (slower, no chord accompaniment)", False),
        program_row("fluidsynth", "MIDI to WAV", "no WAV audio", True),
        soundfont_row,
        program_row("abcm2ps", "ABC to SVG score", "no SVG score (MusicXML via music21 still works)", False),
    ]
