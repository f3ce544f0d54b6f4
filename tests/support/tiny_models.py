"""Tiny randomly initialised MusicGen, MusicGen-melody and CLAP folders, built offline for tests.

Each builder writes what `from_pretrained` needs (config, weights, generation config, tokenizer and
feature-extractor files) into a folder, so the real loading and generation code runs with no download.
The audio side keeps the real shapes that matter (EnCodec at 32 kHz, 50 frames/s, 4 codebooks; CLAP's
48 kHz log-mel input); everything else is as small as transformers allows, so a clip generates in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A small word vocabulary: music words a test prompt uses, plus single letters so any text tokenises.
_WORDS = (
    "a an the and with of for in on slow fast calm busy bright dark happy sad christmas jig reel "
    "folk fiddle piano guitar drums bass strings flute waltz ambient lofi rock jazz march melody tune "
    "warm cold loud quiet gentle energetic major minor"
).split()
_LETTERS = list("abcdefghijklmnopqrstuvwxyz0123456789")


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread: tiny models spend their time in thread hand-offs, worst on a busy CPU."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


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


def _spread_codebooks(model) -> None:
    """Make the random EnCodec decode each code differently.

    transformers initialises the codebooks to zeros (every code would sound the same), and the random
    decoder's biases would otherwise outweigh the codes; random codebooks and zero biases make the
    audio follow the generated codes, so tests can tell prompts, seeds and melodies apart by ear.
    """
    import torch
    from transformers.models.encodec.modeling_encodec import EncodecEuclideanCodebook

    with torch.no_grad():
        for module in model.audio_encoder.modules():
            if isinstance(module, EncodecEuclideanCodebook):
                module.embed.normal_()
                module.embed_avg.copy_(module.embed)
        for name, parameter in model.audio_encoder.decoder.named_parameters():
            if "bias" in name:
                parameter.zero_()


def _widen_decoder_weights(model) -> None:
    """Re-draw the decoder's weights at unit scale (std 1/sqrt(fan-in) for linear layers, 1 for embeddings).

    At the default std of 0.02 the fixed sinusoidal positions swamp the token, text and chroma signals,
    so every prompt samples the same codes; at unit scale the conditioning visibly steers generation.
    """
    import torch

    # The projections into the decoder exist only when their widths differ from the decoder's.
    parts = [model.decoder] + [getattr(model, name) for name in ("enc_to_dec_proj", "audio_enc_to_dec_proj")
                               if hasattr(model, name)]
    with torch.no_grad():
        for part in parts:
            for module in part.modules():
                if isinstance(module, torch.nn.Linear):
                    module.weight.normal_(0.0, module.in_features**-0.5)
                elif isinstance(module, torch.nn.Embedding):
                    module.weight.normal_(0.0, 1.0)


def _generation_defaults(model, codebook_size: int, max_length: int) -> None:
    generation = model.generation_config
    generation.do_sample = True
    generation.guidance_scale = 3.0
    generation.top_k = 50
    generation.max_length = max_length
    generation.decoder_start_token_id = codebook_size
    generation.pad_token_id = codebook_size
    generation.bos_token_id = codebook_size


def build_tiny_musicgen(folder: Path, *, seed: int = 0, max_positions: int = 2048) -> Path:
    """Save a random tiny MusicgenForConditionalGeneration with its MusicgenProcessor into `folder`.

    `max_positions` (decoder steps) sets the longest window: (max_positions - 4) / 50 seconds.
    """
    import torch
    from transformers import (
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = tiny_t5_tokenizer()
    decoder = MusicgenDecoderConfig(vocab_size=64, max_position_embeddings=max_positions, num_hidden_layers=2, ffn_dim=32,
                                    num_attention_heads=2, hidden_size=16, num_codebooks=4, pad_token_id=64,
                                    bos_token_id=64)
    config = MusicgenConfig(text_encoder=_tiny_t5_config(len(tokenizer)), audio_encoder=_tiny_encodec_config(),
                            decoder=decoder)
    model = MusicgenForConditionalGeneration(config).eval()
    _spread_codebooks(model)
    _widen_decoder_weights(model)
    _generation_defaults(model, 64, 1500)
    model.save_pretrained(folder)
    MusicgenProcessor(EncodecFeatureExtractor(feature_size=1, sampling_rate=32000), tokenizer).save_pretrained(folder)
    return Path(folder)


def build_tiny_musicgen_melody(folder: Path, *, seed: int = 0) -> Path:
    """Save a random tiny MusicgenMelodyForConditionalGeneration, its tokenizer and chroma settings."""
    import torch
    from transformers import MusicgenMelodyConfig, MusicgenMelodyDecoderConfig, MusicgenMelodyForConditionalGeneration

    torch.manual_seed(seed)
    tokenizer = tiny_t5_tokenizer()
    decoder = MusicgenMelodyDecoderConfig(vocab_size=64, max_position_embeddings=2048, num_hidden_layers=2,
                                          ffn_dim=32, num_attention_heads=2, hidden_size=16, num_codebooks=4,
                                          pad_token_id=64, bos_token_id=64)
    config = MusicgenMelodyConfig(text_encoder=_tiny_t5_config(len(tokenizer)),
                                  audio_encoder=_tiny_encodec_config(), decoder=decoder)
    model = MusicgenMelodyForConditionalGeneration(config).eval()
    _spread_codebooks(model)
    _widen_decoder_weights(model)
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
    from transformers import ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor, ClapTextConfig

    torch.manual_seed(seed)
    tokenizer = tiny_roberta_tokenizer()
    text = ClapTextConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                          intermediate_size=32, max_position_embeddings=80, projection_dim=8)
    audio = ClapAudioConfig(patch_embeds_hidden_size=8, hidden_size=64, depths=[1, 1, 1, 1],
                            num_attention_heads=[1, 1, 1, 1], projection_dim=8)
    model = ClapModel(ClapConfig(text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=8)).eval()
    model.save_pretrained(folder)
    # As laion/clap-htsat-unfused ships it: one 10 s view, short clips repeated to fill it.
    ClapProcessor(ClapFeatureExtractor(truncation="rand_trunc", padding="repeatpad"), tokenizer).save_pretrained(folder)
    return Path(folder)


def build_musicgen_small_sized(folder: Path, *, seed: int = 0) -> Path:
    """Save a random model with facebook/musicgen-small's shapes (values written out here; no weights
    exist on this machine): T5-base text encoder, 24-layer 1024-wide decoder with 16 heads and 4
    codebooks of 2048 codes, EnCodec at 32 kHz. For timing only: its output is noise."""
    import torch
    from transformers import (
        EncodecConfig,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        T5Config,
    )

    torch.manual_seed(seed)
    tokenizer = tiny_t5_tokenizer()
    text = T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12,
                    feed_forward_proj="relu", decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    codec = EncodecConfig(sampling_rate=32000, upsampling_ratios=[8, 5, 4, 4], codebook_size=2048, codebook_dim=128,
                          target_bandwidths=[2.2], num_filters=64, hidden_size=128, num_lstm_layers=2,
                          use_causal_conv=False, use_conv_shortcut=False)
    decoder = MusicgenDecoderConfig(vocab_size=2048, max_position_embeddings=2048, num_hidden_layers=24, ffn_dim=4096,
                                    num_attention_heads=16, hidden_size=1024, num_codebooks=4, pad_token_id=2048,
                                    bos_token_id=2048)
    model = MusicgenForConditionalGeneration(MusicgenConfig(text_encoder=text, audio_encoder=codec, decoder=decoder)).eval()
    _generation_defaults(model, 2048, 1500)
    model.generation_config.top_k = 250
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return Path(folder)
