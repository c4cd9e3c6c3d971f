#!/usr/bin/env python3
"""The HTTP service end to end on the bundled stories260K model, with real
servers on free loopback ports: an audit over HTTP accepts an honest run
and rejects one whose folder was altered on the server's disk; malformed,
oversized, unauthenticated, unknown and wrong-method requests get the right
4xx and the server keeps serving; concurrent clients get their own answers;
kill -9 during a generation leaves no half run and a restarted server
answers byte for byte as before; SIGTERM finishes the request in flight.

usage: test_service.py TENSORCOMMIT SOURCE_DIR [BENCH_SERVICE]"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import numpy as np

exe, src = sys.argv[1], sys.argv[2]
bench = sys.argv[3] if len(sys.argv) > 3 else None
model = os.path.join(src, "models", "stories260K")
work = tempfile.mkdtemp(prefix="tc_service_")
passed = failed = 0
MAX_CONTEXT = 64
SHAPE = "6,8,8,8,8"        # [L+1 = 6][Tp = 64 → 8·8][H = 64 → 8·8]
TOKEN = "s3cret-token-for-tests"
# the BN254 group order: field values of negative integers wrap
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)


def path(*p):
    return os.path.join(work, *p)


def tc(*args, timeout=120):
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def must(r, what):
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"{what} failed ({r.returncode})")
    return r


class Server:
    def __init__(self, name, *extra, runs=None, srs=None):
        self.log = open(path(name + ".log"), "w")
        args = [exe, "serve", "--model", model, "--listen", "127.0.0.1:0", "--runs",
                runs or path(name + "_runs"), "--max-context", str(MAX_CONTEXT),
                "--token-file", path("token"), "--max-body", "65536", *map(str, extra)]
        if srs is not None:
            args += ["--srs", srs]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("listening on "):
            self.p.kill()
            raise SystemExit(f"server {name} did not start: {open(path(name + '.log')).read()}")
        self.url = line.split()[-1]

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=60)
        self.log.close()
        return rc


def http(url, method="GET", body=None, token=TOKEN, raw=False):
    """(status, headers, body bytes); never raises for HTTP errors."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def quiet(fn, *args):
    """fn(*args), or None when the connection fails (the server was killed)."""
    try:
        return fn(*args)
    except OSError:
        return None


def generate(url, prompt, n=12):
    st, _, b = http(url + "/v1/generate", "POST", {"prompt": prompt, "max_new_tokens": n})
    if st != 200:
        raise SystemExit(f"generate: HTTP {st}: {b[:300]}")
    return json.loads(b)


def is_error(resp, status, code):
    st, _, b = resp
    try:
        j = json.loads(b)
    except ValueError:
        return False
    return st == status and j.get("error") == code and isinstance(j.get("detail"), str)


def healthy(url):
    st, _, b = http(url + "/v1/health", token=None)
    return st == 200 and json.loads(b)["status"] == "ok"


# ------------------------------------------------------------------ setup
with open(path("token"), "w") as f:
    f.write(TOKEN + "\n")
must(tc("setup", "--shape", SHAPE, "--out", path("srs.tcs")), "setup")
must(tc("vk", "--srs", path("srs.tcs"), "--slice-levels", 1, "--out", path("vk.json")), "vk")
must(tc("setup", "--shape", SHAPE, "--seed", "07", "--out", path("seeded.tcs")), "setup --seed")

# a seeded SRS is refused unless --allow-test-srs
r = tc("serve", "--model", model, "--srs", path("seeded.tcs"), "--max-context", MAX_CONTEXT,
       "--listen", "127.0.0.1:0", "--runs", path("refused_runs"))
check(r.returncode == 3 and "seeded.tcs" in r.stderr and "--allow-test-srs" in r.stderr,
      f"a seeded SRS is refused without --allow-test-srs ({r.returncode}: {r.stderr})")
# an SRS of another shape is refused, naming the shape it needs
r = tc("serve", "--model", model, "--srs", path("srs.tcs"), "--max-context", 200,
       "--listen", "127.0.0.1:0", "--runs", path("refused_runs"))
check(r.returncode == 3 and "tensorcommit setup --shape" in r.stderr,
      f"an SRS of another shape is refused ({r.stderr})")

srv = Server("a", srs=path("srs.tcs"))
url = srv.url

# -------------------------------------------------- the audit over HTTP
r = tc("audit", "--prover-url", url, "--token-file", path("token"), "--model", model,
       "--budgets", "25%", "--prompt", "Once upon a time", "--max-new-tokens", 12,
       "--vk", path("vk.json"), "--report", path("report.json"), "--keep", path("keep"))
check(r.returncode == 0 and "verdict  ACCEPT" in r.stdout,
      f"audit --prover-url accepts an honest run ({r.returncode}: {r.stdout[-800:]} {r.stderr})")
rep = json.load(open(path("report.json")))
check(rep["verdict"] == "accept" and all(c["ok"] for c in rep["checks"]),
      "the report says accept, every check ok")
receipt = json.load(open(path("keep", "receipt.json")))
check(receipt["layout"]["token_capacity"] == MAX_CONTEXT and receipt["srs_origin"] == "random",
      "the receipt's layout is padded to the server's context; the SRS is the one given")
run_id = r.stdout.split("\n")[0].split()[-1]

# the same through the step commands: generate, then audit by run id
r = tc("generate", "--prover-url", url, "--token-file", path("token"), "--prompt",
       "The cat", "--max-new-tokens", 8, "--out", path("gen.json"))
check(r.returncode == 0, f"generate --prover-url ({r.stderr})")
gen = json.load(open(path("gen.json")))
check(len(gen["tokens"]) == gen["n_prompt_tokens"] + 8 and gen["text"] == gen["receipt"]["text"],
      "generate's reply: tokens, text and receipt agree")
run2 = gen["run_id"]
r = tc("audit", "--prover-url", url, "--token-file", path("token"), "--model", model,
       "--budgets", "40%", "--run-id", run2)
check(r.returncode == 0 and "verdict  ACCEPT" in r.stdout, "audit --run-id accepts")

# open --prover-url: a grid point and a layer slice, verified with our own key
r = tc("open", "--prover-url", url, "--token-file", path("token"), "--run-id", run2,
       "--point", "1,0,2,3,4", "--slice", "1:5", "--out", path("proof.json"))
check(r.returncode == 0, f"open --prover-url ({r.stderr})")
r = tc("verify", "--vk", path("vk.json"), "--proof", path("proof.json"), "--commitment",
       gen["commitment"])
check(r.returncode == 0 and "valid" in r.stdout, f"the served openings verify ({r.stdout})")
proof = json.load(open(path("proof.json")))
grid = np.load(os.path.join(path("a_runs"), run2, "grid.npy"))
check(int(proof["openings"][0]["value"]) == int(grid[1, 0, 2, 3, 4]) % R,
      "the opened value is the grid's on the server's disk")

# the receipt's token_capacity is checked: out of the model's range, or not
# the padding the grid has
for cap, msg, what in ((10**6, "token_capacity", "beyond the model's context"),
                       (32, "do not fit the structured layout", "not the grid's padding")):
    rc2 = dict(receipt)
    rc2["layout"] = dict(receipt["layout"], token_capacity=cap)
    with open(path("keep", "receipt_cap.json"), "w") as f:
        json.dump(rc2, f)
    must(tc("challenge", "--receipt", path("keep", "receipt_cap.json"), "--model", model,
            "--budgets", "25%", "--out", path("keep", "challenge_cap.json")), "challenge")
    resp = http(url + f"/v1/runs/{run_id}/respond", "POST",
                open(path("keep", "challenge_cap.json"), "rb").read())
    with open(path("keep", "response_cap.json"), "wb") as f:
        f.write(resp[2])
    r = tc("audit", "--receipt", path("keep", "receipt_cap.json"), "--vk", path("vk.json"),
           "--model", model, "--challenge", path("keep", "challenge_cap.json"), "--response",
           path("keep", "response_cap.json"))
    check(r.returncode == 3 and msg in r.stderr,
          f"a receipt whose token_capacity is {what} is refused ({r.returncode}: {r.stderr})")

# ------------------------------------- a run folder altered on the disk
victim = generate(url, "One day", 10)
gpath = os.path.join(path("a_runs"), victim["run_id"], "grid.npy")
g = np.load(gpath)
g[0, 0, 0, 0, 1] += 1                       # hidden state 0 (always opened), token 0
np.save(gpath, g)
r = tc("audit", "--prover-url", url, "--token-file", path("token"), "--model", model,
       "--budgets", "25%", "--run-id", victim["run_id"], "--vk", path("vk.json"))
check(r.returncode == 1 and "verdict  REJECT: first failing check: openings" in r.stdout,
      f"an altered run folder is rejected ({r.returncode}: {r.stdout[-400:]})")

# --------------------------------------------- bad requests, right codes
ep = url + "/v1/generate"
check(is_error(http(ep, "POST", b"{not json"), 400, "bad_json"), "malformed JSON: 400")
check(is_error(http(ep, "POST", b"[1, 2]"), 400, "bad_json"), "a JSON array: 400")
check(is_error(http(ep, "POST", {"prompt": 3}), 400, "bad_request"), "a prompt that is not text")
check(is_error(http(ep, "POST", {"prompt": "x", "max_new_tokens": 10**6}), 400, "bad_request"),
      "max_new_tokens beyond the context: 400")
check(is_error(http(ep, "POST", {"prompt": "x " * 80, "max_new_tokens": 30}), 400, "bad_prompt"),
      "prompt + new tokens beyond the context: 400")
check(is_error(http(ep, "POST", {"prompt": "x", "extra": 1}), 400, "bad_request"),
      "an unknown field: 400")
check(is_error(http(ep, "POST", b"{\"prompt\": \"" + b"a" * 70000 + b"\"}"), 413,
               "body_too_large"), "a body over --max-body: 413")
check(is_error(http(ep, "POST", {"prompt": "x"}, token="wrong"), 401, "unauthorized"),
      "a wrong token: 401")
check(is_error(http(ep, "POST", {"prompt": "x"}, token=TOKEN + "x"), 401, "unauthorized"),
      "a token with a suffix: 401")
check(is_error(http(ep, "POST", {"prompt": "x"}, token=None), 401, "unauthorized"),
      "no token: 401")
check(is_error(http(url + "/v1/vk", token=None), 401, "unauthorized"), "/v1/vk needs the token")
check(is_error(http(url + "/v1/runs/" + "0" * 32 + "/receipt"), 404, "unknown_run"),
      "an unknown run id: 404")
check(is_error(http(url + "/v1/runs/../../etc/receipt"), 404, "unknown_run") or
      http(url + "/v1/runs/../../etc/receipt")[0] == 404, "a path in the run id: 404")
check(is_error(http(url + "/v1/runs/" + run2 + "/respond", "POST", {"format": "x"}), 422,
               "bad_challenge"), "a JSON object that is no challenge: 422")
check(is_error(http(ep), 405, "method_not_allowed"), "GET on a POST endpoint: 405")
check(is_error(http(url + "/v1/vk", "POST", {}), 405, "method_not_allowed"),
      "POST on a GET endpoint: 405")
check(is_error(http(url + "/v1/nothing"), 404, "not_found"), "an unknown endpoint: 404")
check(is_error(http(url + "/v1/runs/" + run2 + "/open", "POST", {"points": [[9, 0, 0, 0, 0]]}),
               400, "bad_request"), "a point off the grid: 400")
check(healthy(url), "the server keeps serving after the bad requests")
st, _, b = http(url + "/v1/runs/" + run2 + "/receipt")
check(st == 200 and json.loads(b)["commitment"] == gen["commitment"], "and answers properly")

# -------------------------------------------- page, metrics, health (no token)
st, hdr, page = http(url + "/", token=None)
check(st == 200 and "text/html" in hdr["Content-Type"] and run2.encode() in page and
      gen["commitment"].encode() in page and b"tensorcommit audit --prover-url" in page,
      "the page lists recent runs with their commitments and how to audit")
st, _, met = http(url + "/v1/metrics", token=None)
met = met.decode()
check(st == 200 and "tensorcommit_runs_total 3" in met and
      'tensorcommit_requests_total{code="4xx"}' in met and "tensorcommit_queue_depth 0" in met,
      "metrics: runs, requests by class, queue depth")

# --------------------------------- concurrent clients, independent answers
reqs = [(rid, {"points": [[l, t, 1, 2, 3]], "slices": [{"level": 1, "prefix": [l]}]})
        for rid in (run2, victim["run_id"]) for l in (0, 3) for t in (0, 1)]
want = [http(url + f"/v1/runs/{rid}/open", "POST", body) for rid, body in reqs]
got = [None] * len(reqs)


def worker(k):
    for i in range(k, len(reqs), 4):
        rid, body = reqs[i]
        got[i] = http(url + f"/v1/runs/{rid}/open", "POST", body)


gen_result = []
threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
threads.append(threading.Thread(target=lambda: gen_result.append(generate(url, "A dog", 16))))
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
check(all(g is not None and g[0] == 200 and g[2] == w[2] for g, w in zip(got, want)),
      "4 concurrent clients each get the answer to their own request")
check(len({w[2] for w in want}) == len(want), "the answers differ from one another")
check(len(gen_result) == 1 and len(gen_result[0]["tokens"]) > 0, "a generation beside them")

# the load generator works on a tiny load (no timing is asserted)
if bench is not None:
    for kind in ("point", "slice"):
        r = subprocess.run([bench, "open", "--url", url, "--run-id", run2, "--kind", kind,
                            "--clients", "2", "--requests", "4", "--token-file", path("token"),
                            "--srs", path("srs.tcs"), "--grid",
                            os.path.join(path("a_runs"), run2, "grid.npy")],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and f"open {kind}" in r.stdout and "in-process" in r.stdout,
              f"bench_service open --kind {kind} ({r.stdout} {r.stderr})")

# ---------------------- kill -9 during a generation; restart answers the same
keep_rid = run2
receipt_before = http(url + f"/v1/runs/{keep_rid}/receipt")[2]
vk_before = http(url + "/v1/vk")[2]
challenge = open(path("keep", "challenge.json"), "rb").read()
resp_before = http(url + f"/v1/runs/{run_id}/respond", "POST", challenge)
open_before = want[0][2]
check(resp_before[0] == 200, "respond before the restart")
runs_a = path("a_runs")
hit = False
for attempt in range(12):
    th = threading.Thread(target=lambda: quiet(http, url + "/v1/generate", "POST",
                                              {"prompt": "Once", "max_new_tokens": 50}))
    th.start()
    deadline = time.time() + 5
    while time.time() < deadline:
        st, _, b = http(url + "/v1/health", token=None)
        if json.loads(b)["generating"]:
            break
    time.sleep(0.01 * attempt)
    if not json.loads(http(url + "/v1/health", token=None)[2])["generating"]:
        th.join()
        continue
    srv.p.kill()
    srv.p.wait()
    th.join()
    # the run was under way if its staging folder is there
    hit = any(".staging." in n for n in os.listdir(runs_a))
    if hit:
        break
    srv = Server("a%d" % attempt, runs=runs_a, srs=path("srs.tcs"))
    url = srv.url
check(hit, "a kill -9 landed during a generation (its staging folder is left)")
complete = [n for n in os.listdir(runs_a) if not n.startswith(".")]
check(all(os.path.exists(os.path.join(runs_a, n, "receipt.json")) and
          os.path.exists(os.path.join(runs_a, n, "grid.npy")) for n in complete),
      "after kill -9 every visible run folder is complete")
srv = Server("a2", runs=runs_a, srs=path("srs.tcs"))
url = srv.url
check(not any(".staging." in n for n in os.listdir(runs_a)),
      "the restarted server removed the staging folder of the killed run")
check(http(url + f"/v1/runs/{keep_rid}/receipt")[2] == receipt_before,
      "after the restart the receipt is byte-identical")
check(http(url + "/v1/vk")[2] == vk_before, "and the verification key")
check(http(url + f"/v1/runs/{run_id}/respond", "POST", challenge)[2] == resp_before[2],
      "and the response to the same challenge")
rid0, body0 = reqs[0]
check(http(url + f"/v1/runs/{rid0}/open", "POST", body0)[2] == open_before, "and the opening")

# ----------------------------------------------- SIGTERM drains in-flight work
result = []
drained = False
for attempt in range(10):
    before = set(os.listdir(runs_a))
    result.clear()
    th = threading.Thread(target=lambda: result.append(
        http(url + "/v1/generate", "POST", {"prompt": "Once", "max_new_tokens": 50})))
    th.start()
    busy = False
    deadline = time.time() + 5
    while time.time() < deadline and not busy and th.is_alive():
        busy = json.loads(http(url + "/v1/health", token=None)[2])["generating"]
    if not busy:
        th.join()
        continue
    rc = srv.stop(signal.SIGTERM)
    th.join()
    drained = True
    break
check(drained, "SIGTERM landed during a generation")
if drained:
    check(rc == 0, f"the server exits 0 after SIGTERM ({rc})")
    check(len(result) == 1 and result[0][0] == 200, "the request in flight was answered")
    new = set(os.listdir(runs_a)) - before
    rid = json.loads(result[0][2])["run_id"] if result and result[0][0] == 200 else None
    check(new == {rid} and os.path.exists(os.path.join(runs_a, rid, "receipt.json")),
          "its run is complete, nothing partial is left")
    log = open(path("a2.log")).read()
    check("SIGTERM received" in log and "stopped" in log, "the log says it drained")
    check(log.count("access ") >= 5 and '"POST /v1/generate" 200' in log,
          "one access-log line per request")
else:
    srv.stop()

# ---------------------------------- a testing SRS is served only when allowed
srv = Server("t", "--allow-test-srs", "--queue", 0)
st, hdr, page = http(srv.url + "/", token=None)
check(b"testing SRS" in page, "the page says the SRS is for testing")
j = generate(srv.url, "Hi", 4)
check(j["srs_testing"] is True and "warning" in j and j["receipt"]["srs_origin"] == "seeded",
      "generate says the SRS is for testing")
st, hdr, _ = http(srv.url + f"/v1/runs/{j['run_id']}/receipt")
check(st == 200 and "testing" in (hdr.get("X-Tensorcommit-Warning") or ""),
      "the receipt comes with a testing warning")

# a full queue (--queue 0: none may wait) answers 503 with Retry-After
busy = None
for attempt in range(10):
    first = []
    th = threading.Thread(target=lambda: first.append(
        http(srv.url + "/v1/generate", "POST", {"prompt": "Once", "max_new_tokens": 50})))
    th.start()
    deadline = time.time() + 5
    running = False
    while time.time() < deadline and not running and th.is_alive():
        running = json.loads(http(srv.url + "/v1/health", token=None)[2])["generating"]
    second = http(srv.url + "/v1/generate", "POST", {"prompt": "Hi", "max_new_tokens": 2})
    th.join()
    if running and second[0] == 503:
        busy = second
        break
check(busy is not None and is_error(busy, 503, "busy") and busy[1]["Retry-After"] == "2",
      "a generation beyond the queue gets 503 busy with Retry-After")
check(first and first[0][0] == 200, "the running generation is not disturbed")
st, _, met = http(srv.url + "/v1/metrics", token=None)
check(b"tensorcommit_busy_rejections_total 1" in met or busy is None, "metrics count it")
srv.stop()

# https: the server on GnuTLS, the client checking the certificate
if shutil.which("openssl") is None:
    print("skipping the TLS checks: no openssl to make a certificate")
else:
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        path("key.pem"), "-out", path("cert.pem"), "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, text=True)
    must(r, "openssl req")
    srv = Server("tls", "--tls-cert", path("cert.pem"), "--tls-key", path("key.pem"),
                 srs=path("srs.tcs"))
    check(srv.url.startswith("https://"), "the TLS server says https")
    r = tc("generate", "--prover-url", srv.url, "--token-file", path("token"), "--prompt", "Hi",
           "--max-new-tokens", 3, "--ca-file", path("cert.pem"), "--out", path("tls.json"))
    check(r.returncode == 0 and json.load(open(path("tls.json")))["run_id"],
          f"generate over https with the server's certificate ({r.stderr})")
    r = tc("generate", "--prover-url", srv.url, "--token-file", path("token"), "--prompt", "Hi",
           "--max-new-tokens", 3)
    check(r.returncode == 3 and srv.url in r.stderr and "certificate" in r.stderr.lower(),
          f"an untrusted certificate fails with one clear line ({r.stderr})")
    srv.stop()

print(f"{passed} passed, {failed} failed")
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
