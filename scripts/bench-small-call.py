#!/usr/bin/env python3
"""The latency of a small import call (issue 17): N imports of the seed's 5-row
data/book/book.json into partition 2022 of a fresh data directory, each a new task, each timed
from spawn to exit (the CLI exits once the task is Completed); prints the median, min and max.

    python3 scripts/bench-small-call.py [BIN] [N]    # default target/release/vecload, 30
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target/release/vecload")
n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
data = tempfile.mkdtemp()
try:
    def run(*args):
        subprocess.run([exe, "--data-dir", data, *args], check=True, capture_output=True)

    run("collection", "create", os.path.join(root, "data/book/schema.json"))
    run("partition", "create", "book", "2022")
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        run("import", "-c", "book", "-p", "2022", os.path.join(root, "data/book/book.json"))
        ms.append((time.perf_counter() - t) * 1000)
    print("5-row import call -> Completed, ms: median %.1f, min %.1f, max %.1f (%d calls)"
          % (statistics.median(ms), min(ms), max(ms), n))
finally:
    shutil.rmtree(data, ignore_errors=True)
