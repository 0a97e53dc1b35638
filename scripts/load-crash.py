#!/usr/bin/env python3
"""Load and crash check for vecload (issue 14): bounded, loopback only, stops what it starts.

Load: one `vecload serve` on 127.0.0.1 (a free port), JOBS import jobs submitted from
CONCURRENCY threads through the REST API (half of them with a good and a bad unit), each polled
until it ends; at least POLLS polls in all. Every job must end (Completed, or Failed for those
with a bad unit), and at the end the collection holds exactly the rows of the Completed jobs,
with no stray segment files.
Crash: KILLS times, an embedded `vecload import` of a larger file is killed with SIGKILL after a
random delay; the next import (which recovers the directory) must see the killed task all or
nothing, the count equal to the rows of the Completed tasks, and no stray files.

    scripts/load-crash.py --bin target/debug/vecload                    # CI: 100 jobs, 1000 polls, 10 kills
    scripts/load-crash.py --bin target/release/vecload --jobs 2000 --polls 20000 --concurrency 50 --kills 50

Prints one JSON object with the figures; exits 1 on any broken rule.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "data", "book", "schema.json")


def fail(msg):
    print("load-crash: FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def rows_file(path, first, n):
    rows = [{"book_id": first + i, "word_count": i % 100, "book_intro": [i % 7 / 2, i % 5 / 4]}
            for i in range(n)]
    with open(path, "w") as f:
        json.dump({"rows": rows}, f)


def run(bin_, data, *args, check=True):
    p = subprocess.run([bin_, "--data-dir", data, *args], capture_output=True, text=True, cwd=ROOT)
    if check and p.returncode != 0:
        fail(f"vecload {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def stray_files(data, completed_ids):
    """Segment files of tasks that did not complete, and temp files."""
    keep = {"t%08d" % i for i in completed_ids}
    out = []
    for dirpath, _, files in os.walk(data):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), data)
            if ".tmp" in name or (rel.startswith("segments") and not any(k in rel for k in keep)):
                out.append(rel)
    return out


def tasks(bin_, data):
    return json.loads(run(bin_, data, "--json", "tasks").stdout)


def check_consistent(bin_, data, what):
    ts = tasks(bin_, data)
    done = [t for t in ts if t["state"] == "Completed"]
    want = sum(t["row_count"] for t in done)
    got = int(run(bin_, data, "count", "book").stdout.strip())
    if got != want:
        fail(f"{what}: count {got}, but the Completed tasks hold {want} rows")
    stray = stray_files(data, [t["task_id"] for t in done])
    if stray:
        fail(f"{what}: stray files {stray[:5]}")
    return got


class Client:
    def __init__(self, addr):
        self.base = "http://" + addr

    def post(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        t = time.monotonic()
        with urllib.request.urlopen(req, timeout=60) as r:
            out = json.loads(r.read())
        return out, time.monotonic() - t


def load(args, work):
    data, storage = os.path.join(work, "load-data"), os.path.join(work, "files")
    os.makedirs(storage)
    for j in range(args.jobs):
        rows_file(os.path.join(storage, f"good{j}.json"), 1_000_000 + j * 5, 5)
    with open(os.path.join(storage, "bad.json"), "w") as f:
        f.write('{"rows": [{"book_id": 1, "word_count": 1, "book_intro": [1, 2, 3]}]}')
    run(args.bin, data, "collection", "create", SCHEMA)
    server = subprocess.Popen([args.bin, "--data-dir", data, "--storage", storage, "serve",
                               "--listen", "127.0.0.1:0"], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = server.stderr.readline()
        while line and "serving on" not in line:  # log lines (recovery) may come first
            line = server.stderr.readline()
        # Keep reading its log (one line per request) so the server never blocks on stderr.
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
        addr = line.strip().rsplit("http://", 1)[-1]
        if not addr.startswith("127.0.0.1:"):
            fail(f"serve said {line!r}")
        client = Client(addr)
        latencies, polls, results, errors = [], [0], {}, []
        lock = threading.Lock()
        polls_per_job = max(1, -(-args.polls // args.jobs))

        def one(j):
            files = [[f"good{j}.json"]] + ([["bad.json"]] if j % 2 else [])
            body = {"collectionName": "book", "files": files}
            out, dt = client.post("/v2/vectordb/jobs/import/create", body)
            if out.get("code") != 0:
                raise RuntimeError(f"job {j} refused: {out}")
            job = out["data"]["jobId"]
            n, state = 0, None
            while True:
                out, dt = client.post("/v2/vectordb/jobs/import/describe", {"jobId": job})
                n += 1
                with lock:
                    latencies.append(dt)
                    polls[0] += 1
                state = out["data"]["state"]
                if state in ("Completed", "Failed") and n >= polls_per_job:
                    break
                if n > 100_000:
                    raise RuntimeError(f"job {j} never ended: {out}")
                if state not in ("Completed", "Failed"):
                    time.sleep(0.005)
            results[j] = (state, out["data"])

        def worker(ids):
            for j in ids:
                try:
                    one(j)
                except Exception as e:  # noqa: BLE001 (reported below)
                    errors.append(f"{type(e).__name__}: {e}")

        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(range(k, args.jobs, args.concurrency),))
                   for k in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        if errors:
            fail(f"{len(errors)} jobs broke: {errors[:3]}")
        for j, (state, view) in results.items():
            want = "Failed" if j % 2 else "Completed"
            if state != want:
                fail(f"job {j} ended {state}, expected {want}: {view}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            fail("serve did not stop within 30 s of SIGTERM")
    rows = check_consistent(args.bin, data, "after the load")
    if rows != 5 * len([j for j in results if j % 2 == 0]):
        fail(f"{rows} rows after the load, expected {5 * (args.jobs - args.jobs // 2)}")
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)
    return {"jobs": args.jobs, "polls": polls[0], "concurrency": args.concurrency,
            "seconds": round(elapsed, 2), "poll_ms_p50": pick(0.5), "poll_ms_p99": pick(0.99),
            "poll_ms_max": round(latencies[-1] * 1000, 1), "rows": rows}


def crash(args, work):
    data = os.path.join(work, "crash-data")
    big = os.path.join(work, "big.json")
    run(args.bin, data, "collection", "create", SCHEMA)
    rng = random.Random(args.seed)
    outcomes = {}
    # Kills are drawn within the time one import takes here, measured first (unless given).
    window = args.crash_window
    if window is None:
        rows_file(big, 9_000_000, args.crash_rows)
        t = time.monotonic()
        run(args.bin, data, "--storage", work, "import", "-c", "book", "big.json")
        window = time.monotonic() - t
    for k in range(args.kills):
        rows_file(big, 10_000_000 + k * args.crash_rows, args.crash_rows)
        p = subprocess.Popen([args.bin, "--data-dir", data, "--storage", work, "import", "-c", "book",
                              "big.json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(rng.uniform(0, window))
        p.send_signal(signal.SIGKILL)
        p.wait()
        # The next writer recovers the directory: run a small import, then check.
        small = os.path.join(work, "small.json")
        rows_file(small, 50_000_000 + k * 5, 5)
        run(args.bin, data, "--storage", work, "import", "-c", "book", "small.json")
        check_consistent(args.bin, data, f"after kill {k}")
    for t in tasks(args.bin, data):
        outcomes[t["state"]] = outcomes.get(t["state"], 0) + 1
    return {"kills": args.kills, "seed": args.seed, "rows_per_import": args.crash_rows,
            "kill_window_s": round(window, 3), "tasks": outcomes}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "vecload"))
    ap.add_argument("--jobs", type=int, default=100)
    ap.add_argument("--polls", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--crash-rows", type=int, default=20_000)
    ap.add_argument("--crash-window", type=float, default=None,
                    help="seconds before a kill, at most (default: the time one import takes)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vecload-load-crash-")
    try:
        report = {"load": load(args, work), "crash": crash(args, work)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
