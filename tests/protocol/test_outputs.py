#!/usr/bin/env python3
"""Where the command line's outputs go: a run folder appears whole or not at
all (a failed run leaves the earlier one byte for byte, --force replaces it,
no stale srs.tcs), multi-file outputs are all or nothing, a meta file of one
data file is not replaced by that of another, and devices, FIFOs, "-" and
symbolic links are written through rather than replaced.

usage: test_outputs.py TENSORCOMMIT SOURCE_DIR"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading

exe, src = sys.argv[1], sys.argv[2]
model = os.path.join(src, "models", "stories260K")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def tc(*args, cwd=None):
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd)


def tc_bytes(*args):
    return subprocess.run([exe, *args], capture_output=True, cwd=work)


def snapshot(folder):
    """name -> bytes of every entry (and the entry kinds)."""
    out = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        out[name] = open(p, "rb").read() if os.path.isfile(p) else "<not a file>"
    return out


def same_run(a, b):
    """The same files, grid and commitment (results.json holds timings)."""
    return sorted(a) == sorted(b) and all(a[n] == b[n] for n in
                                          ["grid.npy", "commitment.txt", "srs.tcs", "proofs.json"])


def one_line(r):
    return len(r.stderr.strip().splitlines()) == 1


def hidden_siblings(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")]


def run(out, prompt="Once upon a time", *extra):
    return tc("run", "--model", model, "--prompt", prompt, "--max-new-tokens", "12",
              "--num-queries", "2", "--out", out, *extra)


work = tempfile.mkdtemp(prefix="tc_outputs_")
try:
    # ------------------------------------------------------- run folders
    parent = os.path.join(work, "runs")
    os.mkdir(parent)
    rdir = os.path.join(parent, "r")
    r = run(rdir)
    check(r.returncode == 0, f"first run exits 0 ({r.stderr})")
    before = snapshot(rdir)
    check("srs.tcs" in before and "receipt.json" in before, "the first run is complete")
    check(hidden_siblings(parent) == [], "no staging folder left beside the run")
    layout = json.loads(before["layout.json"])

    # a second run into the same folder, without --force: refused up front
    r = run(rdir, "Lily went to the park")
    check(r.returncode == 3 and one_line(r) and "--force" in r.stderr,
          f"non-empty --out without --force: exit 3, one line naming --force ({r.returncode}: {r.stderr})")
    check(snapshot(rdir) == before, "the refused run leaves the earlier run byte for byte")

    # a run that fails late (the SRS is checked after generation, capture,
    # quantization and layout): the earlier run is untouched and still verifies
    small = os.path.join(work, "small.tcs")
    r = tc("setup", "--shape", "2,2", "--seed", "01", "--out", small)
    check(r.returncode == 0, f"setup of a 2x2 SRS ({r.stderr})")
    r = run(rdir, "Lily went to the park", "--force", "--srs", small)
    errors = [l for l in r.stderr.splitlines() if l.startswith("tensorcommit run:")]
    check(r.returncode == 3 and len(errors) == 1 and "SRS is for shape" in errors[0],
          f"a run with an SRS of the wrong shape fails late, one line ({r.returncode}: {r.stderr})")
    check("capture:" in r.stderr, "it failed after the capture stage")
    check(snapshot(rdir) == before, "the failed run leaves the earlier run byte for byte")
    check(hidden_siblings(parent) == [], "the staging folder is removed on failure")
    r = tc("verify", "--run", rdir)
    check(r.returncode == 0, f"verify --run still passes on the earlier run ({r.stdout}{r.stderr})")

    # --force replaces the run
    r = run(rdir, "Lily went to the park", "--force")
    check(r.returncode == 0, f"--force run exits 0 ({r.stderr})")
    after = snapshot(rdir)
    check(json.loads(after["receipt.json"])["prompt"] == "Lily went to the park",
          "--force put the new run in place")
    check(sorted(after) == sorted(before), "the same set of files")
    check(hidden_siblings(parent) == [], "no old or staging folder left")
    r = tc("verify", "--run", rdir)
    check(r.returncode == 0, f"the replaced run verifies ({r.stdout}{r.stderr})")

    # re-running with --srs leaves no seeded srs.tcs behind
    r = run(rdir, "Once upon a time", "--force")
    check(r.returncode == 0 and same_run(snapshot(rdir), before),
          f"the same options reproduce the first run's grid and commitment ({r.stderr})")
    ext = os.path.join(work, "ext.tcs")
    r = tc("setup", "--shape", ",".join(map(str, layout["grid_shape"])), "--seed", "02",
           "--out", ext)
    check(r.returncode == 0, f"setup of an SRS for the grid ({r.stderr})")
    r = run(rdir, "Once upon a time", "--force", "--srs", ext)
    check(r.returncode == 0, f"run --force --srs exits 0 ({r.stderr})")
    check(not os.path.exists(os.path.join(rdir, "srs.tcs")), "no stale seeded srs.tcs")
    r = tc("verify", "--run", rdir, "--srs", ext)
    check(r.returncode == 0 and "FAIL" not in r.stdout,
          f"verify --run --srs passes with no failures ({r.stdout}{r.stderr})")

    # --force replaces only a run folder
    other = os.path.join(work, "notes")
    os.mkdir(other)
    open(os.path.join(other, "notes.txt"), "w").write("keep me")
    r = run(other, "x", "--force")
    check(r.returncode == 3 and one_line(r) and "notes.txt" in r.stderr,
          f"--force on a folder of other files is refused ({r.stderr})")
    check(open(os.path.join(other, "notes.txt")).read() == "keep me", "its files are kept")

    # a run folder through a symbolic link: the link stays, the folder it
    # names gets the run
    link = os.path.join(parent, "latest")
    os.symlink("r", link)
    r = run(link, "Once upon a time", "--force")
    check(r.returncode == 0, f"run --out LINK --force exits 0 ({r.stderr})")
    check(os.path.islink(link) and os.readlink(link) == "r", "the link is kept")
    check(same_run(snapshot(rdir), before) and not os.path.exists(os.path.join(parent, "r.new")),
          "the folder it names holds the new run")

    # an empty folder is fine without --force; "-" is not a folder
    empty = os.path.join(work, "empty")
    os.mkdir(empty)
    r = run(empty)
    check(r.returncode == 0 and "receipt.json" in os.listdir(empty), f"an empty --out is used ({r.stderr})")
    r = tc("run", "--model", model, "--prompt", "x", "--out", "-", cwd=work)
    check(r.returncode == 2 and one_line(r) and not os.path.exists(os.path.join(work, "-")),
          f"run --out - is a usage error and makes no file '-' ({r.stderr})")

    # ------------------------------------------------- multi-file outputs
    hidden = os.path.join(rdir, "hidden_states.npy")
    qdir = os.path.join(work, "q")
    os.mkdir(qdir)
    qa, qb = os.path.join(qdir, "a.npy"), os.path.join(qdir, "b.npy")
    qmeta = os.path.join(qdir, "quantization.json")
    r = tc("quantize", "--in", hidden, "--out", qa)
    check(r.returncode == 0, f"quantize a.npy ({r.stderr})")
    meta_a = open(qmeta, "rb").read()
    check(json.loads(meta_a).get("data_file") == "a.npy", "the meta file records a.npy")
    # another data file would silently take over quantization.json: refused
    r = tc("quantize", "--in", hidden, "--out", qb, "--binary-scale", "20")
    check(r.returncode == 3 and one_line(r) and "a.npy" in r.stderr and "--force" in r.stderr,
          f"a meta file of another data file is refused ({r.stderr})")
    check(open(qmeta, "rb").read() == meta_a and not os.path.exists(qb),
          "neither file is written (all or nothing)")
    r = tc("quantize", "--in", hidden, "--out", qa, "--binary-scale", "20")
    check(r.returncode == 0 and json.loads(open(qmeta).read())["rule"] == "binary",
          f"the same data file may be rewritten ({r.stderr})")
    r = tc("quantize", "--in", hidden, "--out", qb, "--force")
    check(r.returncode == 0 and json.loads(open(qmeta).read()).get("data_file") == "b.npy",
          f"--force replaces the meta file ({r.stderr})")
    legacy = os.path.join(qdir, "legacy.json")
    open(legacy, "w").write('{"rule": "binary", "exponent": 3}\n')
    r = tc("quantize", "--in", hidden, "--out", qa, "--meta", legacy)
    check(r.returncode == 3 and "does not record" in r.stderr,
          f"a meta file that names no data file is not overwritten ({r.stderr})")
    # a meta file that cannot be written: the data file is not written either
    blocked = os.path.join(qdir, "blocked")
    os.mkdir(blocked)
    qc = os.path.join(qdir, "c.npy")
    r = tc("quantize", "--in", hidden, "--out", qc, "--meta", blocked)
    check(r.returncode == 3 and one_line(r) and not os.path.exists(qc),
          f"quantize: a failing --meta leaves no data file ({r.stderr})")
    gpath = os.path.join(qdir, "grid.npy")
    r = tc("layout", "--in", qa, "--out", gpath, "--meta", blocked)
    check(r.returncode == 3 and one_line(r) and not os.path.exists(gpath),
          f"layout: a failing --meta leaves no grid ({r.stderr})")
    r = tc("layout", "--in", qa, "--out", gpath)
    check(r.returncode == 0 and json.load(open(os.path.join(qdir, "layout.json"))).get("data_file")
          == "grid.npy", f"layout records grid.npy ({r.stderr})")
    r = tc("layout", "--in", qa, "--out", os.path.join(qdir, "grid2.npy"))
    check(r.returncode == 3 and "grid.npy" in r.stderr, f"layout: another grid's meta is refused ({r.stderr})")
    for verb, out in [("quantize", "--out"), ("quantize", "--meta"), ("layout", "--out")]:
        args = ["--in", hidden if verb == "quantize" else qa, "--out", "q.npy", "--meta", "m.json"]
        args[args.index(out) + 1] = "-"
        r = tc(verb, *args, cwd=work)
        check(r.returncode == 2 and one_line(r) and not os.path.exists(os.path.join(work, "-")),
              f"{verb} {out} -: usage error, no file '-' ({r.stderr})")
    # capture writes four files: a blocked one means none
    cap = os.path.join(work, "cap")
    os.makedirs(os.path.join(cap, "stats.json"))
    r = tc("capture", "--model", model, "--tokens", "1,2,3", "--out", cap)
    check(r.returncode == 3 and sorted(os.listdir(cap)) == ["stats.json"],
          f"capture: all four files or none ({r.stderr})")

    # ------------------------------------------ devices, FIFOs, "-", links
    # a device that always reports a full disk: a private node like
    # /dev/full (as root, so that a build that replaced devices would not
    # damage the machine's), or /dev/full itself (not root: /dev is safe)
    full = os.path.join(work, "full")
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except OSError:
        full = "/dev/full" if os.geteuid() != 0 else None
    if full is None:
        print("skip: no full device (root without mknod)")
    else:
        meta = os.path.join(work, "full_meta.json")
        r = tc("quantize", "--in", hidden, "--out", full, "--meta", meta)
        check(r.returncode == 3 and one_line(r) and "No space left" in r.stderr,
              f"quantize --out /dev/full: exit 3, one line ({r.returncode}: {r.stderr})")
        check(stat.S_ISCHR(os.stat(full).st_mode), "/dev/full is still a character device")
        check(not os.path.exists(meta), "and its meta file is not written")
        r = tc("vk", "--srs", ext, "--out", full)
        check(r.returncode == 3 and one_line(r) and stat.S_ISCHR(os.stat(full).st_mode),
              f"vk --out /dev/full ({r.stderr})")
    vk_file = os.path.join(work, "vk.json")
    r = tc("vk", "--srs", ext, "--out", vk_file)
    check(r.returncode == 0, f"vk --out FILE ({r.stderr})")
    want = open(vk_file, "rb").read()
    r = tc_bytes("vk", "--srs", ext, "--out", "-")
    check(r.returncode == 0 and r.stdout == want, "vk --out - writes the same bytes to stdout")
    fifo = os.path.join(work, "fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = tc("vk", "--srs", ext, "--out", fifo)
    reader.join(60)
    check(r.returncode == 0 and got == [want], f"vk --out FIFO streams to its reader ({r.stderr})")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
    target = os.path.join(work, "vk_target.json")
    vlink = os.path.join(work, "vk_link.json")
    os.symlink("vk_target.json", vlink)
    r = tc("vk", "--srs", ext, "--out", vlink)
    check(r.returncode == 0 and os.path.islink(vlink) and open(target, "rb").read() == want,
          f"vk --out LINK: the link is kept and its target written ({r.stderr})")
    # /proc's links to open files (what /dev/stdout and /dev/fd/N lead to)
    # are written as opened: to a pipe, and appended to a file opened with >>
    r = tc_bytes("vk", "--srs", ext, "--out", "/proc/self/fd/1")
    check(r.returncode == 0 and r.stdout == want, "--out /proc/self/fd/1 on a pipe")
    appended = os.path.join(work, "appended.txt")
    open(appended, "wb").write(b"earlier\n")
    with open(appended, "ab") as f:
        r = subprocess.run([exe, "vk", "--srs", ext, "--out", "/proc/self/fd/1"], stdout=f)
    check(r.returncode == 0 and open(appended, "rb").read() == b"earlier\n" + want,
          "--out /proc/self/fd/1 appends to a file opened for appending")
    r = tc("setup", "--shape", "2", "--seed", "01", "--out", "-", cwd=work)
    check(r.returncode == 2 and one_line(r), f"setup --out -: usage error ({r.stderr})")
finally:
    shutil.rmtree(work, ignore_errors=True)

print(f"outputs: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
