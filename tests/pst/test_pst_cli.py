#!/usr/bin/python3
"""CLI tests for setup / vk / commit / open / verify / interpolate, run
through the built binary: known answers from pst.json, exit codes, one-line
errors naming the file, and no output written on bad input.

usage: test_pst_cli.py TENSORCOMMIT SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TC, SRC = sys.argv[1], sys.argv[2]
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
failures = []


def run(*args, expect=0):
    p = subprocess.run([TC, *args], capture_output=True, text=True)
    if p.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n"
                        f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


def one_line_naming(p, name):
    lines = p.stderr.strip().splitlines()
    check(len(lines) == 1 and name in lines[0], f"expected one stderr line naming {name}: {p.stderr!r}")


def main():
    vec = json.load(open(os.path.join(SRC, "tests", "vectors", "pst.json")))
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        # known answers: setup from the vector trapdoors, commit, interpolate
        for case in vec["cases"]:
            if case["name"] not in ("n3x4_a", "n5x3x2_a", "n2p8_negative"):
                continue
            shape = case["shape"]
            np.save("g.npy", np.array(case["values"], dtype=np.int64).reshape(shape))
            p = run("setup", "--shape", ",".join(map(str, shape)), "--trapdoors",
                    ",".join(case["trapdoors"]), "--threads", "2", "--out", "k.tcs")
            check("testing only" in p.stderr, "explicit trapdoors must warn")
            p = run("commit", "--srs", "k.tcs", "--tensor", "g.npy")
            check(p.stdout.strip() == case["commitment"], f"{case['name']}: commitment")
            run("interpolate", "--tensor", "g.npy", "--out", "coef.json")
            cj = json.load(open("coef.json"))
            check(cj["coefficients"] == case["coefficients"], f"{case['name']}: coefficients")
            check(cj["dims"] == shape and cj["degree_bound"] == max(shape), "coefficients header")
            good = [o for o in case["openings"] if o["expect"]][0]
            run("open", "--srs", "k.tcs", "--tensor", "g.npy", "--point", ",".join(good["point"]),
                "--out", "pv.json")
            pv = json.load(open("pv.json"))
            check(pv["openings"][0]["proof"] == good["proofs"], f"{case['name']}: proof bytes")
            check(pv["openings"][0]["value"] == good["y"], f"{case['name']}: value")
            # every vector opening, honest or not, through verify
            rows = {"commitment": case["commitment"], "shape": shape,
                    "openings": [{"point": o["point"], "value": o["y"], "proof": o["proofs"]}
                                 for o in case["openings"]],
                    "slices": [{"prefix": s["point"], "values": s["slice_values"],
                                "proof": s["proofs"]} for s in case["slice_openings"]]}
            json.dump(rows, open("rows.json", "w"))
            p = run("verify", "--srs", "k.tcs", "--proof", "rows.json", expect=1)
            want = [o["expect"] for o in case["openings"]] + [s["expect"] for s in case["slice_openings"]]
            lines = p.stdout.splitlines()
            # explicit trapdoors: a testing key, named just before the verdict
            check("WARNING: the key's origin is explicit (testing only)" in lines[-2],
                  f"{case['name']}: verify warns about the testing key ({lines[-2]})")
            got = [l.split(": ", 1)[1].startswith("ok") for l in lines
                   if l.startswith(("opening ", "slice "))]
            check(got == want, f"{case['name']}: verify verdicts {got} != {want}")

        # a fresh seeded SRS and the whole flow
        rng = np.random.default_rng(7)
        grid = rng.integers(-2**40, 2**40, size=(4, 3, 5), dtype=np.int64)
        np.save("grid.npy", grid)
        p = run("setup", "--shape", "4,3,5", "--seed", "00ff", "--out", "srs.tcs")
        check(len(p.stdout.strip()) == 64 and "testing only" in p.stderr, "setup output")
        run("vk", "--srs", "srs.tcs", "--slice-levels", "1,2", "--out", "vk.json")
        run("vk", "--srs", "srs.tcs", "--out", "vk0.json")
        c = run("commit", "--srs", "srs.tcs", "--tensor", "grid.npy", "--out", "c.json").stdout.strip()
        check(len(c) == 64 and json.load(open("c.json"))["commitment"] == c, "commit output")
        run("open", "--srs", "srs.tcs", "--tensor", "grid.npy", "--point", "1,2,3",
            "--point", f"1,2,{R - 1}", "--random-points", "2", "--slice", "1:2",
            "--slice", "2:3,1", "--out", "proof.json")
        pf = json.load(open("proof.json"))
        check(pf["commitment"] == c and len(pf["openings"]) == 4 and len(pf["slices"]) == 2,
              "proof.json contents")
        check(pf["openings"][0]["value"] == str(int(grid[1, 2, 3]) % R), "grid value")
        check(pf["slices"][1]["values"] == [str(int(v) % R) for v in grid[3, 1, :]], "slice values")
        p = run("verify", "--vk", "vk.json", "--proof", "proof.json")
        check(p.stderr == "", f"checked slice keys need no warning: {p.stderr!r}")
        run("verify", "--srs", "srs.tcs", "--proof", "proof.json", "--commitment", c)

        # vk.json embeds every level from the smallest asked for up to m - 1,
        # and verify checks them against the verification key
        for asked, want in (("2", ["2"]), ("2,1", ["1", "2"]), ("3", [])):
            run("vk", "--srs", "srs.tcs", "--slice-levels", asked, "--out", "vkl.json")
            lv = json.load(open("vkl.json"))["slice_levels"]
            check(sorted(lv) == want and all(len(lv[j]) == [15, 5][int(j) - 1] for j in lv),
                  f"--slice-levels {asked} embeds {sorted(lv)}")
        vk = json.load(open("vk.json"))
        tampered = json.loads(json.dumps(vk))
        tampered["slice_levels"]["1"][0], tampered["slice_levels"]["1"][1] = \
            vk["slice_levels"]["1"][1], vk["slice_levels"]["1"][0]
        json.dump(tampered, open("vk_swap.json", "w"))
        p = run("verify", "--vk", "vk_swap.json", "--proof", "proof.json", expect=3)
        one_line_naming(p, "vk_swap.json")
        check(p.stdout == "", "nothing verified with bad slice keys")
        tampered = json.loads(json.dumps(vk))
        tampered["slice_levels"]["2"][3] = vk["slice_levels"]["1"][3]
        json.dump(tampered, open("vk_upper.json", "w"))
        one_line_naming(run("verify", "--vk", "vk_upper.json", "--proof", "proof.json", expect=3),
                        "vk_upper.json")
        old = json.loads(json.dumps(vk))
        del old["slice_levels"]["2"]
        json.dump(old, open("vk_old.json", "w"))
        p = run("verify", "--vk", "vk_old.json", "--proof", "proof.json", expect=3)
        one_line_naming(p, "vk_old.json")
        check("regenerate" in p.stderr and "tensorcommit vk" in p.stderr, f"old format: {p.stderr!r}")
        pf = json.load(open("proof.json"))
        pf["slices"][1]["values"][2] = str((int(pf["slices"][1]["values"][2]) + 1) % R)
        json.dump(pf, open("forged_slice.json", "w"))
        p = run("verify", "--vk", "vk.json", "--proof", "forged_slice.json", expect=1)
        check("slice 1: rejected" in p.stdout and "slice 0: ok" in p.stdout,
              f"forged slice value: {p.stdout}")
        # a point-only proof needs no slice keys
        del pf["slices"]
        json.dump(pf, open("points.json", "w"))
        run("verify", "--vk", "vk0.json", "--proof", "points.json")

        # rejections: exit 1, naming which
        pf = json.load(open("proof.json"))
        pf["openings"][2]["value"] = str((int(pf["openings"][2]["value"]) + 1) % R)
        pf["slices"][0]["proof"][0] = "00" * 31 + "40"
        json.dump(pf, open("bad.json", "w"))
        p = run("verify", "--vk", "vk.json", "--proof", "bad.json", expect=1)
        check("opening 2: rejected" in p.stdout and "slice 0: rejected" in p.stdout
              and "opening 0: ok" in p.stdout, f"rejection report: {p.stdout}")
        pf = json.load(open("proof.json"))
        pf["openings"][0]["proof"][1] = "00" * 32
        json.dump(pf, open("bad2.json", "w"))
        p = run("verify", "--vk", "vk.json", "--proof", "bad2.json", expect=1)
        check("opening 0: rejected: proof[1]" in p.stdout, f"malformed point reason: {p.stdout}")
        p = run("verify", "--vk", "vk.json", "--proof", "proof.json", "--commitment", "00" * 31 + "40",
                expect=1)

        # bad input: exit 3, one line naming the file, nothing written
        text = open("proof.json").read()
        open("trunc.json", "w").write(text[: len(text) // 2])
        one_line_naming(run("verify", "--vk", "vk.json", "--proof", "trunc.json", expect=3), "trunc.json")
        pf = json.load(open("proof.json"))
        pf["openings"][0]["point"][0] = str(R)
        json.dump(pf, open("range.json", "w"))
        one_line_naming(run("verify", "--vk", "vk.json", "--proof", "range.json", expect=3), "range.json")
        np.save("f32.npy", grid.astype(np.float32))
        np.save("shape.npy", grid[:3])
        for bad in ("f32.npy", "shape.npy"):
            one_line_naming(run("commit", "--srs", "srs.tcs", "--tensor", bad, "--out", "o.json",
                                expect=3), bad)
            one_line_naming(run("open", "--srs", "srs.tcs", "--tensor", bad, "--point", "0,0,0",
                                "--out", "o.json", expect=3), bad)
        check(not os.path.exists("o.json"), "nothing written on bad input")
        run("setup", "--shape", "4,3", "--seed", "01", "--out", "small.tcs")
        one_line_naming(run("commit", "--srs", "small.tcs", "--tensor", "grid.npy", expect=3), "grid.npy")
        srs = bytearray(open("srs.tcs", "rb").read())
        srs[len(srs) // 2] ^= 1
        open("flip.tcs", "wb").write(srs)
        one_line_naming(run("commit", "--srs", "flip.tcs", "--tensor", "grid.npy", expect=3), "flip.tcs")
        one_line_naming(run("verify", "--srs", "flip.tcs", "--proof", "proof.json", expect=3), "flip.tcs")
        open("short.tcs", "wb").write(bytes(srs[:100]))
        one_line_naming(run("vk", "--srs", "short.tcs", "--out", "v.json", expect=3), "short.tcs")
        check(not os.path.exists("v.json"), "nothing written on a bad SRS")
        one_line_naming(run("open", "--srs", "srs.tcs", "--tensor", "grid.npy", "--point", f"0,0,{R}",
                            "--out", "o.json", expect=3), "--point")

        # more than 8 axes: a flat int64 array of the grid's size
        run("setup", "--shape", ",".join(["2"] * 10), "--seed", "0a", "--out", "wide.tcs")
        np.save("flat.npy", rng.integers(-2**40, 2**40, size=1024, dtype=np.int64))
        run("open", "--srs", "wide.tcs", "--tensor", "flat.npy", "--point", ",".join(["1"] * 10),
            "--slice", "9:" + ",".join(["0"] * 9), "--out", "wide.json")
        run("verify", "--srs", "wide.tcs", "--proof", "wide.json")

        # structural check of an SRS; a swapped pair of key points with a
        # recomputed digest loads but fails the check
        p = run("setup", "--check", "srs.tcs")
        check(p.stdout.startswith("ok: "), f"setup --check: {p.stdout}")
        import hashlib
        srs = bytearray(open("srs.tcs", "rb").read())
        at = 8 + 16 + 4 * 3 + 64 + 128 * 4
        srs[at:at + 64], srs[at + 64:at + 128] = srs[at + 64:at + 128], srs[at:at + 64]
        srs[-32:] = hashlib.sha256(bytes(srs[:-32])).digest()
        open("swapped.tcs", "wb").write(srs)
        p = run("setup", "--check", "swapped.tcs", expect=1)
        check(p.stdout.startswith("rejected: "), f"setup --check on a bad key: {p.stdout}")

        # usage
        run("setup", expect=2)
        run("verify", "--vk", "vk.json", expect=2)
        run("open", "--srs", "srs.tcs", "--tensor", "grid.npy", "--out", "o.json", expect=2)
        run("setup", "--shape", "17", "--out", "x.tcs", expect=2)
        for cmd in ("setup", "vk", "commit", "open", "verify", "interpolate"):
            p = run(cmd, "--help")
            check("usage:" in p.stdout, f"{cmd} --help")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("all CLI checks passed")


main()
