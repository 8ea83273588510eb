"""python -m benchmarks.web [--runs 50]: how long `rulekit serve` takes to answer.

Starts the real server (`rulekit serve --records examples/school` on a free port), asks each
page `--runs` times over HTTP, and reports the server's own time (its Server-Timing header,
from the request's arrival to the response's start) and the time the client waited: the
median, the 95th percentile and the slowest. Targets (issue 16): a `who` answer under 50 ms,
the example school's check under 1 s. Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import mimetypes
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = ROOT / "examples" / "school"
DAY = "2025-03-01"
PAGES = (
    ("who 課程認證, teacher absent", "GET", f"who?task={quote('課程認證')}&absent={quote('任課教師')}"),
    ("who 課程認證, course C11304", "GET", f"who?task={quote('課程認證')}&course=C11304&on=114.03.01"),
    ("check, loaded example school", "GET", f"check?on={DAY}"),
    ("check, example school uploaded", "POST", "check"),
    ("regulation", "GET", "regulation"),
)


def _multipart() -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for path in sorted(SCHOOL.glob("*.csv")):
        kind = mimetypes.guess_type(path.name)[0] or "text/csv"
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="on"\r\n\r\n{DAY}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _ask(address: str, method: str, path: str, body) -> tuple[float, float]:
    data, kind = body if method == "POST" else (None, None)
    request = urllib.request.Request(address + path, data=data, method=method,
                                     headers={"content-type": kind} if kind else {})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        timing = response.headers.get("server-timing", "")
    waited = (time.perf_counter() - start) * 1000
    return float(re.search(r"dur=([\d.]+)", timing).group(1)), waited


def _start() -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-c", "from rulekit.cli import main; main()", "serve", "--port", "0",
                             "--records", "examples/school"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    address = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
    return proc, address


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    proc, address = _start()
    body = _multipart()
    try:
        print(f"{'page':34} {'server p50':>10} {'p95':>8} {'max':>8} {'client p50':>10}  (ms, {args.runs} runs)")
        for label, method, path in PAGES:
            _ask(address, method, path, body)  # warm-up: the first request compiles templates
            server, client = zip(*(_ask(address, method, path, body) for _ in range(args.runs)))
            p95 = statistics.quantiles(server, n=20)[-1] if len(server) > 1 else server[0]
            print(f"{label:34} {statistics.median(server):10.1f} {p95:8.1f} {max(server):8.1f} "
                  f"{statistics.median(client):10.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
