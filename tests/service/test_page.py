#!/usr/bin/env python3
"""The server's page (GET /) rendered by headless Chromium: the model, the
SRS id and origin, the testing warning, the latest run with its commitment
and text, and how to audit it are on the rendered page; a screenshot is
left in OUT_DIR/page.png.  Exits 77 (skipped) when chromium is not
installed (`make test-page` installs it).

usage: test_page.py TENSORCOMMIT SOURCE_DIR OUT_DIR"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.request

exe, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if browser is None:
    print("skipped: chromium is not installed (make test-page installs it)")
    sys.exit(77)
model = os.path.join(src, "models", "stories260K")
work = tempfile.mkdtemp(prefix="tc_page_")
os.makedirs(out, exist_ok=True)
failed = 0


def check(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL:", what)


log = open(os.path.join(work, "serve.log"), "w")
srv = subprocess.Popen([exe, "serve", "--model", model, "--allow-test-srs", "--max-context", "64",
                        "--listen", "127.0.0.1:0", "--runs", os.path.join(work, "runs")],
                       stdout=subprocess.PIPE, stderr=log, text=True)
line = srv.stdout.readline()
if not line.startswith("listening on "):
    srv.kill()
    sys.exit("the server did not start")
url = line.split()[-1]
try:
    req = urllib.request.Request(url + "/v1/generate", method="POST",
                                 data=json.dumps({"prompt": "Once upon a time <b>&",
                                                  "max_new_tokens": 12}).encode())
    run = json.load(urllib.request.urlopen(req, timeout=60))
    health = json.load(urllib.request.urlopen(url + "/v1/health", timeout=60))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--user-data-dir=" + os.path.join(work, "profile")]
    shot = os.path.join(out, "page.png")
    if os.path.exists(shot):
        os.remove(shot)
    r = subprocess.run([browser, *flags, "--window-size=1200,900", "--screenshot=" + shot,
                        url + "/"], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and os.path.exists(shot), f"chromium took a screenshot ({r.stderr[-500:]})")
    if os.path.exists(shot):
        head = open(shot, "rb").read(24)
        w, h = struct.unpack(">II", head[16:24])
        check(head[:8] == b"\x89PNG\r\n\x1a\n" and (w, h) == (1200, 900),
              f"the screenshot is a 1200x900 PNG ({w}x{h})")
    r = subprocess.run([browser, *flags, "--dump-dom", url + "/"], capture_output=True,
                       text=True, timeout=120)
    dom = r.stdout
    check(run["run_id"] in dom and run["commitment"] in dom, "the run and its commitment are shown")
    check(run["text"].strip()[:20] in dom, "with its text")
    check("Once upon a time &lt;b&gt;&amp;" in dom, "the prompt is shown as text, not markup")
    check(health["srs_id"] in dom and "seeded" in dom, "the SRS id and origin are shown")
    check('id="testing"' in dom, "the testing SRS warning is shown")
    check("tensorcommit audit --prover-url" in dom, "how to audit is shown")
    check("llama" in dom, "the model type is shown")
finally:
    srv.terminate()
    srv.wait(timeout=60)
    log.close()
    shutil.rmtree(work, ignore_errors=True)
print("page test:", "FAILED" if failed else "ok", "; screenshot in", out)
sys.exit(1 if failed else 0)
