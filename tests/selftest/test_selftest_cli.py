#!/usr/bin/python3
"""tensorcommit selftest, run as an installed binary would be: copied into an
empty temporary folder and run from there, so no data file can be found.

Checks: `selftest --no-timings` exits 0 and prints "ok NAME" for every known
answer and no FAIL line; the full run prints the timing table; --help exits 0;
bad options exit 2 with one line on stderr.  Then, independently of the
binary, every long decimal or hex literal embedded in
src/protocol/selftest.c is looked up in tests/vectors/bn254_basic.json and
pst.json: the embedded answers must be copies of the independent vectors,
never values the code produced.

usage: test_selftest_cli.py TENSORCOMMIT SOURCE_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TC, SRC = sys.argv[1], sys.argv[2]
failures = []

NAMES = ["fp_mul", "fp_inv", "fr_sqrt", "g1_mul", "g2_mul", "pairing",
         "pairing_product", "decode_reject", "pst_setup", "pst_commit",
         "pst_open", "pst_verify", "pst_reject", "quantize"]
TIMINGS = ["fp_mul", "fp_inv", "g1_mul", "pairing", "pairing_product_9",
           "msm_2^14_i40", "pst_setup_6^5", "pst_commit_6^5", "pst_open_6^5",
           "pst_verify_m5"]


def check(cond, what):
    if not cond:
        failures.append(what)


def run(exe, cwd, *args, expect=0):
    p = subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd,
                       timeout=100)
    check(p.returncode == expect,
          f"selftest {' '.join(args)}: exit {p.returncode}, expected {expect}\n"
          f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def known_answer_lines(out):
    """The "ok"/"FAIL" lines, keyed by name."""
    lines = {}
    for line in out.splitlines():
        m = re.match(r"^(ok|FAIL) +(\S+) ", line)
        if m:
            lines.setdefault(m.group(2), []).append(m.group(1))
    return lines


def test_binary():
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "tensorcommit")
        shutil.copy2(TC, exe)
        work = os.path.join(tmp, "empty")
        os.mkdir(work)

        p = run(exe, work, "selftest", "--no-timings")
        lines = known_answer_lines(p.stdout)
        for name in NAMES:
            check(lines.get(name) == ["ok"],
                  f"--no-timings: want one 'ok {name}' line, got {lines.get(name)}\n{p.stdout}")
        check(set(lines) == set(NAMES), f"unexpected check lines: {sorted(set(lines) - set(NAMES))}")
        check("FAIL" not in p.stdout, "a FAIL line in --no-timings output")
        check(f"{len(NAMES)} of {len(NAMES)} known answers hold" in p.stdout,
              f"summary line missing:\n{p.stdout}")
        check("median" not in p.stdout, "--no-timings printed timings")
        check(p.stderr == "", f"stderr not empty: {p.stderr}")

        # the full run: same checks, then one row per timed operation
        p = run(exe, work, "selftest")
        lines = known_answer_lines(p.stdout)
        check(all(lines.get(n) == ["ok"] for n in NAMES), f"full run checks:\n{p.stdout}")
        rows = [l.split()[0] for l in p.stdout.split("seconds per operation:", 1)[-1].splitlines()
                if l.startswith("  ") and not l.startswith("  operation")]
        check(rows == TIMINGS, f"timing rows {rows}, want {TIMINGS}")
        check("machine:" in p.stdout, "no machine line")
        check(os.listdir(work) == [], f"selftest wrote files: {os.listdir(work)}")

        p = run(exe, work, "selftest", "--threads", "2", "--no-timings")
        check("FAIL" not in p.stdout, "--threads 2 --no-timings failed")

        p = run(exe, work, "selftest", "--help")
        check("usage: tensorcommit selftest" in p.stdout and "--no-timings" in p.stdout,
              f"--help text: {p.stdout}")
        for bad in (["--bogus"], ["--threads", "0"], ["--threads", "x"], ["extra"], ["--threads"]):
            p = run(exe, work, "selftest", *bad, expect=2)
            check(p.stdout == "", f"{bad}: output on a usage error: {p.stdout}")
            check(p.stderr.startswith("tensorcommit selftest: ") and p.stderr.count("\n") == 2
                  and p.stderr.endswith("\ntry 'tensorcommit selftest --help'\n"),
                  f"{bad}: want one line and the --help hint, got {p.stderr!r}")


def c_string_literals(text):
    """C string literals with adjacent pieces joined ("ab" "cd" -> "abcd")."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'"\s*\n\s*"', "", text)
    text = re.sub(r'"\s+"', "", text)
    return re.findall(r'"((?:[^"\\\n]|\\.)*)"', text)


def test_literals_from_vectors():
    vec = os.path.join(SRC, "tests", "vectors")
    corpus = ""
    for name in ("bn254_basic.json", "pst.json"):
        with open(os.path.join(vec, name)) as f:
            corpus += f.read()
    with open(os.path.join(SRC, "src", "protocol", "selftest.c")) as f:
        src = f.read()
    lits = [s for s in c_string_literals(src)
            if re.fullmatch(r"[0-9]{15,}|[0-9a-f]{64}|[0-9a-f]{128}", s)]
    print(f"{len(lits)} embedded literals checked against the vectors")
    check(len(lits) >= 40, f"found only {len(lits)} embedded literals")
    for s in lits:
        quoted = f'"{s}"'
        check(quoted in corpus, f"embedded literal {s[:20]}… is not a value in the vectors")
    # the integer tensor of pst.json n3x4_a
    m = re.search(r"PST_VALUES\[12\] = \{([^}]*)\}", src)
    check(m is not None, "PST_VALUES not found")
    if m:
        vals = [int(v) for v in m.group(1).split(",") if v.strip()]
        with open(os.path.join(vec, "pst.json")) as f:
            cases = {c["name"]: c for c in json.load(f)["cases"]}
        check(vals == cases["n3x4_a"]["values"], "PST_VALUES differ from pst.json n3x4_a")


test_binary()
test_literals_from_vectors()
for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
