#!/usr/bin/python3
"""Runs the README's example block literally, line by line, with bash in a
scratch folder that holds only a link to the bundled models (as a fresh
clone's root does) and the built binary first on the PATH.  Every line must
exit 0, and the steps must agree with each other: verify prints the
commitment that commit printed, and the opened value at 1,2,3,4 is the
grid's value there (numpy reads grid.npy independently).

usage: test_readme.py TENSORCOMMIT SOURCE_DIR"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

TC, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def example_lines():
    text = open(os.path.join(SRC, "README.md")).read()
    m = re.search(r"## Examples\n.*?```\n(.*?)```", text, re.S)
    check(m is not None, "README.md has no Examples code block")
    return [l for l in m.group(1).splitlines() if l.strip()] if m else []


def main():
    lines = example_lines()
    check(len(lines) >= 8, f"too few example lines: {lines}")
    check(all(l.startswith("tensorcommit ") for l in lines), "every line runs tensorcommit")
    with tempfile.TemporaryDirectory() as d:
        os.symlink(os.path.join(SRC, "models"), os.path.join(d, "models"))
        bindir = os.path.join(d, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(TC), os.path.join(bindir, "tensorcommit"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        # sanitizer builds: fontconfig's process-lifetime cache (the plot's
        # text) is not a leak of ours; tests/select/lsan.supp says so
        supp = os.path.join(SRC, "tests", "select", "lsan.supp")
        env["LSAN_OPTIONS"] = ":".join(x for x in (env.get("LSAN_OPTIONS"),
                                                    "suppressions=" + supp) if x)
        out = {}
        for line in lines:
            p = subprocess.run(["bash", "-c", line], cwd=d, env=env, capture_output=True, text=True)
            check(p.returncode == 0, f"{line}\n  exit {p.returncode}: {p.stderr.strip()}")
            verb = line.split()[1]
            out[verb] = p.stdout
        if failures:
            return
        commitment = out["commit"].strip()
        check(re.fullmatch(r"[0-9a-f]{64}", commitment) is not None, f"commit: {commitment!r}")
        check(f"commitment {commitment}" in out["verify"], "verify names the commitment")
        grid = np.load(os.path.join(d, "grid.npy"))
        check(grid.shape == (6, 16, 8, 8), f"grid.npy shape {grid.shape} is not the README's")
        want = int(grid[1, 2, 3, 4])
        check(f"opening 0: ok at (1, 2, 3, 4) value {want}\n" in out["verify"],
              f"verify prints the grid's value {want}: {out['verify']}")
        check("valid: 1 openings, 1 slices" in out["verify"], "verify accepts")
        # the audit block, run the same way (its continuation lines joined)
        text = open(os.path.join(SRC, "README.md")).read()
        m = re.search(r"### Auditing a run\n.*?```\n(.*?)```", text, re.S)
        check(m is not None, "README.md has no audit code block")
        if m is None:
            return
        audit = [l for l in m.group(1).replace("\\\n", " ").splitlines() if l.strip()]
        check([l.split()[1] for l in audit] == ["run", "challenge", "respond", "audit"],
              f"the audit block runs run, challenge, respond, audit: {audit}")
        for line in audit:
            p = subprocess.run(["bash", "-c", line], cwd=d, env=env, capture_output=True, text=True)
            check(p.returncode == 0, f"{line}\n  exit {p.returncode}: {p.stderr.strip()}")
            out[line.split()[1]] = p.stdout
        check("verdict  ACCEPT" in out.get("audit", ""), "the README's audit accepts")


main()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("README examples ok")
