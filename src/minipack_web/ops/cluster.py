"""Minipack on several servers, all on this machine's loopback: PostgreSQL, Redis, two gunicorns, nginx in front.

``cluster()`` starts the whole recipe of docs/deploy.md in a temporary
directory and yields its handles: a throwaway PostgreSQL and Redis, the
database migrated with the bundled catalog loaded and an editor account,
static files collected, N gunicorn servers (``web1``, ``web2``…) with the
production settings sharing that database and Redis (the page cache, the
rate limits), and nginx round-robin in front. Everything stops, and the
directory goes, when the block ends. The several-servers test
(tests/ops/test_cluster.py) and the load benchmark use it; a person can run
it with::

    python -m minipack_web.ops.cluster          # or: make cluster

which prints the address and the editor's password and serves until Ctrl-C.
Loopback has no TLS, so the servers run with ``MINIPACK_PLAIN_HTTP=1``; in
production nginx ends TLS and the servers keep their HTTPS settings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from minipack_web.ops.processes import LOOPBACK, free_port
from minipack_web.ops.services import (
    Gunicorn,
    Nginx,
    Postgres,
    Redis,
    gunicorn,
    missing_tools,
    nginx,
    postgres_cluster,
    redis_server,
)

ADMIN_USER = "editor"
# Variables of the calling process that would change what the servers run (a test run's settings
# module, CI's DATABASE_URL): never passed on; the site's environment is exactly what site_env says.
_NOT_INHERITED = ("DJANGO_", "MINIPACK_", "DATABASE_URL", "EMAIL_", "DEFAULT_FROM_EMAIL")


def site_env(
    *,
    var: Path,
    secret: str,
    site_url: str,
    database_url: str | None = None,
    cache_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a production server on loopback behind nginx (and of its management commands)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env |= {
        "DJANGO_SETTINGS_MODULE": "minipack_web.settings.prod",
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": LOOPBACK,
        "MINIPACK_SITE_URL": site_url,
        # No TLS on loopback: no HTTPS redirect, HSTS or Secure cookies (never in production).
        "MINIPACK_PLAIN_HTTP": "1",
        # nginx's address: its X-Forwarded-For names each visitor, for the rate limits and comment limits.
        "MINIPACK_TRUSTED_PROXIES": LOOPBACK,
        "MINIPACK_VAR_DIR": str(var),
        # Mail lands in files here instead of trying an SMTP server on localhost.
        "EMAIL_URL": (var / "mail").as_uri(),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if cache_url:
        env["MINIPACK_CACHE_URL"] = cache_url
    return env | dict(extra or {})


def manage(env: Mapping[str, str], *args: str, cwd: Path | None = None, timeout: float = 300) -> str:
    """Run a management command with ``env``; its output, or ``RuntimeError`` with it when the command fails."""
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare_site(environ: Mapping[str, str], *, admin_password: str | None = None, cwd: Path | None = None) -> None:
    """What an operator runs once per release before starting the servers: migrate, the catalog, static files."""
    manage(environ, "migrate", "--noinput", cwd=cwd)
    manage(environ, "load_bundled_catalog", cwd=cwd)
    manage(environ, "collectstatic", "--noinput", "--verbosity", "0", cwd=cwd)
    if admin_password is not None:
        env_with_password = dict(environ) | {"DJANGO_SUPERUSER_PASSWORD": admin_password}
        manage(
            env_with_password,
            "createsuperuser",
            "--noinput",
            "--username",
            ADMIN_USER,
            "--email",
            "editor@minipack.invalid",
            cwd=cwd,
        )


@dataclass
class Cluster:
    base: Path
    env: dict[str, str]
    postgres: Postgres
    redis: Redis
    servers: list[Gunicorn]
    proxy: Nginx
    admin_password: str = field(repr=False)

    @property
    def url(self) -> str:
        """The site, through nginx."""
        return self.proxy.url

    @property
    def admin_user(self) -> str:
        return ADMIN_USER

    def manage(self, *args: str) -> str:
        """A management command against the cluster's database and Redis (what an operator runs on any server)."""
        return manage(self.env, *args, cwd=self.base)


@contextlib.contextmanager
def cluster(
    base: Path | None = None,
    *,
    servers: int = 2,
    workers: int = 2,
    threads: int = 4,
    port: int | None = None,
    durable: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    """The several-servers recipe on loopback, in ``base`` (a new temporary directory, removed after, by default).

    ``durable``: PostgreSQL with fsync on, as in production (the load benchmark); off for tests.
    ``extra_env``: added to every server's environment (a load test lifting the comment limits).
    """
    missing = missing_tools()
    if missing:
        raise RuntimeError(f"the several-servers recipe needs: {', '.join(missing)} (apt-get install ...)")
    own_base = base is None
    base = Path(tempfile.mkdtemp(prefix="minipack-cluster-")) if base is None else base
    base.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.ExitStack() as stack:
            pg = stack.enter_context(postgres_cluster(base, durable=durable))
            cache = stack.enter_context(redis_server(base))
            proxy_port = port or free_port()
            env = site_env(
                var=base / "var",
                secret=secrets.token_urlsafe(50),
                site_url=f"http://{LOOPBACK}:{proxy_port}",
                database_url=pg.url,
                cache_url=cache.url,
                extra=extra_env,
            )
            password = secrets.token_urlsafe(12)
            prepare_site(env, admin_password=password, cwd=base)
            apps = [
                stack.enter_context(gunicorn(env, base=base, name=f"web{n}", workers=workers, threads=threads))
                for n in range(1, servers + 1)
            ]
            proxy = stack.enter_context(nginx([f"{LOOPBACK}:{s.port}" for s in apps], base=base, port=proxy_port))
            yield Cluster(base, env, pg, cache, apps, proxy, password)
    finally:
        if own_base:
            shutil.rmtree(base, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minipack_web.ops.cluster",
        description="Run Minipack as several servers on loopback (PostgreSQL, Redis, gunicorn x N, nginx) "
        "until Ctrl-C. docs/deploy.md explains each part.",
    )
    parser.add_argument("--servers", type=int, default=2, help="gunicorn servers (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every server is stopped and the directory removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    print("Starting PostgreSQL, Redis, the database, the servers and nginx (about half a minute)…", flush=True)
    try:
        with cluster(servers=args.servers, workers=args.workers, threads=args.threads, port=args.port) as site:
            print(f"\nMinipack on {len(site.servers)} servers: {site.url}/")
            print(f"  editor admin: {site.url}/admin/  user {site.admin_user}  password {site.admin_password}")
            for server in site.servers:
                print(f"  {server.name}: {server.url} (gunicorn, {args.workers} workers x {args.threads} threads)")
            print(f"  PostgreSQL: {site.postgres.url}   Redis: {site.redis.url}")
            print(f"  logs: {site.base / 'logs'}")
            print("Ctrl-C stops everything and removes the data.", flush=True)
            signal.pause()
    except KeyboardInterrupt:
        print("\nStopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
