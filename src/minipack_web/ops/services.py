"""The servers a Minipack deployment is made of, each startable on loopback: PostgreSQL, Redis, gunicorn, nginx.

Each is a context manager that starts the server in a directory of its own
(under the ``base`` it is given), waits until it answers, yields a handle
and stops it on exit. Handles of the servers a drill takes down have
``stop()`` and ``start()`` (same port, same data): ``Postgres`` and
``Redis``; ``Gunicorn.pid`` is the master a drill can send SIGHUP. Nothing
listens beyond 127.0.0.1.

* ``postgres_cluster``: a throwaway PostgreSQL cluster (initdb, trust
  authentication on loopback only, the socket in its own directory). As
  root it runs as the ``postgres`` user, since PostgreSQL refuses root.
* ``redis_server``: Redis as a cache: no persistence (``save ""``, no AOF),
  least-recently-used eviction. ``stop(save=True)`` writes a dump first,
  which ``start()`` loads: the "Redis came back with old data" case.
* ``gunicorn``: the site as production runs it (``minipack_web.gunicorn_conf``
  and the environment given), ready when ``/healthz`` answers 200.
* ``nginx``: ``deploy/nginx.conf.template`` rendered for the given upstreams,
  inside a minimal main configuration of our own; ``nginx_static`` serves a
  directory (the load benchmark's baseline).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from minipack_web.ops.processes import (
    LOOPBACK,
    ServiceError,
    free_port,
    log_tail,
    port_open,
    spawn,
    stop_group,
    wait_for_http,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[3]  # the repository (deploy/ lives there)
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


def is_root() -> bool:
    return os.geteuid() == 0


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def pg_bin_dir() -> Path | None:
    """MINIPACK_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian), else the directory of ``initdb`` on PATH."""
    if os.environ.get("MINIPACK_PG_BIN"):
        return Path(os.environ["MINIPACK_PG_BIN"])
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_tools() -> list[str]:
    """The Debian packages the whole recipe needs and this machine lacks (empty: all there)."""
    missing = []
    if pg_bin_dir() is None:
        missing.append("postgresql-15")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if nginx_binary() is None:
        missing.append("nginx-light")
    return missing


def _owned_dir(path: Path, user: str | None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(path, user, user)
    return path


def _traversable(base: Path) -> None:
    # Servers that drop root (postgres, nginx's workers) must be able to reach their own directories in here.
    base.mkdir(parents=True, exist_ok=True)
    if not is_root():
        return
    base.chmod(0o755)
    closed = [p for p in base.resolve().parents if not p.stat().st_mode & 0o001]
    if closed:
        raise ServiceError(f"{closed[0]} is closed to other users (chmod o+x it, or use another directory)")


# --------------------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    port: int
    data: Path
    sockets: Path
    log: Path
    bin: Path
    user: str | None
    settings: tuple[str, ...]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """For DATABASE_URL: the superuser over TCP on loopback (trust authentication, loopback only)."""
        return f"postgres://postgres@{LOOPBACK}:{self.port}/postgres"

    def start(self) -> None:
        args = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.sockets)]
        args += ["-c", f"listen_addresses={LOOPBACK}"]
        for setting in self.settings:
            args += ["-c", setting]
        self.process = spawn(args, log=self.log, user=self.user)
        wait_until(self._ready, process=self.process, log=self.log, what=f"PostgreSQL on port {self.port}")

    def _ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
        except psycopg.OperationalError:  # not listening yet, or "the database system is starting up"
            return False
        return True

    def stop(self) -> None:
        """Fast shutdown (SIGINT): open connections are closed, the data is kept for ``start()``."""
        if self.process is not None:
            stop_group(self.process, stop_signal=signal.SIGINT, timeout=30)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def postgres_cluster(base: Path, *, port: int | None = None, durable: bool = False) -> Iterator[Postgres]:
    """A new PostgreSQL cluster in ``base``/postgres, on ``port`` (a free one by default), stopped on exit.

    ``durable=False`` turns fsync off: for tests, whose data is thrown away. The load benchmark keeps it on.
    """
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise ServiceError("PostgreSQL is not installed (Debian: apt-get install postgresql-15)")
    user = "postgres" if is_root() else None
    _traversable(base)
    home = _owned_dir(base / "postgres", user)
    data, sockets = home / "data", _owned_dir(home / "sockets", user)
    log = base / "logs" / "postgres.log"
    init = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
    done = subprocess.run(init, capture_output=True, text=True, user=user, group=user)
    if done.returncode != 0:
        raise ServiceError(f"initdb failed:\n{done.stdout}{done.stderr}")
    settings = () if durable else ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
    server = Postgres(port or free_port(), data, sockets, log, bin_dir, user, settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- Redis


@dataclass
class Redis:
    port: int
    dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """For MINIPACK_CACHE_URL."""
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--dir", str(self.dir)]
        # A cache: nothing written to disk by itself, the least recently used keys go first when full.
        args += ["--save", "", "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
        args += ["--daemonize", "no", "--protected-mode", "yes", "--logfile", ""]
        self.process = spawn(args, log=self.log)
        wait_until(self._ready, process=self.process, log=self.log, what=f"Redis on port {self.port}")

    def _ready(self) -> bool:
        return bool(self.client().ping())

    def client(self) -> object:
        import redis

        return redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=2)

    def stop(self, *, save: bool = False) -> None:
        """Stop Redis; ``save=True`` first writes a dump (as a Redis with persistence would) for ``start()`` to load."""
        if self.process is None:
            return
        if save:
            self.client().shutdown(save=True)  # type: ignore[attr-defined]
        stop_group(self.process, timeout=10)
        self.process = None


@contextlib.contextmanager
def redis_server(base: Path, *, port: int | None = None) -> Iterator[Redis]:
    """Redis in ``base``/redis on ``port`` (a free one by default), stopped on exit."""
    if shutil.which("redis-server") is None:
        raise ServiceError("redis-server is not installed (Debian: apt-get install redis-server)")
    home = base / "redis"
    home.mkdir(parents=True, exist_ok=True)
    server = Redis(port or free_port(), home, base / "logs" / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- gunicorn


@dataclass
class Gunicorn:
    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        """The master's process id (SIGHUP reloads the workers gracefully, SIGTERM stops)."""
        return self.process.pid


@contextlib.contextmanager
def gunicorn(
    env: Mapping[str, str],
    *,
    base: Path,
    name: str = "web",
    port: int | None = None,
    workers: int = 2,
    threads: int = 4,
    ready_timeout: float = 60,
) -> Iterator[Gunicorn]:
    """The site under gunicorn with ``minipack_web.gunicorn_conf``, as production runs it; stopped on exit.

    ``env`` is the site's environment (``cluster.site_env``); the bind address, worker and thread counts
    and ``MINIPACK_SERVER_NAME`` (this server's name in the X-Served-By header) are added here.
    """
    port = port or free_port()
    log = base / "logs" / f"{name}.log"
    full_env = dict(env) | {
        "MINIPACK_BIND": f"{LOOPBACK}:{port}",
        "MINIPACK_WORKERS": str(workers),
        "MINIPACK_THREADS": str(threads),
        "MINIPACK_SERVER_NAME": name,
    }
    args = [sys.executable, "-m", "gunicorn", "--config", "python:minipack_web.gunicorn_conf"]
    process = spawn(args, log=log, env=full_env, cwd=base)
    try:
        server = Gunicorn(name, port, log, process)
        wait_for_http(f"{server.url}/healthz", process=process, log=log, timeout=ready_timeout)
        yield server
    finally:
        stop_group(process, timeout=35)  # gunicorn's graceful_timeout is 30 s


# --------------------------------------------------------------------------- nginx

_MAIN_CONF = """\
# Written by minipack_web.ops for a server on loopback; the site's part is {site}.
{user}worker_processes 2;
pid {home}/nginx.pid;
error_log {logs}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  include {mime_types};
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  access_log {access_log};
  client_body_temp_path {home}/body;
  proxy_temp_path {home}/proxy;
  fastcgi_temp_path {home}/fastcgi;
  uwsgi_temp_path {home}/uwsgi;
  scgi_temp_path {home}/scgi;
  include {site};
}}
"""

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``{{ name }}``; a placeholder without a value, or a value without a placeholder, is an error."""
    used = set(_PLACEHOLDER.findall(text))
    if used != set(values):
        raise ValueError(f"template placeholders {sorted(used)} but values for {sorted(values)}")
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


def render_site(upstreams: Sequence[str], *, listen: str, server_name: str) -> str:
    """``deploy/nginx.conf.template`` for these app servers (HOST:PORT each)."""
    lines = "\n    ".join(f"server {address} max_fails=3 fail_timeout=10s;" for address in upstreams)
    values = {"upstream_servers": lines, "listen": listen, "server_name": server_name}
    return render_template(NGINX_TEMPLATE.read_text(), values)


@dataclass
class Nginx:
    port: int
    home: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


@contextlib.contextmanager
def _nginx_with(site: str, *, base: Path, port: int, name: str, access_log: bool) -> Iterator[Nginx]:
    binary = nginx_binary()
    if binary is None:
        raise ServiceError("nginx is not installed (Debian: apt-get install nginx-light)")
    _traversable(base)
    home = base / name
    home.mkdir(parents=True, exist_ok=True)
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (home / "site.conf").write_text(site)
    main = _MAIN_CONF.format(
        site=home / "site.conf",
        # As root, nginx's workers would switch to "nobody", who cannot read the temp directory.
        user=f"user {getpass.getuser()};\n" if is_root() else "",
        home=home,
        logs=logs,
        mime_types="/etc/nginx/mime.types" if Path("/etc/nginx/mime.types").exists() else home / "mime.types",
        access_log=f"{logs}/{name}-access.log" if access_log else "off",
    )
    if not Path("/etc/nginx/mime.types").exists():
        (home / "mime.types").write_text("types { text/html html; }\n")
    (home / "nginx.conf").write_text(main)
    log = logs / f"{name}.log"
    args = [binary, "-c", str(home / "nginx.conf"), "-p", str(home), "-e", str(logs / "nginx-error.log")]
    process = spawn(args, log=log)
    try:
        wait_until(lambda: port_open(port), process=process, log=log, what=f"nginx on port {port}", timeout=20)
        yield Nginx(port, home, log, process)
    finally:
        stop_group(process, stop_signal=signal.SIGQUIT, timeout=10)  # SIGQUIT: graceful


@contextlib.contextmanager
def nginx(
    upstreams: Sequence[str], *, base: Path, port: int | None = None, server_name: str = LOOPBACK
) -> Iterator[Nginx]:
    """nginx on ``port`` proxying to ``upstreams`` (HOST:PORT each) with the committed site template."""
    port = port or free_port()
    site = render_site(upstreams, listen=f"listen {LOOPBACK}:{port};", server_name=server_name)
    with _nginx_with(site, base=base, port=port, name="nginx", access_log=True) as server:
        wait_for_http(f"{server.url}/healthz", process=server.process, log=base / "logs" / "nginx-error.log")
        yield server


@contextlib.contextmanager
def nginx_static(root: Path, *, base: Path, port: int | None = None) -> Iterator[Nginx]:
    """nginx serving the files under ``root`` (``path/index.html`` for ``path/``), as fast as a page can be served."""
    port = port or free_port()
    site = f"server {{\n  listen {LOOPBACK}:{port};\n  root {root};\n  charset utf-8;\n  access_log off;\n}}\n"
    with _nginx_with(site, base=base, port=port, name="nginx-static", access_log=False) as server:
        yield server


__all__ = [
    "Gunicorn",
    "Nginx",
    "Postgres",
    "Redis",
    "gunicorn",
    "log_tail",
    "missing_tools",
    "nginx",
    "nginx_static",
    "postgres_cluster",
    "redis_server",
    "render_site",
]
