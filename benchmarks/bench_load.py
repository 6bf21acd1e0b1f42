"""Serving cached pages: Minipack under gunicorn next to nginx serving saved copies of the same pages.

Everything runs on loopback in a temporary directory: a fresh SQLite
database with the bundled catalog (migrate + load_bundled_catalog), gunicorn
with the production settings (DEBUG off), and nginx serving each page as a
static file saved from Minipack's own answer, which is as fast as that page
could possibly be served. wrk drives both the same way (after a warm-up) and
the ratio is Minipack's requests per second over nginx's. The target: a
cached page reaches at least 1/20 of the static server, with no errors.

The machine is shared, so both servers are measured page by page, one right
after the other, and the load average is printed with the figures. Needs
wrk and nginx (``apt-get install wrk nginx-light``); skipped with that
message when either is missing. Every process and file it starts is gone
when it ends, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# wrk's load, the same for both servers.
THREADS, CONNECTIONS, DURATION_S, WARMUP_S = 2, 16, 5, 1
TARGET_RATIO = 1 / 20
# Worker model, measured here with the cached home page against nginx (ratio, several runs, a shared
# machine with a load average of 6-9): sync workers 2: 0.046, 3: 0.036, 4: 0.032, 5: 0.043, all under the
# target, because a sync worker closes the connection after every answer; gthread (keep-alive)
# 2 x 4 threads: 0.06-0.11, 2 x 8: 0.09-0.12, 4 x 2: 0.13, 4 x 4: 0.07-0.13, within the noise of
# one another and 2-3 times sync. 4 x 4, because a page that is rendered (a miss, 20-250 ms of
# Python) holds its worker's GIL: with four processes it stalls a quarter of the threads, not half.
WORKERS, THREADS_PER_WORKER = 4, 4
# Each server is measured this many times, alternating with the other; the best run of each is shown.
ROUNDS = 2
INSTALL_HINT = "apt-get install wrk nginx-light"


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors (connect, read, write, timeout) plus non-2xx/3xx answers


def _nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            if _get(url, timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s:\n{log.read_text()[-2000:]}")


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse_wrk(output: str) -> WrkResult:
    def latency(percentile: str) -> float:
        found = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(found.group(1)) * _UNIT_MS[found.group(2)] if found else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(float(rps.group(1)) if rps else 0.0, latency("50"), latency("99"), errors)


def _wrk(url: str) -> WrkResult:
    base = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}"]
    subprocess.run([*base, f"-d{WARMUP_S}s", url], check=True, capture_output=True)
    done = subprocess.run([*base, f"-d{DURATION_S}s", "--latency", url], check=True, capture_output=True, text=True)
    return _parse_wrk(done.stdout)


def _best(results: list[WrkResult]) -> WrkResult:
    """The run with the most requests per second, with the errors of every run."""
    best = max(results, key=lambda r: r.rps)
    return WrkResult(best.rps, best.p50_ms, best.p99_ms, sum(r.errors for r in results))


@contextlib.contextmanager
def _process(args: list[str], *, log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``args`` in its own process group; on exit (or Ctrl-C) stop the whole group."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _site_env(var: Path, *, cache_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINIPACK_CACHE_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "minipack_web.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "MINIPACK_VAR_DIR": str(var),
    }
    if cache_url:
        env["MINIPACK_CACHE_URL"] = cache_url
    return env


def _gunicorn(port: int, env: dict[str, str], log: Path) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    args = [sys.executable, "-m", "gunicorn", "minipack_web.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS_PER_WORKER)]
    return _process(args, log=log, env=env)


NGINX_CONF = """\
{user}worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type "text/html; charset=utf-8";
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


def _static_file(root: Path, path: str) -> Path:
    """Where nginx looks for ``path``: a directory's index.html (a query string does not change the file)."""
    return root / path.split("?", 1)[0].lstrip("/") / "index.html"


def _pages(base: str) -> list[tuple[str, str]]:
    # A bag from the table's first link, so the page exists whatever the bundled catalog holds.
    table = _get(f"{base}/table/")[2].decode()
    bag = re.search(r'href="(/bags/[^"/]+/)"', table)
    if bag is None:
        raise RuntimeError("no bag link on /table/")
    return [("home", "/"), ("a bag page", bag.group(1)), ("the table", "/table/"), ("a search", "/search/?q=kanken")]


def _print(
    rows: list[tuple[str, str, WrkResult, WrkResult]], uncached: tuple[str, WrkResult], load_before: float
) -> None:
    print(
        f"Serving cached pages: Minipack (gunicorn, {WORKERS} gthread workers x {THREADS_PER_WORKER} threads, "
        f"production settings, SQLite) next to nginx serving saved copies of the same pages"
    )
    print(
        f"  wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s after a {WARMUP_S} s warm-up, best of {ROUNDS} alternating "
        f"runs, errors of all; loopback; load average "
        f"{load_before:.1f} before the run on {os.cpu_count()} CPUs. Target: ratio >= 1/{round(1 / TARGET_RATIO)} "
        "and 0 errors."
    )
    head = f"  {'page':40} {'rps':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} | {'nginx rps':>9} {'p50 ms':>7}"
    print(f"{head} {'p99 ms':>7} | {'ratio':>6}")
    for label, path, ours, peer in rows:
        name = f"{label} ({path if len(path) <= 24 else path[:23] + '…'})"
        line = f"  {name:40} {ours.rps:8.0f} {ours.p50_ms:7.2f} {ours.p99_ms:7.2f} {ours.errors:6d} |"
        ratio = ours.rps / peer.rps if peer.rps else 0.0
        verdict = "PASS" if ratio >= TARGET_RATIO and ours.errors == 0 and peer.errors == 0 else "FAIL"
        print(f"{line} {peer.rps:9.0f} {peer.p50_ms:7.2f} {peer.p99_ms:7.2f} | {ratio:6.3f}  {verdict}")
    label, result = uncached
    print(
        f"  uncached {label} (MINIPACK_CACHE_URL=dummy://, every request rendered): {result.rps:.0f} rps, "
        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, {result.errors} errors"
    )


def _measure(tmp: Path) -> None:
    load_before = os.getloadavg()[0]  # other work on the machine, before ours adds to it
    var = tmp / "var"
    env = _site_env(var)
    for command in (["migrate", "--noinput"], ["load_bundled_catalog"]):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], env=env, check=True, capture_output=True)

    port, static_port, uncached_port = _free_port(), _free_port(), _free_port()
    base, static_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{static_port}"
    static = tmp / "static"
    with _gunicorn(port, env, tmp / "gunicorn.log") as server:
        _wait_until_up(f"{base}/healthz", server, tmp / "gunicorn.log")
        pages = _pages(base)
        for _label, path in pages:
            status, _headers, body = _get(base + path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            target = _static_file(static, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            if _get(base + path)[1].get("X-Cache") != "hit":
                print(f"  warning: {path} was not served from the page cache on a second request")

        nginx_conf = tmp / "nginx.conf"
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # as root, nginx would switch to nobody
        nginx_conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, port=static_port, root=static))
        nginx_args = [str(_nginx()), "-c", str(nginx_conf), "-p", str(tmp), "-e", str(tmp / "nginx-error.log")]
        rows: list[tuple[str, str, WrkResult, WrkResult]] = []
        with _process(nginx_args, log=tmp / "nginx.log") as nginx:
            _wait_until_up(f"{static_base}/", nginx, tmp / "nginx.log")
            for label, path in pages:
                if _get(static_base + path)[2] != _static_file(static, path).read_bytes():
                    raise RuntimeError(f"nginx does not serve the saved copy of {path}")
                # Alternating, so both see the same background load.
                ours, peer = [], []
                for _ in range(ROUNDS):
                    ours.append(_wrk(base + path))
                    peer.append(_wrk(static_base + path))
                rows.append((label, path, _best(ours), _best(peer)))

    # For context: the same server with the page cache off (dummy://), so every request renders.
    label, path = pages[0]
    uncached_base = f"http://127.0.0.1:{uncached_port}"
    with _gunicorn(uncached_port, _site_env(var, cache_url="dummy://"), tmp / "uncached.log") as server:
        _wait_until_up(f"{uncached_base}/healthz", server, tmp / "uncached.log")
        uncached = (f"{label} ({path})", _wrk(uncached_base + path))
    _print(rows, uncached, load_before)


def run() -> None:
    missing = [tool for tool, found in (("wrk", shutil.which("wrk")), ("nginx", _nginx())) if not found]
    if missing:
        print(f"Serving cached pages: skipped, {' and '.join(missing)} not installed. Install: {INSTALL_HINT}")
        return
    tmp = Path(tempfile.mkdtemp(prefix="minipack-bench-load-"))
    if os.geteuid() == 0:
        tmp.chmod(0o755)  # nginx's workers read the saved pages
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the finally blocks stop every server.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        _measure(tmp)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run()
