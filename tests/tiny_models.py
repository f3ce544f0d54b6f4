"""Tiny randomly initialised MusicGen, MusicGen-melody and CLAP folders, built offline for tests.

Each builder writes what `from_pretrained` needs (config, weights, generation config, tokenizer and
feature-extractor files) into a folder, so the real loading and generation code runs with no download.
The audio side keeps the real shapes that matter (EnCodec at 32 kHz, 50 frames/s, 4 codebooks; CLAP's
48 kHz log-mel input); everything else is as small as transformers allows, so a clip generates in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

# A small word vocabulary: music words a test prompt uses, plus single letters so any text tokenises.
_WORDS = (
    "a an the and with of for in on slow fast calm busy bright dark happy sad christmas jig reel "
    "folk fiddle piano guitar drums bass strings flute waltz ambient lofi rock jazz march melody tune "
    "warm cold loud quiet gentle energetic major minor"
).split()
_LETTERS = list("abcdefghijklmnopqrstuvwxyz0123456789")


def tiny_t5_tokenizer():
    """A T5 (Unigram) tokenizer built in memory: <pad>=0, </s>=1, <unk>=2, then words and letters."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(f"▁{word}", -1.0) for word in _WORDS]
    pieces += [(letter, -5.0) for letter in _LETTERS] + [(f"▁{letter}", -4.0) for letter in _LETTERS]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def tiny_roberta_tokenizer():
    """A byte-level BPE (RoBERTa-style, as CLAP uses) tokenizer with a byte alphabet and no merges."""
    from transformers import RobertaTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    vocab = {token: index for index, token in enumerate(specials)}
    for symbol in bytes_to_unicode().values():
        vocab.setdefault(symbol, len(vocab))
    return RobertaTokenizer(vocab=vocab, merges=[])


def _tiny_t5_config(vocab_size: int):
    from transformers import T5Config

    return T5Config(vocab_size=vocab_size, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1,
                    num_heads=2, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)


def _tiny_encodec_config():
    from transformers import EncodecConfig

    # 32 kHz with hop 8*5*4*4 = 640 samples -> 50 frames/s; 64 codes (6 bits) at 1.2 kbps -> 4 codebooks.
    return EncodecConfig(sampling_rate=32000, upsampling_ratios=[8, 5, 4, 4], codebook_size=64,
                         target_bandwidths=[1.2], num_filters=2, hidden_size=8, num_lstm_layers=1,
                         codebook_dim=8, use_causal_conv=False, use_conv_shortcut=False)


def _generation_defaults(model, codebook_size: int, max_length: int) -> None:
    generation = model.generation_config
    generation.do_sample = True
    generation.guidance_scale = 3.0
    generation.top_k = 50
    generation.max_length = max_length
    generation.decoder_start_token_id = codebook_size
    generation.pad_token_id = codebook_size
    generation.bos_token_id = codebook_size


def build_tiny_musicgen(folder: Path, *, seed: int = 0) -> Path:
    """Save a random tiny MusicgenForConditionalGeneration with its MusicgenProcessor into `folder`."""
    import torch
    from transformers import (EncodecFeatureExtractor, MusicgenConfig, MusicgenDecoderConfig,
                              MusicgenForConditionalGeneration, MusicgenProcessor)

    torch.manual_seed(seed)
    tokenizer = tiny_t5_tokenizer()
    decoder = MusicgenDecoderConfig(vocab_size=64, max_position_embeddings=2048, num_hidden_layers=2, ffn_dim=32,
                                    num_attention_heads=2, hidden_size=16, num_codebooks=4, pad_token_id=64,
                                    bos_token_id=64)
    config = MusicgenConfig(text_encoder=_tiny_t5_config(len(tokenizer)), audio_encoder=_tiny_encodec_config(),
                            decoder=decoder)
    model = MusicgenForConditionalGeneration(config).eval()
    _generation_defaults(model, 64, 1500)
    model.save_pretrained(folder)
    MusicgenProcessor(EncodecFeatureExtractor(feature_size=1, sampling_rate=32000), tokenizer).save_pretrained(folder)
    return Path(folder)


def build_tiny_musicgen_melody(folder: Path, *, seed: int = 0) -> Path:
    """Save a random tiny MusicgenMelodyForConditionalGeneration, its tokenizer and chroma settings."""
    import torch
    from transformers import (MusicgenMelodyConfig, MusicgenMelodyDecoderConfig,
                              MusicgenMelodyForConditionalGeneration)

    torch.manual_seed(seed)
    tokenizer = tiny_t5_tokenizer()
    decoder = MusicgenMelodyDecoderConfig(vocab_size=64, max_position_embeddings=2048, num_hidden_layers=2,
                                          ffn_dim=32, num_attention_heads=2, hidden_size=16, num_codebooks=4,
                                          pad_token_id=64, bos_token_id=64)
    config = MusicgenMelodyConfig(text_encoder=_tiny_t5_config(len(tokenizer)),
                                  audio_encoder=_tiny_encodec_config(), decoder=decoder)
    model = MusicgenMelodyForConditionalGeneration(config).eval()
    _generation_defaults(model, 64, 1500)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    # The melody feature extractor's own class needs torchaudio; its settings file is what we read.
    chroma_settings = {"feature_extractor_type": "MusicgenMelodyFeatureExtractor", "feature_size": 12,
                       "sampling_rate": 32000, "hop_length": 4096, "chunk_length": 30, "n_fft": 16384,
                       "num_chroma": 12, "padding_value": 0.0, "processor_class": "MusicgenMelodyProcessor"}
    (Path(folder) / "preprocessor_config.json").write_text(json.dumps(chroma_settings, indent=2))
    return Path(folder)


def build_tiny_clap(folder: Path, *, seed: int = 0) -> Path:
    """Save a random tiny ClapModel with its ClapProcessor (48 kHz log-mel features) into `folder`."""
    import torch
    from transformers import (ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor,
                              ClapTextConfig)

    torch.manual_seed(seed)
    tokenizer = tiny_roberta_tokenizer()
    text = ClapTextConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                          intermediate_size=32, max_position_embeddings=80, projection_dim=8)
    audio = ClapAudioConfig(patch_embeds_hidden_size=8, hidden_size=64, depths=[1, 1, 1, 1],
                            num_attention_heads=[1, 1, 1, 1], projection_dim=8)
    model = ClapModel(ClapConfig(text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=8)).eval()
    model.save_pretrained(folder)
    ClapProcessor(ClapFeatureExtractor(), tokenizer).save_pretrained(folder)
    return Path(folder)
