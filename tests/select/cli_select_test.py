#!/usr/bin/python3
"""`tensorcommit select` through the built binary: every ESD and MV-BCS
vector from the command line, the stories260K scores and selections, the
chart, and exit codes / messages for bad input.

usage: cli_select_test.py TENSORCOMMIT SOURCE_DIR
"""
import json
import math
import os
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
VEC = os.path.join(SRC, "tests", "vectors", "layer-selection")
MODEL = os.path.join(SRC, "models", "stories260K")
failures = []
# Sanitizer builds: fontconfig's process-lifetime cache is not our leak.
ENV = dict(os.environ)
ENV["LSAN_OPTIONS"] = ":".join(
    x for x in (ENV.get("LSAN_OPTIONS"),
                "suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                               "lsan.supp")) if x)


def run(*args):
    p = subprocess.run([BIN, "select", *args], capture_output=True, text=True, timeout=120,
                       env=ENV)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(a, b, tol):
    return a == b or abs(a - b) <= tol * max(abs(b), 1e-300)


def test_fit_vectors():
    cases = json.load(open(os.path.join(VEC, "esd_vectors.json")))["cases"]
    path = os.path.join(VEC, "esd_vectors.json")
    for c in cases:
        for metric, want in c["expected"].items():
            rc, out, err = run("fit", "--eigenvalues", path, "--case", c["id"], "--metric", metric)
            check(rc == 0, f"fit {c['id']} {metric}: rc {rc} {err}")
            if rc:
                continue
            got = json.loads(out)
            tag = f"fit {c['id']} {metric}"
            check(got["status"] == want["status"], tag + " status")
            for k in ("num_evals", "num_candidates"):
                check(got[k] == want[k], f"{tag} {k}")
            if want["status"] == "ok":
                for k in ("xmin_index", "n_tail"):
                    check(got[k] == want[k], f"{tag} {k}")
                for k in ("alpha", "xmin", "D"):
                    check(close(got[k], want[k], 1e-9), f"{tag} {k}: {got[k]} vs {want[k]}")
            else:
                check(got["reason"] == want["reason"], tag + " reason")


def test_fit_stories():
    path = os.path.join(VEC, "stories260K_fits.json")
    for m in json.load(open(path))["matrices"]:
        for metric in ("alpha_peak", "alpha_mid", "alpha"):
            want = m[metric]
            rc, out, err = run("fit", "--eigenvalues", path, "--case", m["name"], "--metric",
                               metric)
            check(rc == 0, f"fit {m['name']} {metric}: rc {rc} {err}")
            if rc:
                continue
            got = json.loads(out)
            tag = f"fit {m['name']} {metric}"
            for k in ("xmin_index", "n_tail", "num_candidates"):
                check(got[k] == want[k], f"{tag} {k}")
            check(close(got["alpha"], want["alpha"], 1e-9), f"{tag} alpha")


def test_solve_vectors():
    path = os.path.join(VEC, "mvbcs_vectors.json")
    cases = json.load(open(path))["cases"]
    for c in cases:
        rc, out, err = run("solve", "--instance", path, "--case", c["id"])
        check(rc == 0, f"solve {c['id']}: rc {rc} {err}")
        if rc:
            continue
        got = json.loads(out)
        tol = 0 if c["value_exact"] else 1e-9
        check(close(got["optimum"], c["optimal_value"], tol), f"solve {c['id']} optimum")
        if c["canonical_assignment_strict"]:
            check(got["assignment"] == c["canonical_assignment"], f"solve {c['id']} assignment")


def test_scores_and_optimize(tmp):
    scores = os.path.join(tmp, "scores.json")
    rc, out, err = run("scores", "--model", MODEL, "--threads", "2", "--out", scores)
    check(rc == 0, f"scores rc {rc}: {err}")
    check("35/35" in err, "scores reports progress on stderr")
    want = json.load(open(os.path.join(VEC, "stories260K_scores.json")))
    got = json.load(open(scores))
    for k in ("metric_name", "mapping_type", "total_parameters", "num_blocks",
              "num_prunable_layers", "layers_per_block", "model_sha256", "model_type"):
        check(got[k] == want[k], f"scores field {k}")
    for a, b in zip(got["layers"], want["layers"]):
        check(a["name"] == b["name"] and a["weight_shape"] == b["weight_shape"], "layer names")
        check(abs(a["significance_score"] - b["significance_score"]) <= 1e-9, a["name"])
    for name in sorted(os.listdir(VEC)):
        if not name.startswith("stories260K_select_"):
            continue
        sel = json.load(open(os.path.join(VEC, name)))
        inp = sel["input"]
        plan = os.path.join(tmp, "plan.json")
        png = os.path.join(tmp, "plan.png")
        rc, out, err = run("optimize", "--scores", scores, "--budgets",
                           ",".join(str(b) for b in inp["budgets"]), "--unit",
                           inp["granularity"], "--out", plan, "--plot", png)
        check(rc == 0, f"optimize {name}: rc {rc} {err}")
        if rc:
            continue
        g = json.load(open(plan))["results"]
        w = sel["results"]
        check(close(g["optimal_benefit"], w["optimal_benefit"], 1e-9), name + " optimum")
        check(g["total_cost"] == w["total_cost"], name + " total_cost")
        check([(a["start_layer"], a["end_layer"]) for a in g["assignments"]] ==
              [(a["start_layer"], a["end_layer"]) for a in w["assignments"]], name + " ranges")
        check(open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", name + " png")


def test_bad_input(tmp):
    def bad_file(text):
        p = os.path.join(tmp, "bad.json")
        with open(p, "w") as f:
            f.write(text)
        return p

    out = os.path.join(tmp, "never.json")
    p = bad_file('{"values": [1, 2], "costs": [1, 0], "budgets": [3]}')
    rc, so, se = run("solve", "--instance", p, "--out", out)
    check(rc == 3 and p in se and len(se.strip().splitlines()) == 1,
          f"solve bad costs: rc {rc} {se!r}")
    check(not os.path.exists(out), "no output after an error")
    p = bad_file("[1, -3]")
    rc, so, se = run("fit", "--eigenvalues", p)
    check(rc == 3 and p in se and "negative" in se, f"fit negative: rc {rc} {se!r}")
    p = bad_file('{"layers": [{"significance_score": "x", "num_parameters": 1}]}')
    rc, so, se = run("optimize", "--scores", p, "--budgets", "5", "--out", out)
    check(rc == 3 and p in se and not os.path.exists(out), f"optimize bad scores: {rc} {se!r}")
    png = os.path.join(tmp, "never.png")
    rc, so, se = run("optimize", "--scores", os.path.join(VEC, "stories260K_scores.json"),
                     "--budgets", "5", "--out", os.path.join(tmp, "no", "dir.json"),
                     "--plot", png)
    check(rc == 3 and not os.path.exists(png), f"optimize unwritable out: {rc} {se!r}")
    rc, so, se = run("scores", "--model", os.path.join(tmp, "nope"), "--out", out)
    check(rc == 3 and not os.path.exists(out), f"scores missing model: {rc} {se!r}")
    for args in (["frobnicate"], ["solve"], ["fit", "--eigenvalues"],
                 ["optimize", "--scores", "x.json", "--budgets", "1,-2", "--out", out],
                 ["optimize", "--scores", "x.json", "--budgets", "1,,2", "--out", out],
                 ["scores", "--model", MODEL, "--out", out, "--metric", "beta"],
                 ["scores", "--model", MODEL, "--out", out, "--sparsity", "1.5"],
                 ["optimize", "--scores", "x.json", "--budgets", "1", "--out", out,
                  "--unit", "layer"]):
        rc, so, se = run(*args)
        check(rc == 2, f"usage {args}: rc {rc}")
    # a thread count must be a whole number: 4.0 is refused, with one line
    rc, so, se = run("scores", "--model", MODEL, "--out", out, "--threads", "4.0")
    lines = se.splitlines()
    check(rc == 2 and len(lines) == 2 and "--threads" in lines[0] and
          lines[1] == "try 'tensorcommit select scores --help'" and not os.path.exists(out),
          f"--threads 4.0: {rc} {se!r}")
    rc, so, se = run("--help")
    check(rc == 0 and "optimize" in so, "--help")
    rc, so, se = run("solve", "--instance", bad_file('{"values":[1],"costs":[1],"budgets":[1e15, 0]}'))
    check(rc == 0 and json.loads(so)["assignment"] == [[0, 0], [-1, -1]], "1e15 budget")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_fit_vectors()
        test_fit_stories()
        test_solve_vectors()
        test_scores_and_optimize(tmp)
        test_bad_input(tmp)
    print(f"cli_select_test: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
