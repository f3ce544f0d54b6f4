"""A tiny randomly initialised melody model (and its weights folder) for tests of the mechanics:
constraints, infilling, loading and fallbacks hold whatever the network says; and a real jig."""

from __future__ import annotations

from pathlib import Path

THE_KESH = """X:1
T:The Kesh
R:jig
M:6/8
L:1/8
K:G
|:GAG GAB|ABA ABd|edd gdd|edB dBA|GAG GAB|ABA ABd|edd gdB|AGF G3:|
|:BAB dBd|ege dBA|BAB dBG|ABA AGA|BAB dBd|ege dBd|gfg aga|bgf g3:|
"""

# Corpus statistics as the trained model's facts hold them (made up, plausible): tunes per meter,
# note lengths per meter (1/96 whole notes), no pitch classes outside each mode's scale.
FACTS = {
    "meters": {"2/4": 3000, "4/4": 2400, "6/8": 1800, "3/4": 1600, "2/2": 800, "3/8": 300, "9/8": 130, "7/8": 2},
    "mode_pitch_classes": {},
    "meter_lengths": {meter: {"6": 0.2, "12": 0.5, "18": 0.05, "24": 0.2, "36": 0.05}
                      for meter in ("2/4", "4/4", "6/8", "3/4", "2/2", "3/8", "9/8", "7/8")},
}


def tiny_melody_model(seed: int = 0, context: int = 256):
    """A MelodyModel with a one-layer, 32-wide random network and the FACTS above."""
    import torch

    from tunesmith.tools.melody_model.network import MelodyNetwork, NetworkConfig
    from tunesmith.tools.melody_model.vocab import vocabulary
    from tunesmith.tools.melody_model.weights import MelodyModel

    torch.manual_seed(seed)
    network = MelodyNetwork(NetworkConfig(vocab_size=len(vocabulary()), context=context, layers=1, width=32, heads=2,
                                          dropout=0.0))
    network.eval()
    return MelodyModel(network=network, facts=FACTS, calibration={"all": [-3.0, -2.5, -2.0, -1.5, -1.0]})


def write_tiny_weights(folder: Path) -> Path:
    """Save the tiny model as shipped weights are saved (model.pt + model.sha256); returns the folder."""
    from tunesmith.tools.melody_model.weights import save

    save(folder, tiny_melody_model().network, FACTS)
    return folder
