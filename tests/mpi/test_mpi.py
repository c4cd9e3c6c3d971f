#!/usr/bin/python3
"""tensorcommit-mpi against the one-process tensorcommit, with 2 and 3 ranks
on this machine (mpirun --oversubscribe):

- setup: the one SRS file written through MPI-IO is byte for byte the file
  of `tensorcommit setup` with the same seed; with random trapdoors it
  passes `tensorcommit setup --check`; the shard folder, rebuilt here
  into one file from the format of docs/formats.md (hashlib for the
  digests), gives that file too, and the manifest's srs_id is its id;
- commit and open, from the file and from shards made with another rank
  count, give byte for byte the commitment.json and proof.json of
  `tensorcommit commit` / `open` for shapes whose blocks do not divide
  evenly; `tensorcommit verify` accepts the proofs;
- attacks and faults: a flipped byte in a shard, a missing shard, a shard
  of another SRS (with or without the manifest updated to its digest), a
  manifest whose srs_id was changed, a field point, a rank that dies: exit
  non-zero, one message naming the problem, no output file.

usage: test_mpi.py TENSORCOMMIT TENSORCOMMIT_MPI MPIRUN"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

TC, TCM, MPIRUN = (os.path.abspath(a) for a in sys.argv[1:4])
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", ASAN_OPTIONS="detect_leaks=0")
failures = []


def run(cmd, expect=0):
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    if expect is not None and (p.returncode == 0) != (expect == 0):
        failures.append(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect}\n"
                        f"  stderr: {p.stderr[-1500:]}")
    return p


def mpi(k, *args, expect=0):
    return run([MPIRUN, "--oversubscribe", "-np", str(k), TCM, *args], expect)


def tc(*args, expect=0):
    return run([TC, *args], expect)


def check(cond, what):
    if not cond:
        failures.append(what)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def block(count, k, r):
    return count * r // k, count * (r + 1) // k


def rebuild_from_shards(folder, shape):
    """The one-file SRS bytes from a shard folder, by docs/formats.md."""
    man = json.load(open(os.path.join(folder, "manifest.json")))
    k = len(man["shards"])
    sizes = [int(np.prod(shape[j:])) for j in range(len(shape) + 1)]
    prefix_len = 24 + 4 * len(shape) + 64 + 128 * (1 + len(shape))
    levels = [[] for _ in sizes]
    prefix = None
    for r, entry in enumerate(man["shards"]):
        data = read(os.path.join(folder, entry["file"]))
        check(data[:8] == b"TCPSTSHD" and struct.unpack("<3I", data[8:20]) == (1, r, k),
              f"shard {r}: head")
        check(hashlib.sha256(data[:-32]).digest() == data[-32:], f"shard {r}: own digest")
        check(data[-32:].hex() == entry["sha256"], f"shard {r}: manifest digest")
        p = data[20:20 + prefix_len]
        check(prefix is None or p == prefix, f"shard {r}: prefix differs")
        prefix = p
        off = 20 + prefix_len
        for j, n in enumerate(sizes):
            lo, hi = block(n, k, r)
            levels[j].append(data[off:off + 64 * (hi - lo)])
            off += 64 * (hi - lo)
        check(off == len(data) - 32, f"shard {r}: length")
    body = prefix + b"".join(b"".join(lv) for lv in levels)
    return body + hashlib.sha256(body).digest(), man


SHAPES = [(3, 4, 5), (7,), (2, 3, 2, 3)]   # 60, 7 and 36 values: uneven blocks for 2 and 3


def test_setup(d, shape, seed, k_file, k_shards):
    """One file by k_file ranks, shards by k_shards ranks, against setup's."""
    s = ",".join(map(str, shape))
    one = f"{d}/one.tcs"
    tc("setup", "--shape", s, "--seed", seed, "--out", one)
    ref = read(one)
    p = mpi(k_file, "setup", "--shape", s, "--seed", seed, "--out", f"{d}/m.tcs")
    check(read(f"{d}/m.tcs") == ref, f"{shape}: {k_file}-rank SRS file differs from setup's")
    check(p.stdout.strip() == ref[-32:].hex(), f"{shape}: {k_file}-rank setup prints another id")
    check(not os.path.exists(f"{d}/m.tcs.partial"), "temporary file left")
    sh = f"{d}/sh{k_shards}"
    p = mpi(k_shards, "setup", "--shape", s, "--seed", seed, "--out", sh + "/")
    whole, man = rebuild_from_shards(sh, shape)
    check(whole == ref, f"{shape}: shards of {k_shards} ranks do not make up setup's file")
    check(man["srs_id"] == ref[-32:].hex() == p.stdout.strip(),
          f"{shape}: manifest srs_id is not the file's id")
    return one, sh, k_shards


def test_commit_open(d, shape, one, sh, k_shards):
    rng = np.random.default_rng(sum(shape))
    np.save(f"{d}/g.npy", rng.integers(-2 ** 40, 2 ** 40, size=shape, dtype=np.int64))
    tc("commit", "--srs", one, "--tensor", f"{d}/g.npy", "--out", f"{d}/c1.json")
    far = [n - 1 for n in shape]
    req = ["--point", ",".join("0" * len(shape)), "--point", ",".join(map(str, far)),
           "--slice", f"1:{shape[0] - 1}"]
    if len(shape) > 1:
        req += ["--point", ",".join(str(i % n) for i, n in enumerate(shape)),
                "--slice", f"2:0,{shape[1] - 1}"]
    tc("open", "--srs", one, "--tensor", f"{d}/g.npy", *req, "--out", f"{d}/p1.json")
    ref_c, ref_p = read(f"{d}/c1.json"), read(f"{d}/p1.json")
    # the file, and shards read by another rank count than made them
    for k, srs in ((3 if k_shards == 2 else 2, one), (5 - k_shards, sh)):
        mpi(k, "commit", "--srs", srs, "--tensor", f"{d}/g.npy", "--out", f"{d}/ck.json")
        check(read(f"{d}/ck.json") == ref_c, f"{shape}: {k}-rank commitment from {srs} differs")
        mpi(k, "open", "--srs", srs, "--tensor", f"{d}/g.npy", *req, "--out", f"{d}/pk.json")
        check(read(f"{d}/pk.json") == ref_p, f"{shape}: {k}-rank proof.json from {srs} differs")
    tc("verify", "--srs", one, "--proof", f"{d}/pk.json")


def test_random_setup(d):
    """Trapdoors from the OS on rank 0, broadcast: the key every rank made
    passes the pairing checks of `tensorcommit setup --check`."""
    mpi(3, "setup", "--shape", "3,5,2", "--out", f"{d}/rand.tcs")
    p = tc("setup", "--check", f"{d}/rand.tcs")
    check(p.stdout.startswith("ok:") and "origin random" in p.stdout,
          f"random 3-rank SRS: {p.stdout} {p.stderr}")


def refused(d, k, srs, why, args=None):
    """The job fails with exit 3, the message says why, nothing is written."""
    out = f"{d}/refused.json"
    args = args or ["commit", "--srs", srs, "--tensor", f"{d}/g.npy", "--out", out]
    p = mpi(k, *args, expect=None)
    check(p.returncode == 3, f"{why}: exit {p.returncode}, expected 3")
    check(why in p.stderr, f"{why}: message missing: {p.stderr[-600:]}")
    check(not os.path.exists(out), f"{why}: output written")


def test_attacks(d):
    sh, other = f"{d}/sh3", f"{d}/other"   # shards of 3 ranks
    mpi(3, "setup", "--shape", "3,4,5", "--seed", "99", "--out", other + "/")
    cases = []
    bad = f"{d}/bad_flip"
    shutil.copytree(sh, bad)
    with open(f"{bad}/shard-00001.tcss", "r+b") as f:
        f.seek(2000)
        b = f.read(1)
        f.seek(2000)
        f.write(bytes([b[0] ^ 1]))
    cases.append((bad, "shard-00001.tcss: digest mismatch"))
    bad = f"{d}/bad_missing"
    shutil.copytree(sh, bad)
    os.remove(f"{bad}/shard-00002.tcss")
    cases.append((bad, "cannot open shard 2 of 3"))
    # a whole shard of another SRS: its own digest holds, the manifest's does not
    bad = f"{d}/bad_swap"
    shutil.copytree(sh, bad)
    shutil.copy(f"{other}/shard-00001.tcss", f"{bad}/shard-00001.tcss")
    cases.append((bad, "another header or key than shard 0"))
    # the same with every shard's prefix fixed up: only the manifest digest stops it
    man = json.load(open(f"{sh}/manifest.json"))
    bad = f"{d}/bad_digest"
    shutil.copytree(sh, bad)
    mine, theirs = read(f"{sh}/shard-00000.tcss"), bytearray(read(f"{other}/shard-00001.tcss"))
    plen = 24 + 4 * 3 + 64 + 128 * 4
    theirs[20:20 + plen] = mine[20:20 + plen]
    theirs[-32:] = hashlib.sha256(bytes(theirs[:-32])).digest()
    with open(f"{bad}/shard-00001.tcss", "wb") as f:
        f.write(theirs)
    cases.append((bad, "not the shard the manifest lists"))
    # ... and with the manifest updated too: the SRS id no longer holds
    bad2 = f"{d}/bad_id"
    shutil.copytree(bad, bad2)
    m2 = dict(man)
    m2["shards"] = [dict(e) for e in man["shards"]]
    m2["shards"][1]["sha256"] = bytes(theirs[-32:]).hex()
    json.dump(m2, open(f"{bad2}/manifest.json", "w"))
    cases.append((bad2, "do not make up the SRS id the manifest names"))
    bad = f"{d}/bad_manifest"
    shutil.copytree(sh, bad)
    m3 = dict(man, srs_id="00" * 32)
    json.dump(m3, open(f"{bad}/manifest.json", "w"))
    cases.append((bad, "do not make up the SRS id the manifest names"))
    for folder, why in cases:
        refused(d, 2 if "missing" in folder else 3, folder, why)
    # a field point is not split this way: a usage error before any work
    p = mpi(2, "open", "--srs", sh, "--tensor", f"{d}/g.npy", "--point", "5,1,1", "--out",
            f"{d}/refused.json", expect=None)
    check(p.returncode == 2 and "grid points" in p.stderr and not os.path.exists(f"{d}/refused.json"),
          f"field point: exit {p.returncode}, {p.stderr[-300:]}")
    # a rank that dies: the job ends, rank 0 says so, nothing is written
    p = run([MPIRUN, "--oversubscribe", "-np", "1", TCM, "commit", "--srs", sh, "--tensor",
             f"{d}/g.npy", "--out", f"{d}/refused.json", ":", "-np", "1", "sh", "-c",
             "kill -9 $$"], expect=None)
    check(p.returncode != 0 and "the job was stopped" in p.stderr
          and not os.path.exists(f"{d}/refused.json"),
          f"killed rank: exit {p.returncode}, {p.stderr[-600:]}")
    # setup into a folder that holds something: refused, the folder untouched
    os.makedirs(f"{d}/full")
    open(f"{d}/full/keep", "w").close()
    p = mpi(2, "setup", "--shape", "3,4,5", "--seed", "01", "--out", f"{d}/full/", expect=3)
    check(sorted(os.listdir(f"{d}/full")) == ["keep"] and not os.path.exists(f"{d}/full.partial"),
          f"setup into a full folder: {os.listdir(f'{d}/full')}")


def main():
    with tempfile.TemporaryDirectory() as d:
        for i, shape in enumerate(SHAPES):
            sub = f"{d}/s{i}"
            os.makedirs(sub)
            k_file, k_shards = (2, 3) if i % 2 == 0 else (3, 2)
            test_commit_open(sub, shape, *test_setup(sub, shape, f"a{i}", k_file, k_shards))
        test_attacks(f"{d}/s0")
        test_random_setup(d)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
