#!/usr/bin/env python3
"""End to end: `tensorcommit run` on the bundled stories260K model, then the
separate stages re-read and re-verify every artefact, and tampering with
grid.npy, proofs.json or receipt.json is detected.

usage: test_run_e2e.py TENSORCOMMIT SOURCE_DIR SHARED_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

exe, src, shared = sys.argv[1], sys.argv[2], sys.argv[3]
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
    cases = json.load(open(os.path.join(shared, "models/stories260K/expected/cases.json")))
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
    ref = np.load(os.path.join(shared, "models/stories260K/expected/once_upon_hidden_states.npy"))
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

    def tampered(name, mutate, expect_text):
        t = os.path.join(work, "t_" + mutate.__name__)
        shutil.copytree(run, t)
        mutate(os.path.join(t, name))
        r = tc("verify", "--run", t)
        check(r.returncode == 1, f"tampered {name}: verify --run exits 1 (got {r.returncode}: {r.stderr})")
        check(expect_text in r.stdout, f"tampered {name}: reports '{expect_text}'")

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
