#!/usr/bin/env python3
"""The audit end to end on the bundled stories260K model: an honest run is
accepted, and each attack is rejected by the check that should catch it.
Block-local attacks are caught exactly when the challenge covers the block:
each is tested with a challenge that covers it and one that does not, and
the coverage probability the challenge states is printed.

The same round trip and one block attack run on the tiny llama, qwen2 and
gpt2 test models (with the bundled tokenizer, whose ids for the prompt fit
their vocabularies).

usage: test_audit.py TENSORCOMMIT FORGE_RUN SOURCE_DIR"""
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

exe, forge, src = sys.argv[1], sys.argv[2], sys.argv[3]
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
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True)


def must(r, what):
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"{what} failed ({r.returncode})")
    return r


work = tempfile.mkdtemp(prefix="tc_audit_")


def path(*p):
    return os.path.join(work, *p)


def make_run(name, *extra, model_dir=model, prompt="Once upon a time"):
    out = path(name)
    must(tc("run", "--model", model_dir, "--prompt", prompt, "--max-new-tokens", 16,
            "--no-open", "--out", out, *extra), f"run {name}")
    return out


def challenge(run, name, *extra, budgets="40%,20%", model_dir=None):
    out = path(name)
    r = tc("challenge", "--receipt", os.path.join(run, "receipt.json"), "--model",
           model_dir or model, "--budgets", budgets, "--out", out, *extra)
    must(r, f"challenge {name}")
    return out


def audit(run, ch, resp, vk=None, receipt=None, model_dir=model, *extra):
    rep = resp + ".report.json"
    r = tc("audit", "--receipt", receipt or os.path.join(run, "receipt.json"), "--vk",
           vk or os.path.join(run, "vk.json"), "--model", model_dir, "--challenge", ch,
           "--response", resp, "--report", rep, *extra)
    report = json.load(open(rep)) if os.path.exists(rep) else None
    return r, report


def round_trip(run, name, *chargs, budgets="40%,20%"):
    ch = challenge(run, name + ".ch.json", *chargs, budgets=budgets)
    resp = path(name + ".resp.json")
    must(tc("respond", "--run", run, "--challenge", ch, "--out", resp), f"respond {name}")
    r, rep = audit(run, ch, resp)
    return r, rep, json.load(open(ch))


def covers(ch, block):
    return any(r["first_block"] <= block <= r["last_block"] and r["first_block"] > 0
               for r in ch["ranges"])


def find_seed(run, block, want_cover, budgets="40%,20%", model_dir=None):
    """A test seed whose challenge covers (or not) the block: bounded search."""
    for seed in range(1, 200):
        ch = challenge(run, f"probe.json", "--seed", seed, budgets=budgets, model_dir=model_dir)
        c = json.load(open(ch))
        if covers(c, block) == want_cover:
            return seed, c
    raise SystemExit(f"no seed in 1..199 {'covers' if want_cover else 'misses'} block {block}")


def expect_reject(r, rep, check_name, what):
    check(r.returncode == 1, f"{what}: audit exits 1 (got {r.returncode}: {r.stdout[-400:]} "
                             f"{r.stderr})")
    check(rep is not None and rep["verdict"] == "reject"
          and rep["first_failure"] == check_name,
          f"{what}: first failing check is {check_name} "
          f"(got {rep and rep['first_failure']})")


def expect_accept(r, rep, what):
    check(r.returncode == 0, f"{what}: audit exits 0 (got {r.returncode}: {r.stdout[-600:]} "
                             f"{r.stderr})")
    check(rep is not None and rep["verdict"] == "accept", f"{what}: verdict accept")


try:
    honest = make_run("honest", "--deterministic")

    # ---- honest runs are accepted, in both modes, every policy
    for pol in ["weighted", "exact", "uniform"]:
        r, rep, ch = round_trip(honest, "honest_" + pol, "--policy", pol, "--seed", 7)
        expect_accept(r, rep, f"honest deterministic run, policy {pol}")
        check(rep["exact"] is True, "deterministic runs are audited exactly")
        cov = ch["coverage"]
        check(len(cov) == 5 and all(0 <= p <= 1 for p in cov), "coverage per block")
        for rg in rep["ranges"]:
            check(rg["max_abs_int"] == 0, f"exact re-execution of blocks "
                                          f"{rg['first_block']}..{rg['last_block']}")
    blas = make_run("blas")
    r, rep, _ = round_trip(blas, "blas", "--seed", 3)
    expect_accept(r, rep, "honest default-mode (BLAS) run")
    check(rep["exact"] is False and rep["tolerance_relative"] > 0
          and all(0 < rg["tolerance"] and rg["max_abs"] <= rg["tolerance"] for rg in rep["ranges"]),
          "default mode: a relative tolerance, each range within it")

    # ---- coverage: weighted ≥ ½ uniform for every block, exact leaves some at 0
    ch_w = json.load(open(challenge(honest, "cov_w.json", "--seed", 1)))
    check(all(w >= 0.5 * u - 1e-12 for w, u in zip(ch_w["coverage"], ch_w["coverage_uniform"])),
          "weighted policy: every block at least half of uniform's coverage")
    ch_e = json.load(open(challenge(honest, "cov_e.json", "--policy", "exact")))
    check(min(ch_e["coverage"]) == 0, "exact policy leaves some block never checked")
    check(min(ch_w["coverage"]) > 0, "weighted policy checks every block sometimes")

    # ---- a uniform policy's frequencies match its stated coverage (independent count)
    hits = np.zeros(5)
    N = 120
    for seed in range(N):
        c = json.load(open(challenge(honest, "freq.json", "--policy", "uniform",
                                     "--seed", 1000 + seed)))
        for b in range(1, 6):
            hits[b - 1] += covers(c, b)
    stated = np.array(c["coverage"])
    err = np.abs(hits / N - stated).max()
    check(err < 0.16, f"uniform draws follow the stated coverage (max deviation {err:.3f})")

    # ---- attacks on blocks: caught exactly when covered
    B = 3
    for mode, extra in [("skip", []), ("duplicate", []), ("fabricate", []),
                        ("perturb", ["0.01"])]:
        run = path("att_" + mode)
        shutil.copytree(honest, run)
        must(subprocess.run([forge, run, model, mode, str(B), *extra], capture_output=True,
                            text=True), f"forge {mode}")
        seed, c = find_seed(run, B, True)
        ch = challenge(run, f"{mode}_cov.json", "--seed", seed)
        resp = path(f"{mode}_cov.resp.json")
        must(tc("respond", "--run", run, "--challenge", ch, "--out", resp), "respond")
        r, rep = audit(run, ch, resp)
        p = c["coverage"][B - 1]
        expect_reject(r, rep, "ranges", f"{mode} block {B}, challenge covers it "
                                        f"(P(cover) = {p:.3f})")
        print(f"{mode} block {B}: caught when covered; coverage probability {p:.3f}")
        seed, c = find_seed(run, B, False)
        ch = challenge(run, f"{mode}_miss.json", "--seed", seed)
        resp = path(f"{mode}_miss.resp.json")
        must(tc("respond", "--run", run, "--challenge", ch, "--out", resp), "respond")
        r, rep = audit(run, ch, resp)
        expect_accept(r, rep, f"{mode} block {B}, challenge misses it (undetected, as the "
                              f"coverage says)")

    # ---- values perturbed above / below the BLAS tolerance
    for delta, caught in [("0.05", True), ("1e-6", False)]:
        run = path("pert_" + delta)
        shutil.copytree(blas, run)
        must(subprocess.run([forge, run, model, "perturb", "2", delta], capture_output=True,
                            text=True), "forge perturb")
        seed, _ = find_seed(run, 2, True)
        ch = challenge(run, f"pert_{delta}.json", "--seed", seed)
        resp = path(f"pert_{delta}.resp.json")
        must(tc("respond", "--run", run, "--challenge", ch, "--out", resp), "respond")
        r, rep = audit(run, ch, resp)
        if caught:
            expect_reject(r, rep, "ranges", f"BLAS run, h_2 shifted by {delta} (above tolerance)")
        else:
            expect_accept(r, rep, f"BLAS run, h_2 shifted by {delta} (below tolerance: the room "
                                  f"a tolerance leaves)")

    # ---- generated tokens that are not the model's (teacher forcing)
    rec = json.load(open(os.path.join(honest, "receipt.json")))
    n_p, toks = rec["n_prompt_tokens"], rec["tokens"]
    forged_ids = [(t * 7 + 11) % 512 for t in toks[n_p:]]
    run = path("att_tokens")
    shutil.copytree(honest, run)
    must(subprocess.run([forge, run, model, "tokens", ",".join(map(str, forged_ids))],
                        capture_output=True, text=True), "forge tokens")
    r, rep, _ = round_trip(run, "tokens", "--seed", 5)
    expect_reject(r, rep, "tokens", "generated tokens not the model's (states consistent)")
    tok_check = [c for c in rep["checks"] if c["name"] == "tokens"][0]
    check(all(c["ok"] for c in rep["checks"] if c["name"] in ("openings", "embedding", "ranges")),
          "the token forgery passes every check but the token check")

    # verify --run's token check (check 4) catches the same forgery, and passes
    # the honest --no-open run
    r = tc("verify", "--run", honest, "--model", model)
    check(r.returncode == 0 and "ok    tokens:" in r.stdout,
          f"verify --run accepts the honest --no-open run ({r.returncode}: {r.stdout[-800:]})")
    r = tc("verify", "--run", run, "--model", model)
    check(r.returncode == 1 and "FAIL  tokens:" in r.stdout,
          f"verify --run rejects the token forgery at its token check ({r.stdout[-600:]})")

    # a --no-open run folder that holds a proofs.json anyway is not what the
    # receipt describes
    odd = path("odd")
    shutil.copytree(honest, odd)
    open(os.path.join(odd, "proofs.json"), "w").write("{}\n")
    r = tc("verify", "--run", odd, "--skip-model")
    check(r.returncode == 1 and "present, but the receipt says openings come from challenges"
          in r.stdout, f"verify --run flags a proofs.json in a --no-open run ({r.stdout[-400:]})")

    # ---- prompt changed in the receipt: h_0 no longer matches
    run = path("att_prompt")
    shutil.copytree(honest, run)
    rec2 = json.load(open(os.path.join(run, "receipt.json")))
    rec2["tokens"][1] = (rec2["tokens"][1] + 1) % 512
    json.dump(rec2, open(os.path.join(run, "receipt.json"), "w"), indent=2, sort_keys=True)
    r, rep, _ = round_trip(run, "prompt", "--seed", 5)
    expect_reject(r, rep, "embedding", "prompt token changed in the receipt")

    # ---- quantization other than the receipt's
    run = path("att_quant")
    shutil.copytree(honest, run)
    rec2 = json.load(open(os.path.join(run, "receipt.json")))
    rec2["quantization"]["quantize"] = 40
    rec2["quantization"]["exponent"] = 16 - (16 * 40) // 100
    json.dump(rec2, open(os.path.join(run, "receipt.json"), "w"), indent=2, sort_keys=True)
    r, rep, _ = round_trip(run, "quant", "--seed", 5)
    check(r.returncode in (1, 3), "receipt with another quantization is not accepted")
    if r.returncode == 1:
        expect_reject(r, rep, "embedding", "quantization other than the receipt's")

    # ---- a coarse quantization (step 0.01): the blocks read rounded values, the
    # run is consistent with itself, and only the expectation on the step stops it
    coarse = make_run("coarse", "--deterministic", "--scale-factor", 4, "--quantize", 50)
    r, rep, _ = round_trip(coarse, "coarse", "--seed", 5)
    expect_reject(r, rep, "expectations", "quantization step 0.01, above the verifier's 1e-6")
    ch_c = path("coarse.ch.json")
    r, rep = audit(coarse, ch_c, path("coarse.resp.json"), None, None, model, "--max-step", "0.01")
    expect_accept(r, rep, "the same run with --max-step 0.01 (the verifier accepts the step)")

    # ---- the receipt's commitment does not match the openings
    other = blas            # same tokens, other values: another commitment
    run = path("att_commit")
    shutil.copytree(honest, run)
    rec2 = json.load(open(os.path.join(run, "receipt.json")))
    rec2["commitment"] = json.load(open(os.path.join(other, "receipt.json")))["commitment"]
    json.dump(rec2, open(os.path.join(run, "receipt.json"), "w"), indent=2, sort_keys=True)
    r, rep, _ = round_trip(run, "commit", "--seed", 5)
    expect_reject(r, rep, "openings", "receipt commitment does not match the openings")

    # ---- openings from another run, relabelled for this challenge
    ch = challenge(honest, "swap.ch.json", "--seed", 5)
    resp_o = path("swap.other.json")
    ch_o = challenge(other, "swap.other.ch.json", "--seed", 5)
    must(tc("respond", "--run", other, "--challenge", ch_o, "--out", resp_o), "respond other")
    resp_h = path("swap.honest.json")
    must(tc("respond", "--run", honest, "--challenge", ch, "--out", resp_h), "respond honest")
    mine, theirs = json.load(open(resp_h)), json.load(open(resp_o))
    for k in ("commitment", "nonce", "challenge_digest"):
        theirs[k] = mine[k]
    json.dump(theirs, open(resp_o, "w"))
    r, rep = audit(honest, ch, resp_o)
    expect_reject(r, rep, "openings", "openings from another run")

    # ---- one opened value changed in the response
    tam = dict(mine)
    vals = np.frombuffer(base64.b64decode(mine["slices"][0]["values_i64_le_base64"]),
                         dtype="<i8").copy()
    vals[3] += 1
    tam["slices"] = [dict(s) for s in mine["slices"]]
    tam["slices"][0]["values_i64_le_base64"] = base64.b64encode(vals.tobytes()).decode()
    resp_t = path("tampered.json")
    json.dump(tam, open(resp_t, "w"))
    r, rep = audit(honest, ch, resp_t)
    expect_reject(r, rep, "openings", "one opened value changed")

    # ---- a response to another challenge
    ch2 = challenge(honest, "other.ch.json", "--seed", 6)
    r, rep = audit(honest, ch2, resp_h)
    expect_reject(r, rep, "binding", "response to another challenge")
    r = tc("respond", "--run", other, "--challenge", ch, "--out", path("refused.json"))
    check(r.returncode == 3 and "another run" in r.stderr,
          f"respond refuses a challenge for another commitment ({r.returncode}: {r.stderr})")

    # ---- a public challenge whose ranges were edited
    chp = challenge(honest, "pub.ch.json", "--public")
    c = json.load(open(chp))
    check(c["public"] is True, "public challenge marked")
    c2 = json.load(open(challenge(honest, "pub2.ch.json", "--public")))
    check(c2["ranges"] == c["ranges"] and c2["nonce"] == c["nonce"],
          "a public challenge is reproducible")
    respp = path("pub.resp.json")
    must(tc("respond", "--run", honest, "--challenge", chp, "--out", respp), "respond public")
    r, rep = audit(honest, chp, respp)
    expect_accept(r, rep, "public challenge, honest run")
    c["ranges"] = [{"budget": c["ranges"][0]["budget"], "first_block": 5, "last_block": 5}]
    c["open_layers"] = [0, 4, 5]
    c["budgets"] = [c["ranges"][0]["budget"]]
    json.dump(c, open(chp, "w"))
    must(tc("respond", "--run", honest, "--challenge", chp, "--out", respp), "respond public")
    r, rep = audit(honest, chp, respp)
    if json.load(open(path("pub2.ch.json")))["ranges"] != c["ranges"]:
        expect_reject(r, rep, "binding", "public challenge with edited ranges")

    # ---- wrong model: one block's weights perturbed, receipt claims the true digest
    bad_model = path("bad_model")
    shutil.copytree(model, bad_model)
    st = os.path.join(bad_model, "model.safetensors")
    with open(st, "r+b") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        hdr = json.loads(f.read(n))
        a, b = hdr["model.layers.2.mlp.down_proj.weight"]["data_offsets"]
        f.seek(8 + n + a)
        w = np.frombuffer(f.read(b - a), dtype="<f4").copy()
        w *= 1.5
        f.seek(8 + n + a)
        f.write(w.tobytes())
    wrong = make_run("wrong", "--deterministic", model_dir=bad_model)
    r, rep, _ = round_trip(wrong, "wrong_digest", "--seed", 5)
    expect_reject(r, rep, "expectations", "wrong model, honest digest of it in the receipt")
    rec2 = json.load(open(os.path.join(wrong, "receipt.json")))
    rec2["model_digest"] = rec["model_digest"]
    json.dump(rec2, open(os.path.join(wrong, "receipt.json"), "w"), indent=2, sort_keys=True)
    seed, c = find_seed(wrong, 3, True)
    r, rep, _ = round_trip(wrong, "wrong_cov", "--seed", seed)
    expect_reject(r, rep, "ranges", f"wrong block 3 weights, covered "
                                    f"(P(cover) = {c['coverage'][2]:.3f})")
    seed, c = find_seed(wrong, 3, False)
    r, rep, _ = round_trip(wrong, "wrong_miss", "--seed", seed)
    expect_accept(r, rep, "wrong block 3 weights, not covered (undetected)")

    # ---- the binary verification key: same verdict, tampering refused
    tcv = path("vk.tcv")
    must(tc("vk", "--srs", os.path.join(honest, "srs.tcs"), "--slice-levels", 1, "--out", tcv),
         "vk --format bin")
    raw = open(tcv, "rb").read()
    check(raw[:8] == b"TCPSTVK1", "vk.tcv starts with its magic")
    r, rep = audit(honest, ch, resp_h, vk=tcv)
    expect_accept(r, rep, "audit with the binary verification key")
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 1
    open(path("flip.tcv"), "wb").write(flipped)
    r, _ = audit(honest, ch, resp_h, vk=path("flip.tcv"))
    check(r.returncode == 3 and "SHA-256" in r.stderr, f"flipped vk.tcv byte: exit 3 ({r.stderr})")
    # a level point swapped for another level's, digest recomputed: only the
    # pairing check of the levels can tell
    import hashlib
    m = struct.unpack_from("<I", raw, 16)[0]
    start = 24 + 4 * m + 32 + 64 + 128 * (1 + m)
    forged = bytearray(raw[:-32])
    forged[start:start + 64], forged[start + 64:start + 128] = \
        raw[start + 64:start + 128], raw[start:start + 64]
    forged += hashlib.sha256(forged).digest()
    open(path("forged.tcv"), "wb").write(forged)
    r, _ = audit(honest, ch, resp_h, vk=path("forged.tcv"))
    check(r.returncode == 3 and "do not match the key" in r.stderr,
          f"vk.tcv with two key points exchanged: exit 3 ({r.returncode}: {r.stderr})")

    # ---- the tiny llama, qwen2 and gpt2 models: accepted, and a skipped block caught
    for name in ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]:
        tiny = path(name)
        shutil.copytree(os.path.join(src, "tests", "models", name), tiny)
        shutil.copy(os.path.join(model, "tokenizer.json"), tiny)
        trun = make_run("run-" + name, "--deterministic", model_dir=tiny, prompt="the cat")
        ch = challenge(trun, name + ".ch.json", "--seed", 3, budgets="60%", model_dir=tiny)
        resp = path(name + ".resp.json")
        must(tc("respond", "--run", trun, "--challenge", ch, "--out", resp), "respond " + name)
        r, rep = audit(trun, ch, resp, None, None, tiny)
        expect_accept(r, rep, f"honest {name} run")
        must(subprocess.run([forge, trun, tiny, "skip", "1"], capture_output=True, text=True),
             "forge " + name)
        seed, c = find_seed(trun, 1, True, budgets="60%", model_dir=tiny)
        ch = challenge(trun, name + ".cov.json", "--seed", seed, budgets="60%", model_dir=tiny)
        must(tc("respond", "--run", trun, "--challenge", ch, "--out", resp), "respond " + name)
        r, rep = audit(trun, ch, resp, None, None, tiny)
        expect_reject(r, rep, "ranges", f"{name}: block 1 skipped, covered "
                                        f"(P(cover) = {c['coverage'][0]:.3f})")

    # ---- --cache: the key check and the model digest remembered, and only while
    # nothing changed
    cache = path("cache")
    ch = path("swap.ch.json")                # the honest run's challenge, answered in resp_h
    mcopy = path("model_copy")
    shutil.copytree(model, mcopy)
    r, rep = audit(honest, ch, resp_h, tcv, None, mcopy, "--cache", cache)
    expect_accept(r, rep, "audit with an empty --cache")
    check("checked against it" in r.stdout and "remembered" not in r.stdout,
          "first audit with --cache checks the key and digests the model")
    r, rep = audit(honest, ch, resp_h, tcv, None, mcopy, "--cache", cache)
    expect_accept(r, rep, "audit with a warm --cache")
    check("checked in an earlier audit" in r.stdout and "remembered" in r.stdout,
          f"second audit takes both from the cache ({r.stdout[:600]})")
    r, _ = audit(honest, ch, resp_h, path("forged.tcv"), None, mcopy, "--cache", cache)
    check(r.returncode == 3 and "do not match the key" in r.stderr,
          "a forged key is checked although another key is remembered")
    st_path = os.path.join(mcopy, "model.safetensors")
    raw_w = bytearray(open(st_path, "rb").read())
    raw_w[-5] ^= 0x40                       # one weight byte, same size
    open(st_path, "r+b").write(raw_w)
    r, rep = audit(honest, ch, resp_h, tcv, None, mcopy, "--cache", cache)
    expect_reject(r, rep, "expectations", "a weight changed after the digest was remembered")

    # ---- unreadable inputs exit 3, flat layouts are refused by challenge
    r = tc("audit", "--receipt", path("nope.json"), "--vk", os.path.join(honest, "vk.json"),
           "--model", model, "--challenge", ch, "--response", resp_h)
    check(r.returncode == 3 and "nope.json" in r.stderr, "missing receipt: exit 3 naming it")
    flat = path("flat")
    must(tc("run", "--model", model, "--prompt", "Hi", "--max-new-tokens", 4, "--no-open",
            "--layout", "flat", "--out", flat), "flat run")
    r = tc("challenge", "--receipt", os.path.join(flat, "receipt.json"), "--model", model,
           "--budgets", "30%", "--out", path("flat.ch.json"))
    check(r.returncode == 3 and "structured" in r.stderr, "challenge refuses a flat-layout run")
finally:
    shutil.rmtree(work, ignore_errors=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
