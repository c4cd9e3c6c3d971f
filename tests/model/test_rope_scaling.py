#!/usr/bin/python3
"""config.json rope_scaling (linear, llama3) against an independent NumPy
forward pass of a tiny random Llama: the engine's hidden states (through
`tensorcommit capture`) match the oracle for every type, differ from the
unscaled model's (so the scaling is applied), and the types the engine does
not implement are refused with one line naming config.json and the type.

The oracle follows Hugging Face transformers: _compute_default_rope_parameters,
_compute_linear_scaling_rope_parameters (inv_freq / factor) and
_compute_llama3_parameters, then LlamaModel with output_hidden_states (the
last entry after the final norm).  It is computed in float64 from the
weights in model.safetensors and shares no code with the engine.

usage: test_rope_scaling.py TENSORCOMMIT MAKE_RANDOM_MODEL"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

TC, MAKE_MODEL = sys.argv[1], sys.argv[2]
HEAD_DIM, THETA, EPS = 16, 10000.0, 1e-5
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


# ---- oracle -----------------------------------------------------------------

def inv_freq_oracle(scaling):
    inv = 1.0 / THETA ** (np.arange(0, HEAD_DIM, 2, dtype=np.float64) / HEAD_DIM)
    if scaling is None:
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / scaling["factor"]
    assert kind == "llama3"
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    ctx = scaling["original_max_position_embeddings"]
    out = np.empty_like(inv)
    for i, f in enumerate(inv):
        wavelen = 2 * math.pi / f
        if wavelen < ctx / high:
            out[i] = f
        elif wavelen > ctx / low:
            out[i] = f / factor
        else:
            smooth = (ctx / wavelen - low) / (high - low)
            out[i] = (1 - smooth) * f / factor + smooth * f
    return out


def load_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32"
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"]).astype(np.float64)
    return out


def rms_norm(x, w):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS) * w


def rotate(x, cos, sin):
    """HF rotate_half RoPE on (T, heads, d) with cos/sin (T, d/2)."""
    h = x.shape[-1] // 2
    a, b = x[..., :h], x[..., h:]
    c, s = cos[:, None, :], sin[:, None, :]
    return np.concatenate([a * c - b * s, b * c + a * s], axis=-1)


def forward_oracle(w, cfg, ids, inv_freq):
    n_heads, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    t = len(ids)
    ang = np.arange(t, dtype=np.float64)[:, None] * inv_freq[None, :]
    cos, sin = np.cos(ang), np.sin(ang)
    x = w["model.embed_tokens.weight"][ids]
    hidden = [x]
    mask = np.triu(np.full((t, t), -np.inf), 1)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(t, n_heads, HEAD_DIM)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(t, n_kv, HEAD_DIM)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(t, n_kv, HEAD_DIM)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        rep = n_heads // n_kv
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        scores = np.einsum("thd,shd->hts", q, k) / math.sqrt(HEAD_DIM) + mask
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        att = np.einsum("hts,shd->thd", scores, v).reshape(t, n_heads * HEAD_DIM)
        x = x + att @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"])
        g = h @ w[p + "mlp.gate_proj.weight"].T
        u = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (g / (1 + np.exp(-g)) * u) @ w[p + "mlp.down_proj.weight"].T
        hidden.append(x)
    hidden[-1] = rms_norm(x, w["model.norm.weight"])
    return np.stack(hidden)


# ---- engine -----------------------------------------------------------------

def with_scaling(base, d, scaling):
    """A copy of the model folder `base` in `d` whose config.json carries
    `scaling` (None: no rope_scaling key)."""
    os.makedirs(d)
    for f in os.listdir(base):
        if f != "config.json":
            os.symlink(os.path.join(base, f), os.path.join(d, f))
    cfg = json.load(open(os.path.join(base, "config.json")))
    if scaling is not None:
        cfg["rope_scaling"] = scaling
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"))
    return cfg


def capture(model, ids, out):
    p = subprocess.run([TC, "capture", "--model", model, "--tokens", ",".join(map(str, ids)),
                        "--out", out], capture_output=True, text=True)
    return p, (np.load(os.path.join(out, "hidden_states.npy")) if p.returncode == 0 else None)


def main():
    ids = [(7 * i + 3) % 96 for i in range(40)]
    linear = {"type": "linear", "factor": 4.0}
    llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
              "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
    # head_dim 16, theta 1e4: wavelengths 6.3, 19.9, 62.8, 199, ... so with a
    # context of 64 the llama3 rule keeps one frequency, interpolates two and
    # divides five: every branch is exercised.
    f0, f3 = inv_freq_oracle(None), inv_freq_oracle(llama3)
    check(np.sum(f3 == f0) == 1 and np.sum(np.isclose(f3, f0 / 8)) == 5,
          f"llama3 oracle branches: {f0} -> {f3}")
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base")
        subprocess.run([MAKE_MODEL, "--out", base, "--dim", "64", "--layers", "2", "--heads", "4",
                        "--kv-heads", "2", "--ffn", "96", "--vocab", "96", "--max-pos", "128",
                        "--seed", "11"], check=True, stdout=subprocess.DEVNULL)
        weights = load_safetensors(os.path.join(base, "model.safetensors"))
        results = {}
        for name, scaling in [("none", None), ("default", {"rope_type": "default"}),
                              ("linear", linear), ("llama3", llama3)]:
            d = os.path.join(tmp, name)
            cfg = with_scaling(base, d, scaling)
            p, hs = capture(d, ids, os.path.join(tmp, name + "-out"))
            if p.returncode != 0:
                failures.append(f"{name}: capture exit {p.returncode}: {p.stderr}")
                continue
            want = forward_oracle(weights, cfg, ids, inv_freq_oracle(scaling))
            err = float(np.max(np.abs(hs.astype(np.float64) - want)))
            check(hs.shape == want.shape and err < 1e-4, f"{name}: max error {err} vs the oracle")
            results[name] = hs
        if len(results) == 4:
            check(np.array_equal(results["none"], results["default"]),
                  "rope_type default must be plain RoPE")
            for name in ("linear", "llama3"):
                diff = float(np.max(np.abs(results[name] - results["none"])))
                check(diff > 1e-2, f"{name}: hidden states differ from unscaled by only {diff}")
            check(np.max(np.abs(results["linear"] - results["llama3"])) > 1e-2,
                  "linear and llama3 must differ")

        # refused: other types (either key spelling), bad or missing parameters
        refused = [({"type": "dynamic", "factor": 2.0}, 3, "dynamic"),
                   ({"rope_type": "yarn", "factor": 2.0}, 3, "yarn"),
                   ({"rope_type": "longrope"}, 3, "longrope"),
                   ({"type": "su"}, 3, "su"),
                   ({"rope_type": "linear"}, 3, "factor"),
                   ({"rope_type": "linear", "factor": -1}, 3, "factor"),
                   ({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                     "high_freq_factor": 4.0}, 3, "original_max_position_embeddings"),
                   ({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0,
                     "high_freq_factor": 4.0, "original_max_position_embeddings": 64}, 3,
                    "low_freq_factor"),
                   ({"rope_type": "linear", "type": "llama3", "factor": 2.0}, 3, "disagree"),
                   ({"factor": 2.0}, 3, "rope_type"),
                   ("linear", 3, "rope_scaling")]
        for i, (scaling, code, word) in enumerate(refused):
            d = os.path.join(tmp, f"bad{i}")
            with_scaling(base, d, scaling)
            out = os.path.join(tmp, f"bad{i}-out")
            p, _ = capture(d, ids[:4], out)
            lines = p.stderr.strip().splitlines()
            check(p.returncode == code, f"{scaling}: exit {p.returncode}, expected {code}")
            check(len(lines) == 1 and "config.json" in lines[0] and word in lines[0],
                  f"{scaling}: expected one line naming config.json and {word!r}: {p.stderr!r}")
            check(not os.path.exists(os.path.join(out, "hidden_states.npy")),
                  f"{scaling}: output written")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
