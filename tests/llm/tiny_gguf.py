"""A tiny llama-architecture GGUF model with random weights, written by the tests (no model download).

Two layers, 64-wide, a SentencePiece-style vocabulary of a few ordered tokens, then the 256 byte
tokens (so any UTF-8 text tokenizes), then the special tokens. The transformer weights are random
(seeded); the output projection is all zeros, so every logit is exactly 0 and greedy decoding at
temperature 0 picks, among the tokens the server's grammar allows, the one with the lowest id. That
makes the model's answer under a JSON-schema grammar derivable by hand: ``ORDER`` lists the first
tokens of the vocabulary (``"`` first, so every free string closes at once), and the test derives
the answer from it. The special tokens come last: the unknown token's piece is a printable
character, which a grammar allows inside a string.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The first tokens after the three special ones, in id order: at every step the grammar allows
# several of them, and the first one allowed wins.
ORDER = ('"', "{", "]", "}", "0", ",", ":", "[", "\u2581")


def write_tiny_llama(
    path: Path, seed: int = 0, n_embd: int = 64, n_layer: int = 2, n_ctx: int = 8192
) -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    tokens: list[bytes] = [piece.encode("utf-8") for piece in ORDER]
    types = [gguf.TokenType.NORMAL] * len(ORDER)
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>".encode())
        types.append(gguf.TokenType.BYTE)
    unk, bos, eos = len(tokens), len(tokens) + 1, len(tokens) + 2
    tokens += [b"<unk>", b"<s>", b"</s>"]
    types += [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    n_vocab, n_head, n_ff = len(tokens), 4, 4 * n_embd

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * n_vocab)
    writer.add_token_types(types)
    writer.add_bos_token_id(bos)
    writer.add_eos_token_id(eos)
    writer.add_unk_token_id(unk)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(n_vocab, n_embd))
    for i in range(n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{i}.{name}.weight", weight(n_embd, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weight(n_ff, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", weight(n_ff, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weight(n_embd, n_ff))
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    writer.add_tensor("output.weight", np.zeros((n_vocab, n_embd), dtype=np.float32))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
