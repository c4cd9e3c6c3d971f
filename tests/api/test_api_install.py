"""The installed library as a user sees it: `cmake --install` into a
temporary prefix holds the one public header, both libraries, tensorcommit.pc,
the programs and their manual pages; examples/verify_proof.c builds with
`cc $(pkg-config --cflags --libs tensorcommit)` against that prefix alone and
agrees with `tensorcommit verify` on a proof the command line made (accepted),
a tampered one and one for another commitment (rejected), and bad input.

usage: test_api_install.py BUILD_DIR SOURCE_DIR CC SANITIZE(0|1)"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

build, src, cc, sanitize = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(cmd, expect=0, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != expect:
        print(" ".join(cmd), "->", p.returncode, "(want", expect, ")\n", p.stdout, p.stderr)
        sys.exit(1)
    return p


with tempfile.TemporaryDirectory() as d:
    prefix = os.path.join(d, "prefix")
    run(["cmake", "--install", build, "--prefix", prefix])
    files = []
    for root, _, names in os.walk(prefix):
        files += [os.path.relpath(os.path.join(root, n), prefix) for n in names]
    headers = [f for f in files if f.endswith(".h")]
    check(headers == ["include/tensorcommit.h"], f"only the public header is installed: {headers}")
    for want in ("libtensorcommit.so.0", "libtensorcommit.a", "pkgconfig/tensorcommit.pc",
                 "bin/tensorcommit", "man1/tensorcommit.1"):
        check(any(f.endswith(want) for f in files), f"installed {want}")
    pcs = [f for f in files if f.endswith("tensorcommit.pc")]
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, os.path.dirname(pcs[0])))
    flags = run(["pkg-config", "--cflags", "--libs", "tensorcommit"], env=env).stdout.split()
    check(any(f.startswith("-I" + prefix) for f in flags), f"pkg-config points into the prefix: {flags}")
    exe = os.path.join(d, "verify_proof")
    extra = ["-fsanitize=address,undefined"] if sanitize else []
    run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *extra,
         os.path.join(src, "examples", "verify_proof.c"), *flags, "-o", exe], env=env)
    libdir = os.path.dirname(os.path.join(prefix, [f for f in files if f.endswith(".so.0")][0]))
    env["LD_LIBRARY_PATH"] = libdir
    ldd = run(["ldd", exe], env=env).stdout
    check(os.path.join(libdir, "libtensorcommit.so.0") in ldd, "the example loads the installed library")

    cli = os.path.join(prefix, "bin", "tensorcommit")
    os.chdir(d)
    grid = np.arange(60, dtype=np.int64).reshape(4, 3, 5) * 1000003 - 29999
    np.save("grid.npy", grid)
    run([cli, "setup", "--shape", "4,3,5", "--seed", "00ff", "--out", "srs.tcs"])
    run([cli, "vk", "--srs", "srs.tcs", "--slice-levels", "1", "--out", "vk.json"])
    c = run([cli, "commit", "--srs", "srs.tcs", "--tensor", "grid.npy"]).stdout.strip()
    run([cli, "open", "--srs", "srs.tcs", "--tensor", "grid.npy", "--point", "1,2,3",
         "--point", "3,0,4", "--slice", "1:2", "--out", "proof.json"])

    def both(proof, want, *extra_args):
        """The example and `tensorcommit verify` give the same exit code."""
        p = run([exe, "vk.json", proof, *extra_args], expect=want, env=env)
        cmd = [cli, "verify", "--vk", "vk.json", "--proof", proof]
        if extra_args:
            cmd += ["--commitment", extra_args[0]]
        run(cmd, expect=want)
        return p.stdout

    out = both("proof.json", 0, c)
    check("valid: 2 openings, 1 slices" in out and "WARNING" in out, f"accepted: {out}")
    pf = json.load(open("proof.json"))
    check(pf["openings"][0]["value"] == str(grid[1, 2, 3]), "the value opened is the grid's")
    pf["openings"][1]["value"] = str(int(pf["openings"][1]["value"]) + 1)
    json.dump(pf, open("tampered.json", "w"))
    out = both("tampered.json", 1)
    check(out.splitlines()[-1].startswith("invalid: proof 0: opening 1 rejected"),
          f"tampered value: {out}")
    pf = json.load(open("proof.json"))
    pf["slices"][0]["values"][4] = "7"
    json.dump(pf, open("slice.json", "w"))
    out = both("slice.json", 1)
    check(out.splitlines()[-1].startswith("invalid: proof 0: slice 0"), f"tampered slice: {out}")
    grid2 = grid.copy()
    grid2[0, 0, 0] += 1
    np.save("grid2.npy", grid2)
    c2 = run([cli, "commit", "--srs", "srs.tcs", "--tensor", "grid2.npy"]).stdout.strip()
    out = both("proof.json", 1, c2)
    check("not the one given" in out, f"another commitment: {out}")
    # unreadable input: exit 3 with one line naming the problem; usage: exit 2
    open("junk.json", "w").write("{")
    p = run([exe, "vk.json", "junk.json"], expect=3, env=env)
    check(len(p.stderr.strip().splitlines()) == 1 and p.stdout == "", f"junk: {p.stderr}")
    p = run([exe, "missing.json", "proof.json"], expect=3, env=env)
    check("missing.json" in p.stderr, f"missing key: {p.stderr}")
    run([exe, "vk.json"], expect=2, env=env)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
