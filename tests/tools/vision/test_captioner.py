"""BLIP captions through the real transformers code path, on a tiny random BLIP built offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import image_samples as samples
from support.tiny_models import one_torch_thread

from tunesmith.tools.vision import captioner
from tunesmith.tools.vision.describe import describe_image

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "photo", "of", "the", "cat", "dog", "on", "beach",
         "at", "night", "city", "forest", "snow", "sitting", "red", "blue", "with", "and", "in"]


@pytest.fixture(scope="module")
def tiny_blip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised BLIP with 32-wide layers, saved like a real model folder (no download)."""
    import torch
    from transformers import BertTokenizer, BlipConfig, BlipForConditionalGeneration, BlipImageProcessor, BlipProcessor

    folder = tmp_path_factory.mktemp("tiny-blip")
    vocab_file = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n")
    tokenizer = BertTokenizer(vocab=str(vocab_file))
    processor = BlipProcessor(image_processor=BlipImageProcessor(size={"height": 32, "width": 32}), tokenizer=tokenizer)
    layers = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2)
    config = BlipConfig(
        text_config=dict(vocab_size=len(VOCAB), max_position_embeddings=64, bos_token_id=2, sep_token_id=3,
                         pad_token_id=0, eos_token_id=3, **layers),
        vision_config=dict(image_size=32, patch_size=8, **layers),
        projection_dim=32,
    )
    torch.manual_seed(0)
    BlipForConditionalGeneration(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


@pytest.fixture
def use_captioner(monkeypatch: pytest.MonkeyPatch):
    """Point settings.captioner_model at a folder and start with an empty model cache."""
    from tunesmith.settings import get_settings

    def use(folder: Path | str) -> None:
        monkeypatch.setenv("TUNESMITH_CAPTIONER_MODEL", str(folder))
        get_settings.cache_clear()
        captioner.load_captioner.cache_clear()

    yield use
    captioner.load_captioner.cache_clear()


@pytest.mark.slow
def test_image_with_blip_weights_gets_a_caption_from_the_model(tmp_path: Path, tiny_blip: Path, use_captioner) -> None:
    use_captioner(tiny_blip)
    path = samples.save(samples.sky_over_field(), tmp_path, "field.png")
    with one_torch_thread():
        analysis = describe_image(path)
        again = describe_image(path)
    assert analysis.caption and set(analysis.caption.split()) <= set(VOCAB)
    assert analysis.caption_status == f"captioned by BLIP from {tiny_blip}"
    assert again.caption == analysis.caption  # greedy decoding repeats
    assert captioner.load_captioner.cache_info().misses == 1  # the model loaded once


def test_missing_weights_leave_no_caption_and_say_how_to_get_them(tmp_path: Path, use_captioner) -> None:
    use_captioner(tmp_path / "no-such-blip")
    analysis = describe_image(samples.save(samples.dark_cool(), tmp_path, "night.png"))
    assert analysis.caption is None
    assert analysis.caption_status.startswith("no caption: ")
    assert "no-such-blip is not a folder on this machine" in analysis.caption_status
    assert "huggingface-cli download" in analysis.caption_status
    assert analysis.valence < 0.4  # the visual analysis still ran


def test_uncached_hub_id_is_not_downloaded(tmp_path: Path, use_captioner) -> None:
    use_captioner("Salesforce/blip-image-captioning-base")
    text, status = captioner.caption_pixels(samples.flat((10, 10, 10), 8) / 255.0)
    assert text is None
    assert "not in the Hugging Face cache" in status or "could not be fetched" in status


def test_broken_model_folder_costs_the_caption_not_the_analysis(tmp_path: Path, use_captioner) -> None:
    broken = tmp_path / "broken-blip"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "blip"}')
    (broken / "model.safetensors").write_bytes(b"not really weights")
    use_captioner(broken)
    analysis = describe_image(samples.save(samples.bright_warm(), tmp_path, "sun.png"))
    assert analysis.caption is None
    assert analysis.caption_status.startswith(f"no caption: the captioner at {broken} failed")
    assert analysis.warmth > 0.7


@pytest.mark.slow
def test_doctor_rows_report_the_captioner_with_and_without_weights(tmp_path: Path, tiny_blip: Path, use_captioner) -> None:
    use_captioner(tiny_blip)
    (present,) = captioner.captioner_checks()
    assert present.available and str(tiny_blip) in present.detail
    use_captioner(tmp_path / "absent")
    (absent,) = captioner.captioner_checks()
    assert not absent.available and absent.fix
    assert "colour, light, texture and composition" in absent.detail
