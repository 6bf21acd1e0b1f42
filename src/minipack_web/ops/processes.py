"""Running servers as child processes on loopback: a free port, a log file, wait until it answers, stop it all.

Each server runs in its own process group with its output in a log file,
so stopping it (on leaving the ``with`` block, on Ctrl-C, on an exception)
reaches the workers it forked too: SIGTERM to the group, SIGKILL after a
grace period. ``wait_for_http`` fails with the log's tail when the process
exits or never answers, which is where the reason is.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


class ServiceError(RuntimeError):
    """A server did not start, or not in time; the message ends with the tail of its log."""


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice; another process could still take it first)."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    body: bytes
    cookies: list[str] = field(default_factory=list)  # each Set-Cookie's "name=value"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> Response:
    """One HTTP request with http.client (no redirects followed, no proxy from the environment)."""
    scheme, rest = url.split("://", 1)
    if scheme != "http":
        raise ValueError(f"only http:// on loopback: {url}")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    connection = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        connection.request(method, "/" + path, body=body, headers=dict(headers or {}))
        answer = connection.getresponse()
        data = answer.read()
        pairs = answer.getheaders()
    finally:
        connection.close()
    cookies = [value.split(";", 1)[0] for name, value in pairs if name.lower() == "set-cookie"]
    return Response(answer.status, {name.lower(): value for name, value in pairs}, data, cookies)


def spawn(
    args: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``args`` in a new process group with its output appended to ``log``; stop it with ``stop_group``.

    ``user``: switch to this user (and its group) first; PostgreSQL refuses to run as root. Not through
    ``su``, which starts a session of its own that a signal to this group would not reach.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            list(args),
            env=None if env is None else dict(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=None if user is None else _group_of(user),
        )


@contextlib.contextmanager
def running(
    args: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stop_signal: int = signal.SIGTERM,
    stop_timeout: float = 15,
    user: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``spawn`` for the length of a ``with`` block: on leaving it, however, the whole group is stopped."""
    process = spawn(args, log=log, env=env, cwd=cwd, user=user)
    try:
        yield process
    finally:
        stop_group(process, stop_signal=stop_signal, timeout=stop_timeout)


def stop_group(process: subprocess.Popen[bytes], *, stop_signal: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal ``process``'s group, wait up to ``timeout`` seconds, then SIGKILL whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, stop_signal)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    # The group outlives its leader when a worker is slow to go; nothing of it may stay behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _group_of(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid


def wait_until(
    ready: Callable[[], bool], *, process: subprocess.Popen[bytes] | None, log: Path, what: str, timeout: float = 60
) -> None:
    """Poll ``ready`` until it is true; ``ServiceError`` with the log's tail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceError(f"{what} exited with {process.returncode}:\n{log_tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if ready():
                return
        time.sleep(0.1)
    raise ServiceError(f"{what} did not become ready within {timeout:.0f} s:\n{log_tail(log)}")


def wait_for_http(
    url: str,
    *,
    process: subprocess.Popen[bytes] | None,
    log: Path,
    timeout: float = 60,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Until ``url`` answers 200."""
    wait_until(
        lambda: request(url, headers=headers, timeout=2).status == 200,
        process=process,
        log=log,
        what=url,
        timeout=timeout,
    )


def port_open(port: int, host: str = LOOPBACK) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False
