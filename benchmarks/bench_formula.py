"""Benchmark the formula engine: count_table on N synthetic configs vs transformers on the meta device.

    python benchmarks/bench_formula.py            # 1,000,000 configs
    python benchmarks/bench_formula.py --n 50000 --sample 20

Synthetic configs cover every family with plausible widths, depths and flags (columns built with
numpy, missing keys NaN, as the pipeline's tables are). The transformers timing instantiates a sample
of the same configs on the meta device (families transformers implements) and compares per-config
cost. Prints a small table; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from pipeline import formula  # noqa: E402

REMOTE_ONLY = {"deepseek", "phi3small"}


def _family_frame(family: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    heads = rng.choice([8, 16, 32, 64], n)
    head_dim = rng.choice([64, 128], n)
    hidden = heads * head_dim
    layers = rng.integers(2, 97, n)
    vocab = rng.choice([32000, 50257, 65024, 102400, 128256, 151936, 256000], n)
    inter = (hidden * rng.choice([2.5, 2.75, 4.0], n) // 256 * 256).astype(np.int64)
    kv = np.maximum(heads // rng.choice([1, 4, 8], n), 1)
    flag = lambda p=0.5: rng.random(n) < p  # noqa: E731
    cols: dict[str, object]
    if family == "gpt2":
        cols = {"n_embd": hidden, "n_head": heads, "n_layer": layers, "vocab_size": vocab,
                "n_positions": rng.choice([1024, 2048], n), "tie_word_embeddings": flag(0.9)}
    elif family == "gpt_neox":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "intermediate_size": 4 * hidden, "use_parallel_residual": flag(0.8)}
    elif family == "opt":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "ffn_dim": 4 * hidden, "max_position_embeddings": 2048,
                "word_embed_proj_dim": np.where(flag(0.1), hidden // 2, hidden), "do_layer_norm_before": flag(0.9)}
    elif family == "bloom":
        cols = {"hidden_size": hidden, "n_head": heads, "n_layer": layers, "vocab_size": vocab}
    elif family == "falcon":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "new_decoder_architecture": flag(), "num_kv_heads": kv,
                "multi_query": flag(), "parallel_attn": flag(0.8), "bias": flag(0.2)}
    elif family in ("deepseek_v2", "deepseek_v3"):
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "intermediate_size": inter, "moe_intermediate_size": inter // 8,
                "n_routed_experts": rng.choice([64, 160, 256], n), "n_shared_experts": rng.choice([1, 2], n),
                "num_experts_per_tok": rng.choice([6, 8], n), "kv_lora_rank": 512, "qk_nope_head_dim": 128,
                "qk_rope_head_dim": 64, "v_head_dim": 128, "first_k_dense_replace": rng.integers(0, 4, n),
                "q_lora_rank": np.where(flag(0.8), 1536.0, np.nan)}
    elif family in ("glm4_moe_lite", "glm_moe_dsa"):
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "intermediate_size": inter, "moe_intermediate_size": inter // 8,
                "n_routed_experts": rng.choice([64, 256], n), "num_experts_per_tok": rng.choice([4, 8], n),
                "kv_lora_rank": 512, "qk_nope_head_dim": 192, "qk_rope_head_dim": 64, "v_head_dim": 256,
                "q_lora_rank": rng.choice([768, 2048], n)}
        if family == "glm_moe_dsa":
            cols.update(first_k_dense_replace=rng.integers(0, 4, n), index_n_heads=32, index_head_dim=128)
    elif family in ("qwen3_5", "qwen3_5_moe", "mistral3", "gemma3"):
        # composites: the language model's widths in a text_config dict per row (vision tower: class defaults)
        text = {"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv,
                "num_hidden_layers": layers, "vocab_size": vocab, "head_dim": head_dim}
        if family == "qwen3_5_moe":
            text.update(num_experts=rng.choice([128, 256, 512], n), num_experts_per_tok=rng.choice([8, 10], n),
                        moe_intermediate_size=inter // 16, shared_expert_intermediate_size=inter // 16)
        else:
            text["intermediate_size"] = inter
        if family == "mistral3":
            text["model_type"] = np.where(flag(), "mistral", "ministral3")
        frame = pd.DataFrame({k: (np.full(n, v) if np.isscalar(v) else v) for k, v in text.items()})
        cols = {"text_config": np.array(frame.to_dict("records") if n else [], dtype=object),
                "tie_word_embeddings": flag(0.3)}
    elif family == "deepseek":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": heads,
                "num_hidden_layers": layers, "vocab_size": vocab, "intermediate_size": inter,
                "moe_intermediate_size": inter // 8, "n_routed_experts": 64, "n_shared_experts": 2,
                "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1}
    elif family == "phi3small":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv,
                "num_hidden_layers": layers, "vocab_size": vocab, "ff_intermediate_size": inter}
    elif family in ("bert", "roberta", "xlm-roberta"):
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                "vocab_size": vocab, "intermediate_size": 4 * hidden, "max_position_embeddings": 512,
                "type_vocab_size": 2}
    elif family in ("t5", "mt5", "umt5"):
        cols = {"d_model": hidden, "num_heads": heads, "num_layers": layers // 2 + 1, "vocab_size": 32128,
                "d_ff": inter, "d_kv": 64, "feed_forward_proj": np.where(flag(), "gated-gelu", "relu"),
                "tie_word_embeddings": flag()}
    elif family == "whisper":
        cols = {"d_model": hidden, "encoder_attention_heads": heads, "decoder_attention_heads": heads,
                "encoder_layers": layers // 4 + 1, "decoder_layers": layers // 4 + 1, "encoder_ffn_dim": 4 * hidden,
                "decoder_ffn_dim": 4 * hidden, "vocab_size": 51865, "num_mel_bins": 80,
                "max_source_positions": 1500, "max_target_positions": 448, "pad_token_id": 50257,
                "tie_word_embeddings": True}
    elif family in ("mamba", "falcon_mamba", "mamba2"):
        cols = {"hidden_size": hidden, "num_hidden_layers": layers, "vocab_size": vocab, "expand": 2,
                "state_size": rng.choice([16, 64, 128], n), "conv_kernel": 4}
        if family == "mamba2":  # Mamba2Config requires num_heads x head_dim = expand x hidden_size
            num_heads = rng.choice([16, 32], n)
            cols.update(n_groups=rng.choice([1, 8], n), num_heads=num_heads, head_dim=2 * hidden // num_heads)
    elif family == "vit":
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers // 3 + 1,
                "intermediate_size": 4 * hidden, "image_size": rng.choice([224, 384], n),
                "patch_size": rng.choice([14, 16, 32], n)}
    else:   # llama-like
        cols = {"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv,
                "num_hidden_layers": layers, "vocab_size": vocab, "intermediate_size": inter,
                "tie_word_embeddings": flag(0.3)}
        if family in ("gemma", "gemma2"):
            cols["head_dim"] = rng.choice([128, 256], n)
        if family == "mixtral":
            cols.update(num_local_experts=rng.choice([8, 16], n), num_experts_per_tok=2)
        if family == "qwen2_moe":
            cols.update(moe_intermediate_size=inter // 8, shared_expert_intermediate_size=inter // 2,
                        num_experts=rng.choice([60, 64], n), num_experts_per_tok=4)
        if family == "llama":
            cols["attention_bias"] = flag(0.1)
        if family == "phi3":   # Phi3Config's default pad_token_id (32000) must fit the vocabulary
            cols.update(pad_token_id=0, bos_token_id=1, eos_token_id=2)
        if family in ("gpt_oss", "granitemoe", "phimoe", "llama4_text"):
            cols.update(num_local_experts=rng.choice([8, 16, 32], n), num_experts_per_tok=rng.choice([1, 2, 4], n))
        if family == "minimax_m2":
            cols.update(num_local_experts=rng.choice([128, 256], n), num_experts_per_tok=8)
        if family in ("minimax_m2", "ministral3"):
            cols["head_dim"] = rng.choice([64, 128], n)
        if family in ("qwen3_moe", "olmoe"):
            cols.update(num_experts=rng.choice([32, 64, 128], n), num_experts_per_tok=8,
                        moe_intermediate_size=inter // 8)
        if family == "glm4_moe":
            cols.update(n_routed_experts=rng.choice([64, 128], n), num_experts_per_tok=8,
                        moe_intermediate_size=inter // 8, first_k_dense_replace=rng.integers(0, 4, n))
        if family == "gpt_bigcode":
            cols["n_positions"] = rng.choice([2048, 8192], n)
        if family in ("qwen3", "gemma3_text", "llama4_text", "gpt_oss", "hunyuan_v1_dense", "hunyuan_v1_moe"):
            cols["head_dim"] = rng.choice([64, 128, 256], n)
    frame = pd.DataFrame({k: (np.full(n, v) if np.isscalar(v) else v) for k, v in cols.items()})
    frame["model_type"] = family
    return frame


def synthetic_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    families = list(formula.FAMILY_CLASSES)
    sizes = np.full(len(families), n // len(families))
    sizes[: n % len(families)] += 1
    frames = [_family_frame(f, int(k), rng) for f, k in zip(families, sizes) if k]
    table = pd.concat(frames, ignore_index=True, sort=False)
    table.index = pd.Index([f"synthetic-{i:07d}" for i in range(len(table))], name="model_id")
    return table


def _row_config(row: pd.Series) -> dict:
    cfg = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
        elif isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
            value = int(value)
        elif isinstance(value, dict):          # a composite's sub-config: numpy scalars as Python values
            value = {k: v.item() if isinstance(v, np.generic) else v for k, v in value.items()}
        cfg[key] = value
    return cfg


def meta_count(cfg: dict) -> int:
    """transformers' count of one config on the meta device, building the class the engine counts for the
    family (BertModel, MT5ForConditionalGeneration, LlamaForCausalLM, ...) so the sample compares like with like."""
    from pipeline.formula.fallback import meta_count as transformers_meta_count

    counted_class = formula.FAMILY_CLASSES[cfg["model_type"]].split(" ")[0]  # "BertModel (with pooler)"
    counted = transformers_meta_count({**cfg, "architectures": [counted_class]})
    if cfg["model_type"] in ("t5", "mt5", "umt5") and cfg.get("tie_word_embeddings") is False:
        # transformers 5 always ties the T5 family; an untied checkpoint has its own lm_head (as the tests count)
        return int(counted["total"]) + int(counted["input_embedding"])
    return int(counted["total"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="synthetic configs (default 1,000,000)")
    ap.add_argument("--sample", type=int, default=20, help="configs instantiated with transformers (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    table = synthetic_table(args.n, args.seed)
    t_gen = time.perf_counter() - t0

    t0 = time.perf_counter()
    out = formula.count_table(table, fallback_to_transformers=False)   # the vectorized formulas alone
    t_engine = time.perf_counter() - t0
    errors = int(out["error"].notna().sum())

    rows = [("configs", f"{len(table):,}"), ("families", f"{table['model_type'].nunique()}"),
            ("columns", f"{table.shape[1]}"), ("table build", f"{t_gen:.2f} s"),
            ("count_table", f"{t_engine:.2f} s"), ("methods", ", ".join(sorted(out["method"].dropna().unique()))), ("engine rate", f"{len(table) / t_engine:,.0f} configs/s"),
            ("rows with error", f"{errors:,}")]

    if args.sample > 0:
        try:
            import transformers
            transformers.logging.set_verbosity_error()
            warnings.filterwarnings("ignore")
            native = table[~table["model_type"].isin(REMOTE_ONLY)]
            pick = native.sample(n=min(args.sample, len(native)), random_state=args.seed)
            configs = [_row_config(r) for _, r in pick.iterrows()]
            t0 = time.perf_counter()
            counts = []
            for c in configs:
                try:
                    counts.append(meta_count(c))
                except Exception:    # a synthetic config transformers rejects: not timed against
                    counts.append(None)
            t_meta = time.perf_counter() - t0
            agree = sum(c is not None and int(out.loc[i, "total"]) == c for i, c in zip(pick.index, counts))
            per_meta = t_meta / len(configs)
            per_engine = t_engine / len(table)
            rows += [("meta sample", f"{len(configs)} configs in {t_meta:.2f} s"),
                     ("meta rate", f"{len(configs) / t_meta:,.1f} configs/s"),
                     ("per config", f"engine {per_engine * 1e6:.2f} µs, meta {per_meta * 1e3:.1f} ms"),
                     ("speed-up", f"{per_meta / per_engine:,.0f}×"),
                     ("sample agrees", f"{agree}/{len(configs)}")]
        except ImportError as exc:  # transformers/torch not installed
            rows.append(("meta sample", f"skipped ({exc.name} not installed)"))

    width = max(len(k) for k, _ in rows)
    print("formula engine benchmark")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


if __name__ == "__main__":
    main()
