"""Does the musicnn text–audio score tell matching request/render pairs from mismatched ones? (AUC)

Run: .venv/bin/python benchmarks/text_score_bench.py [--calibrate] [--cache FILE]

Every request of eval/text_requests.yaml is planned from its words (tools.planning), composed
(no exemplars, no refinement: deterministic) and rendered by the product (abc2midi + FluidSynth), then
tagged by musicnn. Pairs: each request with its own render (match) and with every other render
(mismatch, i.e. all shuffled pairings). The requests are split in two: the even-numbered ones fit the
calibration (tag statistics, softmax temperature, logistic curve), the odd-numbered ones are held out
and the AUC reported for them is on pairs among held-out requests and renders only. Baseline in the
same run: the descriptor match (librosa descriptors vs targets read from the words; 0.5 where the
words set no target). `--calibrate` writes tools/audio/musicnn/calibration.json from the fitting half.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SUITE = Path(__file__).resolve().parent.parent / "eval" / "text_requests.yaml"
TEMPERATURES = (0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2)


def renders(requests: list[str], folder: Path) -> tuple[list, list]:
    """(musicnn tag logits, descriptors) of one composed and rendered tune per request."""
    from tunesmith.tools.audio.describe import audio_descriptors, load_audio
    from tunesmith.tools.audio.musicnn.tagger import tag_audio
    from tunesmith.tools.audio.musicnn.text_match import tag_logits
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.planning.request import plan_from_request
    from tunesmith.tools.render import render_all

    logits, descriptors = [], []
    for number, request in enumerate(requests):
        tune = compose_abc(plan_from_request(request, seed=number)).abc
        wav = render_all(tune, folder, f"r{number:02d}", formats=["wav"]).wav
        logits.append(tag_logits(tag_audio(wav)))
        samples, sr = load_audio(wav)
        descriptors.append(audio_descriptors(samples, sr))
    return logits, descriptors


def auc(matrix, rows: list[int]) -> float:
    """AUC of scores[i][j] (text i, render j) over the given rows/columns: diagonal positive, rest negative."""
    from sklearn.metrics import roc_auc_score

    labels, scores = [], []
    for i in rows:
        for j in rows:
            labels.append(int(i == j))
            scores.append(matrix[i][j])
    return float(roc_auc_score(labels, scores))


def cached_renders(requests: list[str], cache: Path | None) -> tuple:
    """renders(), read from / written to `cache` (an .npz) so the fitting can be rerun without rendering."""
    import pickle

    if cache is not None and cache.is_file():
        stored = pickle.loads(cache.read_bytes())
        if stored["requests"] == requests:
            return stored["logits"], stored["descriptors"]
    with tempfile.TemporaryDirectory(prefix="tunesmith-textscore-") as work:
        logits, descriptors = renders(requests, Path(work))
    if cache is not None:
        cache.write_bytes(pickle.dumps({"requests": requests, "logits": logits, "descriptors": descriptors}))
    return logits, descriptors


def auc_rows(matrix, texts: list[int], clips: list[int]) -> float:
    """AUC over texts `texts` against clips `clips` (a text's own render positive, the others negative)."""
    from sklearn.metrics import roc_auc_score

    labels = [int(i == j) for i in texts for j in clips]
    return float(roc_auc_score(labels, [matrix[i][j] for i in texts for j in clips]))


def run(calibrate: bool, cache: Path | None = None) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.tools.audio.musicnn.text_match import CALIBRATION_FILE, asked, tag_order
    from tunesmith.tools.audio.targets import descriptor_match, targets_for_text
    from tunesmith.tools.planning.words import INSTRUMENT_RE

    requests = [case.request for case in load_suite(SUITE).cases]
    start = time.perf_counter()
    logits, descriptors = cached_renders(requests, cache)
    print(f"{len(requests)} requests composed, rendered and tagged in {time.perf_counter() - start:.0f} s")
    fit, held = list(range(0, len(requests), 2)), list(range(1, len(requests), 2))
    logits = np.array(logits)
    mean, std = logits[fit].mean(axis=0), logits[fit].std(axis=0) + 0.25  # 0.25: tags that never vary stay quiet
    offered = (logits - mean) / std
    raw_by_temperature = {t: asked(requests, t) @ offered.T for t in TEMPERATURES}
    temperature = max(TEMPERATURES, key=lambda t: auc(raw_by_temperature[t], fit))
    raw = raw_by_temperature[temperature]
    pairs = [(i, j) for i in fit for j in fit]
    model = LogisticRegression(class_weight="balanced").fit(
        np.array([[raw[i][j]] for i, j in pairs]), np.array([int(i == j) for i, j in pairs]))
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    descriptor = [[(descriptor_match(targets_for_text(text, d)) or 0.5) for d in descriptors] for text in requests]
    print(f"temperature chosen on the fitting half: {temperature}; logistic slope {slope:.3f}, intercept {intercept:.3f}")
    print(f"AUC, held-out half ({len(held)} requests, {len(held)} matching and {len(held) * (len(held) - 1)} mismatched pairs):")
    print(f"  musicnn tag match   {auc(raw, held):.3f}")
    print(f"  descriptor match    {auc(descriptor, held):.3f}  (baseline, same pairs)")
    spread_raw = np.array(raw)[np.ix_(fit, fit)].std()
    spread_descriptor = np.array(descriptor)[np.ix_(fit, fit)].std()
    both = np.array(raw) / spread_raw + np.array(descriptor) / spread_descriptor
    print(f"  both, equal weight  {auc(both, held):.3f}  (each scaled by its spread on the fitting half)")
    print("  chance              0.500")
    named = [i for i in held if INSTRUMENT_RE.search(requests[i])]
    print(f"AUC, held-out requests that name an instrument ({len(named)} texts vs all {len(held)} held-out renders): "
          f"tag match {auc_rows(raw, named, held):.3f}, descriptor match {auc_rows(descriptor, named, held):.3f}")
    print(f"AUC on the fitting half (in-sample): tag match {auc(raw, fit):.3f}, descriptor match {auc(descriptor, fit):.3f}")
    probabilities = 1 / (1 + np.exp(-(slope * raw + intercept)))
    diagonal = [probabilities[i][i] for i in held]
    off = [probabilities[i][j] for i in held for j in held if i != j]
    print(f"calibrated score, held-out: matching mean {np.mean(diagonal):.3f}, mismatched mean {np.mean(off):.3f}")
    if calibrate:
        CALIBRATION_FILE.write_text(json.dumps({
            "fitted_on": f"{len(fit)} even-numbered requests of eval/text_requests.yaml, composed and rendered "
                         "(benchmarks/text_score_bench.py --calibrate)",
            "tags": [f"{tagger}:{tag}" for tagger, tag in tag_order()],
            "mean": [round(float(v), 5) for v in mean], "std": [round(float(v), 5) for v in std],
            "temperature": temperature, "slope": round(slope, 5), "intercept": round(intercept, 5),
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="write tools/audio/musicnn/calibration.json")
    parser.add_argument("--cache", type=Path, help="keep the renders' tags and descriptors in this file (pickle)")
    arguments = parser.parse_args()
    run(arguments.calibrate, arguments.cache)
