#!/usr/bin/env python3
"""End to end: `tensorcommit run` on the bundled stories260K model, then the
separate stages re-read and re-verify every artefact, and tampering with
grid.npy, proofs.json or receipt.json is detected.

usage: test_run_e2e.py TENSORCOMMIT SOURCE_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

exe, src = sys.argv[1], sys.argv[2]
expected = os.path.join(src, "tests", "models", "stories260K", "expected")
model = os.path.join(src, "models", "stories260K")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def tc(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


work = tempfile.mkdtemp(prefix="tc_run_e2e_")
try:
    run = os.path.join(work, "run")
    r = tc("run", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "30",
           "--num-queries", "6", "--out", run)
    check(r.returncode == 0, f"run exits 0 (got {r.returncode}: {r.stderr})")

    # the greedy continuation is the reference implementation's
    cases = json.load(open(os.path.join(expected, "cases.json")))
    once = [c for c in cases["cases"] if c["name"] == "once_upon"][0]
    receipt = json.load(open(os.path.join(run, "receipt.json")))
    check(receipt["tokens"] == once["input_ids"] + once["greedy_new_ids"][:30],
          "receipt tokens are the prompt plus the expected 30 greedy tokens")
    check(receipt["n_prompt_tokens"] == 5, "5 prompt tokens")
    results = json.load(open(os.path.join(run, "results.json")))
    check(results["all_proofs_verified"] is True, "all proofs verified")
    check(results["all_ground_truth_matched"] is True, "all openings match the grid")
    check(results["n_openings"] == 7, "6 points + 1 slice")
    for name in ["receipt.json", "grid.npy", "layout.json", "commitment.txt", "proofs.json",
                 "results.json", "stats.json", "srs.tcs", "vk.json", "hidden_states.npy"]:
        check(os.path.exists(os.path.join(run, name)), f"{name} written")
    check(not [f for f in os.listdir(run) if ".tmp." in f], "no temporary files left")

    # numpy reads the artefacts; the grid holds the quantized hidden states
    grid = np.load(os.path.join(run, "grid.npy"))
    hidden = np.load(os.path.join(run, "hidden_states.npy"))
    layout = json.load(open(os.path.join(run, "layout.json")))
    check(grid.dtype == np.int64 and list(grid.shape) == layout["grid_shape"], "grid dtype/shape")
    check(hidden.dtype == np.float32 and hidden.shape == (6, 35, 64), "hidden states shape")
    Lp, Tp, Hp = layout["padded"]
    g3 = grid.reshape(Lp, Tp, Hp)[:6, :35, :64]
    check(np.abs(g3 / 1e8 - hidden.astype(np.float64)).max() <= 0.5e-8 + 1e-15,
          "grid = round(hidden · 10^8)")
    ref = np.load(os.path.join(expected, "once_upon_hidden_states.npy"))
    check(np.abs(hidden[:, :5, :] - ref).max() < 1e-4, "hidden states match the reference")
    commitment = open(os.path.join(run, "commitment.txt")).read().strip()
    check(commitment == receipt["commitment"], "commitment.txt = receipt")

    # the separate stages
    r = tc("verify", "--srs", os.path.join(run, "srs.tcs"), "--proof", os.path.join(run, "proofs.json"))
    check(r.returncode == 0, f"verify --srs accepts ({r.stdout}{r.stderr})")
    r = tc("verify", "--vk", os.path.join(run, "vk.json"), "--proof", os.path.join(run, "proofs.json"))
    check(r.returncode == 0, f"verify --vk accepts ({r.stdout}{r.stderr})")
    r = tc("commit", "--srs", os.path.join(run, "srs.tcs"), "--tensor", os.path.join(run, "grid.npy"))
    check(r.returncode == 0 and r.stdout.strip() == commitment, "commit stage reproduces the commitment")
    r = tc("verify", "--run", run)
    check(r.returncode == 0, f"verify --run accepts ({r.stdout}{r.stderr})")
    check("re-execution: 0 of" in r.stdout, "re-execution reproduces the grid")

    # locate: (layer, token, hidden) ↔ index ↔ coordinates, and layer slices
    lj = os.path.join(run, "layout.json")
    r = tc("locate", "--layout", lj, "--at", "3,17,5")
    loc = json.loads(r.stdout)
    check(r.returncode == 0 and loc["index"] == (3 * Tp + 17) * Hp + 5 and not loc["padding"],
          f"locate --at ({r.stdout})")
    flat = np.ravel_multi_index(tuple(loc["coords"]), layout["grid_shape"])
    check(flat == loc["index"] and grid.reshape(-1)[flat] == g3[3, 17, 5], "coords are C order")
    r = tc("locate", "--layout", lj, "--coords", ",".join(map(str, loc["coords"])))
    back = json.loads(r.stdout)
    check((back["layer"], back["token"], back["hidden"]) == (3, 17, 5), "locate --coords")
    r = tc("locate", "--layout", lj, "--layer", "4")
    sl = json.loads(r.stdout)
    check(sl["j"] == layout["axis_vars"][0] and
          np.ravel_multi_index(tuple(sl["prefix"]), layout["grid_shape"][:sl["j"]]) == 4,
          f"locate --layer ({r.stdout})")
    r = tc("locate", "--layout", lj, "--at", "6,0,0")
    check(r.returncode == 2, "locate outside the tensor: exit 2")

    # the step-by-step flow from the capture reproduces the same grid
    step = os.path.join(work, "step")
    os.mkdir(step)
    r = tc("quantize", "--in", os.path.join(run, "hidden_states.npy"), "--out",
           os.path.join(step, "q.npy"))
    check(r.returncode == 0, f"quantize stage ({r.stderr})")
    r = tc("layout", "--in", os.path.join(step, "q.npy"), "--out", os.path.join(step, "grid.npy"))
    check(r.returncode == 0, f"layout stage ({r.stderr})")
    check(np.array_equal(np.load(os.path.join(step, "grid.npy")), grid), "stages give the same grid")
    step_layout = json.load(open(os.path.join(step, "layout.json")))
    check(step_layout.pop("data_file", None) == "grid.npy" and step_layout == layout,
          "stages give the same layout (and record the grid it describes)")

    def tampered(name, mutate, expect_text, code=1, args=()):
        """Copies the run, mutates one file, and requires verify --run to
        refuse it: exit 1 with the failing check's line, or exit 3 with one
        stderr line naming the problem."""
        t = os.path.join(work, "t_" + mutate.__name__)
        shutil.copytree(run, t)
        mutate(os.path.join(t, name))
        r = tc("verify", "--run", t, *args)
        check(r.returncode == code,
              f"tampered {name} ({mutate.__name__}): verify --run exits {code} "
              f"(got {r.returncode}: {r.stdout[-400:]}{r.stderr})")
        where = r.stdout if code == 1 else r.stderr
        check(expect_text in where, f"tampered {name} ({mutate.__name__}): reports "
              f"'{expect_text}' ({where[-600:]})")
        if code == 3:
            check(len(r.stderr.strip().splitlines()) == 1 and r.stdout.count("ok  ") == 0,
                  f"{mutate.__name__}: one stderr line, no verdict")
        shutil.rmtree(t)
        return r

    def bump_grid(path):
        g = np.load(path)
        g.reshape(-1)[12345] += 1
        np.save(path, g)

    def bump_proof_value(path):
        p = json.load(open(path))
        p["openings"][0]["value"] = str(int(p["openings"][0]["value"]) + 1)
        json.dump(p, open(path, "w"))

    def edit_receipt_text(path):
        rc = json.load(open(path))
        rc["text"] = rc["text"].replace("Lily", "Lucy")
        json.dump(rc, open(path, "w"))

    def edit_receipt_token(path):
        rc = json.load(open(path))
        rc["tokens"][20] = (rc["tokens"][20] + 1) % 512
        json.dump(rc, open(path, "w"))

    tampered("grid.npy", bump_grid, "FAIL  grid.npy does NOT commit")
    tampered("proofs.json", bump_proof_value, "FAIL  opening 0: proof REJECTED")
    tampered("receipt.json", edit_receipt_text, "FAIL  receipt: the generated tokens do NOT decode")
    tampered("receipt.json", edit_receipt_token, "FAIL  re-execution:")

    # ---- every artefact is checked, or said to be informative
    def edit_json(path, fn):
        d = json.load(open(path))
        fn(d)
        json.dump(d, open(path, "w"))

    def bump_hidden(path):                 # one state moved by 1e-3: grid no longer its quantization
        h = np.load(path)
        h[2, 7, 11] += np.float32(1e-3)
        np.save(path, h)

    def zero_vk_g1(path):
        edit_json(path, lambda d: d.update(g1="00" * 32))

    def vk_origin_random(path):            # a testing key relabelled as a real one
        edit_json(path, lambda d: d.update(origin="random"))

    def vk_drop_level(path):
        edit_json(path, lambda d: d.update(slice_levels={}))

    def edit_stats_max(path):
        edit_json(path, lambda d: d["layers"][3].update(max=d["layers"][3]["max"] + 0.5))

    def edit_stats_text(path):
        edit_json(path, lambda d: d.update(generated_text="something else"))

    def results_not_verified(path):
        edit_json(path, lambda d: d.update(all_proofs_verified=False))

    def results_size(path):
        edit_json(path, lambda d: d["artefact_bytes"].update({"grid.npy": "12"}))

    def sampling_temperature(path):        # the tokens were greedy, not sampled at 0.9
        edit_json(path, lambda d: d["sampling"].update(temperature=0.9, seed="7"))

    def sampling_deleted(path):
        edit_json(path, lambda d: d.pop("sampling"))

    def version_changed(path):
        edit_json(path, lambda d: d.update(version=1))

    def format_changed(path):
        edit_json(path, lambda d: d.update(format="something"))

    def format_deleted(path):
        edit_json(path, lambda d: d.pop("format"))

    def model_type_changed(path):
        edit_json(path, lambda d: d.update(model_type="qwen2"))

    def unknown_field(path):
        edit_json(path, lambda d: d.update(verified_by="me"))

    def origin_unknown(path):
        edit_json(path, lambda d: d.update(srs_origin="trusted"))

    def origin_random(path):
        edit_json(path, lambda d: d.update(srs_origin="random"))

    def seed_changed(path):
        edit_json(path, lambda d: d.update(srs_seed="0100000000000000"))

    def environment_bad_type(path):
        edit_json(path, lambda d: d["environment"].update(threads="two"))

    def environment_deleted(path):
        edit_json(path, lambda d: d.pop("environment"))

    tampered("hidden_states.npy", bump_hidden, "FAIL  hidden_states.npy, quantized and laid out, is NOT grid.npy")
    tampered("vk.json", zero_vk_g1, "FAIL  vk.json is NOT the SRS's verification key")
    tampered("vk.json", vk_origin_random, "origin random is not the SRS's seeded")
    tampered("vk.json", vk_drop_level, "which a slice in proofs.json uses, is not embedded")
    tampered("stats.json", edit_stats_max, "FAIL  stats.json does NOT describe the run: layers[3]")
    tampered("stats.json", edit_stats_text, "FAIL  stats.json does NOT describe the run")
    tampered("results.json", results_not_verified, "FAIL  results.json does NOT hold")
    tampered("results.json", results_size, "artefact_bytes.grid.npy is not a size")
    tampered("receipt.json", sampling_temperature, "FAIL  sampling: the receipt's sampler (temperature 0.9")
    tampered("receipt.json", model_type_changed, "FAIL  model: type llama and vocabulary 512 are NOT")
    tampered("receipt.json", origin_random, "origin seeded is NOT the receipt's srs_origin (random)")
    tampered("receipt.json", seed_changed, "srs_seed does NOT give the SRS's trapdoors")
    tampered("receipt.json", sampling_deleted, 'field "sampling" is missing', code=3)
    tampered("receipt.json", version_changed, '"version" is not 2', code=3)
    tampered("receipt.json", format_changed, '"format" is not "tensorcommit-receipt"', code=3)
    tampered("receipt.json", format_deleted, '"format" is not "tensorcommit-receipt"', code=3)
    tampered("receipt.json", unknown_field, 'unknown field "verified_by"', code=3)
    tampered("receipt.json", origin_unknown, "srs_origin must be", code=3)
    tampered("receipt.json", environment_bad_type, 'field "environment.threads" must be an integer', code=3)
    tampered("receipt.json", environment_deleted, 'field "environment" is missing', code=3)
    r = tc("verify", "--run", run, "--skip-model")
    check(r.returncode == 0 and 'note  receipt.json: "environment"' in r.stdout and
          "timings and file sizes informative" in r.stdout, f"verify --run names what is informative ({r.stdout})")
    check("WARNING: the key's origin is seeded (testing only)" in r.stdout,
          "verify --run warns that the run's SRS is a testing one")

    # ---- the commitment binds: each of these checks alone stops its attack
    # A second run over the same model with an SRS whose trapdoors the prover
    # knows (another seed): its own files agree with each other.
    other_srs = os.path.join(work, "other.tcs")
    shape = ",".join(map(str, layout["grid_shape"]))
    r = tc("setup", "--shape", shape, "--seed", "5eed", "--out", other_srs)
    check(r.returncode == 0, f"setup with another seed ({r.stderr})")
    other = os.path.join(work, "other")
    r = tc("run", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "30",
           "--num-queries", "6", "--srs", other_srs, "--out", other)
    check(r.returncode == 0 and "(seeded: testing only)" in r.stdout,
          f"run --srs exits 0 and names the testing SRS ({r.stderr})")
    other_receipt = json.load(open(os.path.join(other, "receipt.json")))
    check("srs_seed" not in other_receipt, "run --srs records no seed (it knows none)")
    check(other_receipt["srs_origin"] == "seeded", "run --srs records the SRS's origin")

    # substituted srs.tcs: the other run's files under the first run's SRS id
    t = os.path.join(work, "t_srs")
    shutil.copytree(other, t)
    shutil.copy(other_srs, os.path.join(t, "srs.tcs"))
    edit_json(os.path.join(t, "receipt.json"), lambda d: d.update(srs_id=receipt["srs_id"]))
    r = tc("verify", "--run", t)
    check(r.returncode == 1 and "SRS id is NOT the receipt's" in r.stdout and
          r.stdout.count("FAIL") == 1, f"substituted srs.tcs: only the SRS id check fails ({r.stdout})")

    # another commitment in proofs.json: the proofs themselves still verify
    # against the receipt's commitment, so only this check sees it
    def other_proof_commitment(path):
        edit_json(path, lambda d: d.update(commitment=other_receipt["commitment"]))
    r = tampered("proofs.json", other_proof_commitment, "FAIL  proofs.json: commitment is NOT the receipt's")
    check(r.stdout.count("FAIL") == 1, "another commitment in proofs.json: one failure")

    def other_commitment_txt(path):
        open(path, "w").write(other_receipt["commitment"] + "\n")
    r = tampered("commitment.txt", other_commitment_txt, "FAIL  commitment.txt is NOT the receipt's commitment")
    check(r.stdout.count("FAIL") == 1, "an edited commitment.txt: one failure")

    def layout_text(path):                  # same grid, another layout.json
        edit_json(path, lambda d: d.update(padding=d["padding"] + " "))
    r = tampered("layout.json", layout_text, "FAIL  layout.json is NOT the receipt's layout")
    check(r.stdout.count("FAIL") == 1, "a layout.json that differs from the receipt: one failure")

    # verifier-supplied --srs: the seeded SRS remade by the receipt's command
    mine = os.path.join(work, "mine")
    os.mkdir(mine)
    cmd = receipt["srs_setup_command"].split()
    check(cmd[:2] == ["tensorcommit", "setup"] and receipt["srs_seed"] == "00" * 8,
          f"receipt records the seed and the setup command ({receipt['srs_setup_command']})")
    r = subprocess.run([exe] + cmd[1:], cwd=mine, capture_output=True, text=True)
    check(r.returncode == 0 and open(os.path.join(mine, "srs.tcs"), "rb").read() ==
          open(os.path.join(run, "srs.tcs"), "rb").read(),
          f"the receipt's setup command remakes srs.tcs byte for byte ({r.stderr})")
    r = tc("verify", "--run", run, "--srs", os.path.join(mine, "srs.tcs"), "--skip-model")
    check(r.returncode == 0 and "SRS id is the receipt's (given by the verifier" in r.stdout,
          f"verify --run --srs accepts the right SRS ({r.stdout})")
    r = tc("verify", "--run", run, "--srs", other_srs, "--skip-model")
    check(r.returncode == 1 and "SRS id is NOT the receipt's (given by the verifier" in r.stdout,
          f"verify --run --srs rejects another SRS ({r.stdout})")

    # ---- the model digest, as docs/formats.md defines it, computed here
    import hashlib
    names = sorted((n for n in os.listdir(model)
                    if n in ("config.json", "generation_config.json", "tokenizer.json",
                             "model.safetensors.index.json") or n.endswith(".safetensors")),
                   key=lambda n: n.encode())
    u64 = lambda v: v.to_bytes(8, "little")
    h = hashlib.sha256(b"tensorcommit model digest v1\0" + u64(len(names)))
    for n in names:
        data = open(os.path.join(model, n), "rb").read()
        h.update(u64(len(n.encode())) + n.encode() + u64(len(data)) + hashlib.sha256(data).digest())
    check(receipt["model_digest"] == h.hexdigest() and "config.json" in names and
          "tokenizer.json" in names, "model_digest is the documented digest")

    # ---- the model digest covers config.json; weights the config does not use are refused
    mcopy = os.path.join(work, "model_copy")
    shutil.copytree(model, mcopy)
    cfg_path = os.path.join(mcopy, "config.json")
    cfg_text = open(cfg_path).read()
    open(cfg_path, "w").write(cfg_text + "\n")      # same meaning, other bytes
    r = tc("verify", "--run", run, "--model", mcopy)
    check(r.returncode == 1 and "FAIL  model " in r.stdout and "digest (config, tokenizer, weights) is NOT" in r.stdout
          and r.stdout.count("FAIL") == 1, f"model-digest mismatch: config.json is digested ({r.stdout})")
    open(cfg_path, "w").write(cfg_text)
    tok_path = os.path.join(mcopy, "tokenizer.json")
    open(tok_path, "a").write(" ")
    r = tc("verify", "--run", run, "--model", mcopy)
    check(r.returncode == 1 and "digest (config, tokenizer, weights) is NOT" in r.stdout,
          f"model-digest mismatch: tokenizer.json is digested ({r.stdout})")
    shutil.copy(os.path.join(model, "tokenizer.json"), tok_path)
    r = tc("verify", "--run", run, "--model", mcopy)
    check(r.returncode == 0, f"an identical copy of the model has the same digest ({r.stdout})")
    cfg = json.loads(cfg_text)
    cfg["num_hidden_layers"] = 3
    json.dump(cfg, open(cfg_path, "w"))
    r = tc("run", "--model", mcopy, "--prompt", "Once", "--out", os.path.join(work, "three"))
    check(r.returncode == 3 and "model.safetensors: tensor 'model.layers.3." in r.stderr and
          "not used" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
          f"3 layers in config.json over 5-layer weights are refused ({r.stderr})")

    # weights with a tensor no layer reads are refused, naming file and
    # tensor; RoPE inv_freq buffers (recomputed from the config) are not
    def add_tensor(folder, name):
        path = os.path.join(folder, "model.safetensors")
        raw = open(os.path.join(model, "model.safetensors"), "rb").read()
        n = int.from_bytes(raw[:8], "little")
        header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
        extra = np.arange(4, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": [4], "data_offsets": [len(data), len(data) + 16]}
        h = json.dumps(header).encode()
        h += b" " * (-len(h) % 8)
        open(path, "wb").write(len(h).to_bytes(8, "little") + h + data + extra)

    json.dump(json.loads(cfg_text), open(cfg_path, "w"))
    add_tensor(mcopy, "model.layers.0.self_attn.rotary_emb.inv_freq")
    r = tc("run", "--model", mcopy, "--prompt", "Once", "--max-new-tokens", "2",
           "--num-queries", "1", "--out", os.path.join(work, "invfreq"))
    check(r.returncode == 0, f"an inv_freq buffer in the weights is ignored ({r.stderr})")
    add_tensor(mcopy, "model.layers.0.mlp.extra.weight")
    r = tc("run", "--model", mcopy, "--prompt", "Once", "--out", os.path.join(work, "extra"))
    check(r.returncode == 3 and "tensor 'model.layers.0.mlp.extra.weight' is not used" in r.stderr,
          f"an unused tensor is refused ({r.stderr})")

    # a sampled run: verify replays the sampler on the re-executed logits
    smp = os.path.join(work, "sampled")
    r = tc("run", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "25",
           "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "--seed", "11",
           "--num-queries", "1", "--out", smp)
    check(r.returncode == 0, f"sampled run exits 0 ({r.stderr})")
    r = tc("verify", "--run", smp)
    check(r.returncode == 0 and "ok    sampling: the receipt's sampler (temperature 0.9, top_k 40, "
          "top_p 0.95, seed 11) chooses every generated token" in r.stdout,
          f"verify --run replays the sampled choices ({r.stdout})")
    rc = os.path.join(smp, "receipt.json")
    edit_json(rc, lambda d: d["sampling"].update(seed="12"))
    r = tc("verify", "--run", smp)
    check(r.returncode == 1 and "FAIL  sampling:" in r.stdout and "does NOT choose" in r.stdout,
          f"another sampling seed is rejected ({r.stdout})")

    # ---- trust labels: testing keys are named on every verification
    r = tc("verify", "--vk", os.path.join(run, "vk.json"), "--proof", os.path.join(run, "proofs.json"))
    check(r.returncode == 0 and "WARNING: the key's origin is seeded (testing only)" in r.stdout,
          f"verify --vk warns on a seeded vk.json ({r.stdout})")
    r = tc("verify", "--srs", os.path.join(run, "srs.tcs"), "--proof", os.path.join(run, "proofs.json"))
    check(r.returncode == 0 and "WARNING: the key's origin is seeded" in r.stdout,
          f"verify --srs warns on a seeded SRS ({r.stdout})")
    vk_bad = os.path.join(work, "vk_trusted.json")
    shutil.copy(os.path.join(run, "vk.json"), vk_bad)
    edit_json(vk_bad, lambda d: d.update(origin="trusted"))
    r = tc("verify", "--vk", vk_bad, "--proof", os.path.join(run, "proofs.json"))
    check(r.returncode == 3 and '"origin" must be' in r.stderr, f"an unknown vk origin is refused ({r.stderr})")

    # ---- reproducibility facts (informative; their types are checked)
    env = receipt["environment"]
    check(env["build"]["version"] == receipt["tool"].split()[-1], "environment.build.version")
    # the commit built: one of this checkout's commits (HEAD when just built)
    built = env["build"]["git_commit"]
    git = subprocess.run(["git", "-C", src, "rev-parse", "HEAD"], capture_output=True, text=True)
    if git.returncode == 0:
        commit = built[:-len("-dirty")] if built.endswith("-dirty") else built
        known = subprocess.run(["git", "-C", src, "cat-file", "-e", commit + "^{commit}"],
                               capture_output=True)
        check(len(commit) == 40 and known.returncode == 0,
              f"environment.build.git_commit is a commit of the checkout ({built})")
    else:
        check(built == "unknown", f"outside a git checkout the commit is unknown ({built})")
    check(env["build"]["build_type"] in ("Release", "RelWithDebInfo", "Debug", "MinSizeRel"),
          "environment.build.build_type")
    check("OpenBLAS" in env["kernels"]["blas"] and env["kernels"]["blas_core"] != "", "BLAS named")
    check(env["kernels"]["field_mul"] in ("adx-asm", "portable") and
          env["kernels"]["msm_batch_add"] in ("avx512-ifma", "scalar"), "kernels named")
    check(env["threads"] == 2 and isinstance(env["cpu_features"], list), "threads and CPU features")
    import datetime
    t0 = datetime.datetime.strptime(env["created_utc"], "%Y-%m-%dT%H:%M:%SZ")
    check(abs((datetime.datetime.utcnow() - t0).total_seconds()) < 86400, "created_utc is today, UTC")
    r = subprocess.run([exe, "run", "--model", model, "--prompt", "Once", "--max-new-tokens", "2",
                        "--num-queries", "1", "--out", os.path.join(work, "noasm")],
                       capture_output=True, text=True, env=dict(os.environ, TC_NO_ASM="1"))
    k = json.load(open(os.path.join(work, "noasm", "receipt.json")))["environment"]["kernels"]
    check(r.returncode == 0 and k["field_mul"] == "portable" and k["msm_batch_add"] == "scalar",
          f"TC_NO_ASM=1 is recorded as the portable kernels ({k})")

    # a proof file cut short is unreadable input: exit 3, one line
    t = os.path.join(work, "trunc.json")
    data = open(os.path.join(run, "proofs.json")).read()
    open(t, "w").write(data[: len(data) // 2])
    r = tc("verify", "--srs", os.path.join(run, "srs.tcs"), "--proof", t)
    check(r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, "truncated proofs.json: exit 3")
    # bad arguments are usage errors, bad model folders are errors
    r = tc("run", "--model", model, "--prompt", "x", "--out", os.path.join(work, "u"), "--layout", "odd")
    check(r.returncode == 2, "unknown layout: exit 2")
    r = tc("run", "--model", os.path.join(work, "nope"), "--prompt", "x", "--out", os.path.join(work, "n"))
    check(r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, "missing model: exit 3, one line")

    # deterministic mode: one full pass, and re-execution reproduces it exactly
    det = os.path.join(work, "det")
    r = tc("run", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "12",
           "--deterministic", "--num-queries", "2", "--out", det)
    check(r.returncode == 0, f"deterministic run exits 0 ({r.stderr})")
    r = tc("verify", "--run", det)
    check(r.returncode == 0 and "differ from the grid by more than 0 (largest 0," in r.stdout,
          f"deterministic re-execution is exact ({r.stdout})")
    # default mode records while generating: the states still match one full pass
    r = tc("verify", "--run", run, "--tolerance", "1e-5")
    check(r.returncode == 0, f"recorded states within 1e-5 of a full pass ({r.stdout})")

    # the flat layout end to end
    flat = os.path.join(work, "nested", "dirs", "flat")   # parents are created
    r = tc("run", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "10",
           "--layout", "flat", "--num-queries", "3", "--out", flat)
    check(r.returncode == 0, f"flat run exits 0 ({r.stderr})")
    r = tc("verify", "--run", flat)
    check(r.returncode == 0, f"flat run re-checks ({r.stdout})")
finally:
    shutil.rmtree(work, ignore_errors=True)

print(f"run e2e: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
