"""One-off check of the torch musicnn port against musicnn's own TensorFlow code, on the same clips.

Not run in CI (it needs TensorFlow, which Tunesmith does not ship). Two steps:

1. In a throwaway environment with TensorFlow and musicnn (e.g. `python3 -m venv /tmp/tfref &&
   /tmp/tfref/bin/pip install tensorflow-cpu==2.15.1 librosa "numpy<2" soundfile &&
   /tmp/tfref/bin/pip install --no-deps musicnn==0.1.0`), run
   `/tmp/tfref/bin/python benchmarks/musicnn_port_check.py reference OUT.json CLIP.wav ...`:
   musicnn's extractor on each clip, for each tagger, twice: as shipped (its float16 log-mel) and
   with the float32 log-mel Tunesmith computes (the same input the port sees, so differences are the
   port's alone).
2. Here: `.venv/bin/python benchmarks/musicnn_port_check.py compare OUT.json` prints, per tagger,
   the Pearson correlation of tag probabilities, the largest absolute difference, top-5 agreement and
   the penultimate-embedding difference (first patch: upstream repeats it for later patches).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TAGGERS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")


def reference(out: Path, clips: list[str]) -> None:
    """Run musicnn's own TF code (this must run where `import tensorflow, musicnn` works)."""
    import librosa
    import numpy as np
    from musicnn import configuration as config
    from musicnn import extractor as reference_extractor

    shipped = reference_extractor.batch_data

    def float32_batch(audio_file: str, n_frames: int, overlap: int):
        audio, sr = librosa.load(audio_file, sr=config.SR)
        mel = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=config.FFT_HOP, n_fft=config.FFT_SIZE,
                                             n_mels=config.N_MELS).T
        rep = np.log10(10000 * mel.astype(np.float32) + 1)
        starts = range(0, rep.shape[0] - n_frames + 1, overlap)
        return np.stack([rep[s : s + n_frames] for s in starts]), rep

    results = {}
    for clip in clips:
        for tagger in TAGGERS:
            for variant, batcher in (("shipped", shipped), ("float32", float32_batch)):
                reference_extractor.batch_data = batcher
                taggram, labels, features = reference_extractor.extractor(clip, model=tagger, extract_features=True)
                row = {"tags": labels, "taggram": np.asarray(taggram).tolist()}
                if "penultimate" in features:
                    row["penultimate"] = np.asarray(features["penultimate"]).tolist()
                results[f"{clip}|{tagger}|{variant}"] = row
    reference_extractor.batch_data = shipped
    out.write_text(json.dumps(results))
    print(f"wrote {len(results)} reference runs to {out}")


def compare(reference_json: Path) -> None:
    """Print how closely the torch port agrees with the reference runs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import numpy as np
    import torch

    from tunesmith.tools.audio.describe import load_audio
    from tunesmith.tools.audio.musicnn.tagger import SAMPLE_RATE, load_tagger, log_mel, patches

    runs = json.loads(reference_json.read_text())
    clips = sorted({key.split("|")[0] for key in runs})
    print(f"{len(clips)} clips; per tagger and reference variant: Pearson r of the 50 clip-level tag "
          "probabilities (mean over patches), max |Δp| over every patch and tag, top-5 agreement, "
          "max |Δ| of the first patch's 200-d penultimate embedding")
    for tagger in TAGGERS:
        for variant in ("float32", "shipped"):
            correlations, max_diffs, top5, embedding_diffs = [], [], [], []
            for clip in clips:
                row = runs.get(f"{clip}|{tagger}|{variant}")
                if row is None:
                    continue
                samples, sr = load_audio(clip, sample_rate=SAMPLE_RATE)
                batch = patches(log_mel(samples, sr))
                with torch.inference_mode():
                    output = load_tagger(tagger)(torch.from_numpy(batch))
                ours = torch.sigmoid(output.logits).numpy()
                theirs = np.asarray(row["taggram"])
                if ours.shape != theirs.shape:
                    print(f"  {clip} {tagger}: patch count differs ({ours.shape} vs {theirs.shape}); skipped")
                    continue
                mean_ours, mean_theirs = ours.mean(0), theirs.mean(0)
                correlations.append(float(np.corrcoef(mean_ours, mean_theirs)[0, 1]))
                max_diffs.append(float(np.abs(ours - theirs).max()))
                top5.append(len(set(np.argsort(-mean_ours)[:5]) & set(np.argsort(-mean_theirs)[:5])) / 5)
                if "penultimate" in row:
                    # Only the first patch: musicnn 0.1.0's extractor appends the first batch's features
                    # again for every later batch (it concatenates `penultimate_`, not `backend_`).
                    first = np.asarray(row["penultimate"])[0]
                    embedding_diffs.append(float(np.abs(output.penultimate.numpy()[0] - first).max()))
            if correlations:
                embedding = f", embedding max |Δ| {max(embedding_diffs):.2e}" if embedding_diffs else ""
                print(f"{tagger:12s} vs {variant:8s}: r min {min(correlations):.6f} mean {np.mean(correlations):.6f}, "
                      f"max |Δp| {max(max_diffs):.2e}, top-5 agreement {np.mean(top5):.0%}{embedding}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "reference":
        reference(Path(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "compare":
        compare(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
