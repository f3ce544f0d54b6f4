"""How far the eval's renders sound from renders of held-out real tunes: a musicnn Fréchet distance.

The reference set is `tools.corpus.sample.sample_tunes(REFERENCE_TUNES, REFERENCE_SEED)`, rendered by
the product's renderer (chord symbols kept: abc2midi plays them softly, as it does for composed tunes)
with piano, violin, flute and accordion in turn, under <eval folder>/reference/ (made once, reused on
--resume). The distance is `tools.audio.musicnn.frechet`: musicnn embeddings, not VGGish — comparable
between Tunesmith eval runs, never with published FAD values.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunesmith.agent.eval.metrics import EvalReport

REFERENCE_TUNES = 30
REFERENCE_SEED = 7  # not the transcription benchmark's seeds (1, 2024)
REFERENCE_INSTRUMENTS = ("piano", "violin", "flute", "accordion")


def reference_renders(folder: Path) -> list[Path]:
    """WAV renders of the held-out real tunes, made once in `folder`."""
    from tunesmith.tools.abc import set_instrument
    from tunesmith.tools.corpus.sample import sample_tunes
    from tunesmith.tools.render import RenderError, render_all

    folder.mkdir(parents=True, exist_ok=True)
    wavs = []
    for number, tune in enumerate(sample_tunes(REFERENCE_TUNES, REFERENCE_SEED)):
        wav = folder / f"real{number:02d}.wav"
        if not wav.is_file():
            try:
                abc = set_instrument(tune.abc, REFERENCE_INSTRUMENTS[number % len(REFERENCE_INSTRUMENTS)])
                render_all(abc, folder, f"real{number:02d}", formats=["wav"])
            except RenderError:
                continue
        wavs.append(wav)
    return wavs


def audio_distribution(report: EvalReport, out_dir: Path) -> dict[str, Any]:
    """Per backend: the musicnn Fréchet distance of its tune.wav files to the reference renders, or why not."""
    from tunesmith.errors import TunesmithError
    from tunesmith.tools.audio.musicnn.frechet import clip_set_distance

    result: dict[str, Any] = {"reference": f"{REFERENCE_TUNES} held-out music21 corpus tunes (seed {REFERENCE_SEED}), "
                                           f"rendered with {', '.join(REFERENCE_INSTRUMENTS)} in turn", "backends": {}}
    try:
        reference = reference_renders(out_dir / "reference")
    except (TunesmithError, RuntimeError, OSError) as error:
        return {**result, "reason": f"no reference renders: {error}"}
    for name, run in report.backends.items():
        ours = [Path(c.folder) / "tune.wav" for c in run.cases.values()
                if c.status == "done" and c.folder and (Path(c.folder) / "tune.wav").is_file()]
        try:
            result["backends"][name] = clip_set_distance(ours, reference).model_dump(mode="json")
        except (TunesmithError, ValueError) as error:
            result["backends"][name] = {"reason": str(error)}
    return result
