#!/usr/bin/python3
"""The command line with unusual and wrong input, each case a defect the
earlier code had:

- grids of any rank: .npy files of 9, 10, 12 and 32 axes (numpy writes and
  reads them, as the independent side), a flat layout with k > 8 laid out,
  committed, opened and verified, `interpolate` on every grid `commit`
  takes (its coefficients checked against a Moebius transform computed
  here), `run --layout flat` on the bundled model;
- messages and exit codes: usage errors say what was wrong in one line and
  point to --help (exit 2); -h works like --help; every --help states the
  exit codes; the real limits of setup --shape, quantize --max-bits and
  run --temperature; a missing config.json; verify --run from another
  folder, with a missing model (exit 3) and after run --srs; select solve
  on values whose sum overflows; the default thread count;
- verify and run --json, verify's signed values and commitment, --quiet.

usage: test_cli_hardening.py TENSORCOMMIT SOURCE_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

TC, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
MODEL = os.path.join(SRC, "models", "stories260K")
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
COMMANDS = ["selftest", "run", "setup", "vk", "commit", "open", "verify", "interpolate",
            "tokenize", "detokenize", "generate", "capture", "quantize", "layout", "locate",
            "select"]
failures = []


def run(*args, expect=0, cwd=None, pre=()):
    p = subprocess.run([*pre, TC, *args], capture_output=True, text=True, cwd=cwd)
    if expect is not None and p.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n"
                        f"  stdout: {p.stdout[-2000:]}\n  stderr: {p.stderr[-2000:]}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


def seeded_srs(shape, path):
    run("setup", "--shape", ",".join(map(str, shape)), "--seed", "07", "--out", path)


def signed(v):
    v %= R
    return v - R if v > R // 2 else v


def moebius(values, m):
    """Monomial coefficients of the multilinear polynomial through a 2^m grid
    (C order, first axis most significant), mod r."""
    c = [int(v) % R for v in values]
    for bit in range(m):
        step = 1 << bit
        for i in range(len(c)):
            if i & step:
                c[i] = (c[i] - c[i ^ step]) % R
    return c


def test_high_rank_npy(d):
    # numpy writes 9 and 10 axes: commit and interpolate take them, and the
    # commitment is the one of the same values as a flat array
    for m in (9, 10):
        g = (np.arange(2 ** m, dtype=np.int64) * 37 - 5000).reshape((2,) * m)
        np.save(f"{d}/g{m}.npy", g)
        np.save(f"{d}/f{m}.npy", g.ravel())
        seeded_srs([2] * m, f"{d}/s{m}.tcs")
        a = run("commit", "--srs", f"{d}/s{m}.tcs", "--tensor", f"{d}/g{m}.npy").stdout.strip()
        b = run("commit", "--srs", f"{d}/s{m}.tcs", "--tensor", f"{d}/f{m}.npy").stdout.strip()
        check(re.fullmatch(r"[0-9a-f]{64}", a) is not None and a == b,
              f"{m} axes: commitment {a!r} vs flat {b!r}")
        run("interpolate", "--tensor", f"{d}/g{m}.npy", "--out", f"{d}/c{m}.json")
        if os.path.exists(f"{d}/c{m}.json"):
            cj = json.load(open(f"{d}/c{m}.json"))
            check([int(x) for x in cj["coefficients"]] == moebius(g.ravel(), m),
                  f"{m} axes: coefficients are not the Moebius transform")
    # 33 axes: more than numpy's limit, named as such
    hdr = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + "1, " * 33 + "), }"
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    with open(f"{d}/a33.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode()
                + (7).to_bytes(8, "little"))
    p = run("interpolate", "--tensor", f"{d}/a33.npy", "--out", f"{d}/c33.json", expect=3)
    check("33 axes (at most 32)" in p.stderr, f"33 axes: {p.stderr!r}")
    check(not os.path.exists(f"{d}/c33.json"), "33 axes: output written")
    # a 4096-long axis: the message names 4096; --shape reads it as a grid
    flat = (np.arange(4096, dtype=np.int64) % 97) - 48
    np.save(f"{d}/long.npy", flat)
    p = run("interpolate", "--tensor", f"{d}/long.npy", "--out", f"{d}/cl.json", expect=3)
    check("4096" in p.stderr and "size 0" not in p.stderr and "--shape" in p.stderr,
          f"4096-long axis: {p.stderr!r}")
    np.save(f"{d}/cube.npy", flat.reshape(16, 16, 16))
    run("interpolate", "--tensor", f"{d}/long.npy", "--shape", "16,16,16", "--out", f"{d}/cl.json")
    run("interpolate", "--tensor", f"{d}/cube.npy", "--out", f"{d}/cc.json")
    if os.path.exists(f"{d}/cl.json") and os.path.exists(f"{d}/cc.json"):
        check(json.load(open(f"{d}/cl.json")) == json.load(open(f"{d}/cc.json")),
              "interpolate --shape differs from the shaped array")
    p = run("interpolate", "--tensor", f"{d}/long.npy", "--shape", "16,16", "--out",
            f"{d}/x.json", expect=3)
    check("4096" in p.stderr and "256" in p.stderr, f"--shape of another size: {p.stderr!r}")


def test_flat_layout_k12(d):
    # 3,000 values, d = 2: the flat layout is 2^12, twelve axes
    vals = (np.arange(3000, dtype=np.int64) * 7919) % 20001 - 10000
    np.save(f"{d}/q.npy", vals.reshape(1, 1, 3000))
    run("layout", "--in", f"{d}/q.npy", "--out", f"{d}/grid.npy", "--layout", "flat",
        "--min-dim", "2", "--max-dim", "2")
    if not os.path.exists(f"{d}/grid.npy"):
        return
    g = np.load(f"{d}/grid.npy")
    check(g.shape == (2,) * 12 and g.dtype == np.int64, f"flat k=12 grid shape {g.shape}")
    check((g.ravel()[:3000] == vals).all(), "flat grid does not start with the values in order")
    check(set(g.ravel()[3000:].tolist()) <= set(vals.tolist()), "padding is not copies of values")
    seeded_srs([2] * 12, f"{d}/s12.tcs")
    cm = run("commit", "--srs", f"{d}/s12.tcs", "--tensor", f"{d}/grid.npy").stdout.strip()
    pt = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0]
    run("open", "--srs", f"{d}/s12.tcs", "--tensor", f"{d}/grid.npy", "--point",
        ",".join(map(str, pt)), "--slice", "3:1,0,1", "--out", f"{d}/p12.json")
    p = run("verify", "--srs", f"{d}/s12.tcs", "--proof", f"{d}/p12.json", "--commitment", cm,
            "--json")
    try:
        v = json.loads(p.stdout)
    except ValueError:
        check(False, f"verify --json is not JSON: {p.stdout!r}")
        return
    check(v["valid"] is True and v["commitment"] == cm and v["rejected"] == 0, f"verify: {v}")
    check(v["openings"][0]["value"] == str(int(g[tuple(pt)])),
          f"opened value {v['openings'][0].get('value')} is not the grid's {g[tuple(pt)]}")
    check(v["openings"][0]["point"] == [str(x) for x in pt], "opened point")
    check(v["slices"][0]["values"] == [str(int(x)) for x in g[1, 0, 1].ravel()],
          "slice values are not the grid's")
    # a tampered value is rejected, with exit 1, in text and JSON
    pj = json.load(open(f"{d}/p12.json"))
    pj["openings"][0]["value"] = str((int(pj["openings"][0]["value"]) + 1) % R)
    json.dump(pj, open(f"{d}/bad.json", "w"))
    p = run("verify", "--srs", f"{d}/s12.tcs", "--proof", f"{d}/bad.json", "--json", expect=1)
    v = json.loads(p.stdout) if p.stdout.startswith("{") else {}
    check(v.get("valid") is False and v.get("rejected") == 1 and "reason" in v["openings"][0],
          f"tampered opening: {p.stdout!r}")
    # text output: the commitment, then signed values
    p = run("verify", "--srs", f"{d}/s12.tcs", "--proof", f"{d}/p12.json")
    check(p.stdout.startswith(f"commitment {cm}\n"), f"verify text: {p.stdout!r}")
    check(f"value {int(g[tuple(pt)])}\n" in p.stdout, f"verify text value: {p.stdout!r}")


def test_usage(d):
    for cmd in COMMANDS:
        for h in ("-h", "--help"):
            p = run(cmd, h)
            check("usage:" in p.stdout and "exit status" in p.stdout.lower(),
                  f"{cmd} {h}: no usage or exit codes on stdout: {p.stdout[-300:]!r}")
        p = run(cmd, "--bogus", expect=2) if cmd != "select" else run(cmd, "solve", "--bogus",
                                                                        expect=2)
        lines = p.stderr.splitlines()
        hint = f"try 'tensorcommit {cmd}{' solve' if cmd == 'select' else ''} --help'"
        check(len(lines) == 2 and "--bogus" in lines[0] and lines[1] == hint and p.stdout == "",
              f"{cmd} --bogus: {p.stderr!r}")
    for args, word in ((["commit"], "--srs"), (["commit", "--srs", "x", "--tensor"], "--tensor"),
                       (["verify", "--proof", "p.json"], "--vk"),
                       (["open", "--srs", "a", "--tensor", "b", "--out", "c"], "--point"),
                       (["layout", "--in", "a", "--out", "b", "--layout", "odd"], "--layout"),
                       (["commit", "--srs", "a", "--tensor", "b", "extra"], "extra")):
        p = run(*args, expect=2)
        lines = p.stderr.splitlines()
        check(len(lines) == 2 and word in lines[0] and lines[1].startswith("try 'tensorcommit"),
              f"{args}: {p.stderr!r}")
    p = run("frobnicate", expect=2)
    check(len(p.stderr.splitlines()) == 2, f"unknown command: {p.stderr!r}")


def test_messages(d):
    p = run("setup", "--shape", ",".join(["16"] * 24), "--seed", "01", "--out", f"{d}/x", expect=2)
    check("2^40" in p.stderr and "1..24 sizes" not in p.stderr, f"setup 16^24: {p.stderr!r}")
    p = run("setup", "--shape", ",".join(["2"] * 25), "--out", f"{d}/x", expect=2)
    check("25" in p.stderr and "24" in p.stderr, f"setup 25 axes: {p.stderr!r}")
    p = run("setup", "--shape", "17,2", "--out", f"{d}/x", expect=2)
    check("17" in p.stderr, f"setup 17: {p.stderr!r}")
    check(not os.path.exists(f"{d}/x"), "setup wrote a refused SRS")
    np.save(f"{d}/h.npy", np.array([[[0.5, 3.0]]], dtype=np.float32))
    p = run("quantize", "--in", f"{d}/h.npy", "--out", f"{d}/hq.npy", "--max-bits", "1",
            "--scale-factor", "0", "--quantize", "100", expect=3)
    check("2-bit" not in p.stderr and "+-1" in p.stderr, f"quantize --max-bits 1: {p.stderr!r}")
    p = run("run", "--model", MODEL, "--prompt", "x", "--out", f"{d}/r", "--temperature", "200",
            expect=2)
    check("0..100" in p.stderr, f"run --temperature 200: {p.stderr!r}")
    os.mkdir(f"{d}/empty")
    p = run("generate", "--model", f"{d}/empty", "--prompt", "x", expect=3)
    check("line -1" not in p.stderr and "config.json" in p.stderr
          and len(p.stderr.splitlines()) == 1, f"missing config.json: {p.stderr!r}")
    json.dump({"values": [1e308, 1e308, 1.0], "costs": [1, 1, 1], "budgets": [3]},
              open(f"{d}/inst.json", "w"))
    p = run("select", "solve", "--instance", f"{d}/inst.json", expect=3)
    check("null" not in p.stdout and p.stderr.strip() != "", f"select solve 1e308: {p.stdout!r}")


def test_threads_and_quiet(d):
    want = min(len(os.sched_getaffinity(0)), 64)
    p = run("generate", "--model", MODEL, "--tokens", "1,403", "--max-new-tokens", "2")
    m = re.search(r"\((\d+) threads?", p.stderr)
    check(m is not None and int(m.group(1)) == want,
          f"generate's default threads: {p.stderr!r}, want {want}")
    p = run("generate", "--model", MODEL, "--tokens", "1,403", "--max-new-tokens", "2",
            pre=("taskset", "-c", "0"))
    check("(1 thread" in p.stderr, f"generate under taskset -c 0: {p.stderr!r}")
    p = run("generate", "--model", MODEL, "--tokens", "1,403", "--max-new-tokens", "2", "--quiet")
    check(p.stderr == "" and p.stdout.strip() != "", f"generate --quiet: {p.stderr!r}")


def test_run(d):
    # the flat layout on the bundled model with 46 new tokens: 6 x 51 x 64
    # values pad to 3^9, nine axes; run from the source folder with a
    # relative --model, then verify from another folder
    out = f"{d}/flat"
    p = run("run", "--model", "models/stories260K", "--prompt", "Once upon a time",
            "--max-new-tokens", "46", "--layout", "flat", "--out", out, "--json", "--quiet",
            cwd=SRC)
    check(p.stderr == "", f"run --quiet printed {p.stderr!r}")
    try:
        s = json.loads(p.stdout)
    except ValueError:
        check(False, f"run --json is not JSON: {p.stdout!r}")
        return
    lay = json.load(open(f"{out}/layout.json"))
    check(s["valid"] is True and s["grid_vars"] == len(lay["grid_shape"]) > 8,
          f"run --layout flat: {s}, layout {lay['grid_shape']}")
    check(s["commitment"] == open(f"{out}/commitment.txt").read().strip(), "run --json commitment")
    check(np.load(f"{out}/grid.npy").shape == tuple(lay["grid_shape"]), "grid.npy shape")
    p = run("verify", "--run", out, "--json", cwd=d)
    v = json.loads(p.stdout) if p.stdout.startswith("{") else {}
    check(v.get("valid") is True and v.get("model_checked") is True and v.get("n_failed") == 0,
          f"verify --run from another folder: {p.stdout[-1500:]!r}")
    check(all(c["ok"] for c in v.get("checks", [{}])), "verify --run --json checks")
    # a missing model is a missing input: exit 3
    p = run("verify", "--run", out, "--model", f"{d}/nomodel", expect=3)
    check("nomodel" in p.stderr, f"missing model: {p.stderr!r}")
    # after run --srs the folder has no srs.tcs: say to pass --srs
    lay = json.load(open(f"{out}/layout.json"))
    seeded_srs(lay["grid_shape"], f"{d}/own.tcs")
    out2 = f"{d}/own"
    run("run", "--model", MODEL, "--prompt", "Once upon a time", "--max-new-tokens", "46",
        "--layout", "flat", "--srs", f"{d}/own.tcs", "--out", out2, "--quiet")
    p = run("verify", "--run", out2, "--skip-model", expect=3)
    check("--srs" in p.stderr and "srs.tcs" in p.stderr, f"run --srs then verify: {p.stderr!r}")
    run("verify", "--run", out2, "--skip-model", "--srs", f"{d}/own.tcs")


def main():
    with tempfile.TemporaryDirectory() as d:
        test_usage(d)
        test_messages(d)
        test_high_rank_npy(d)
        test_flat_layout_k12(d)
        test_threads_and_quiet(d)
        test_run(d)


main()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("cli hardening ok")
