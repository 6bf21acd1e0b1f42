"""The production settings as a server would load them: ``minipack_web.settings.prod`` in a process of its own.

The test process runs the test settings, and ``ENV`` was read when it started, so production's values
are read from a child process with a production environment (a fresh secret, one allowed host).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def prod_environ(var_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment less any deployment variable, plus what production requires."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MINIPACK_", "EMAIL_", "DATABASE_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "minipack_web.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "minipack.example",
        "MINIPACK_VAR_DIR": str(var_dir),
        **extra,
    }


def prod_settings(var_dir: Path, names: list[str], **extra: str) -> dict[str, Any]:
    """The named production settings (tuples come back as lists, paths as text: JSON has neither)."""
    script = (
        "import json, sys\n"
        "import minipack_web.settings.prod as s\n"
        "print(json.dumps({n: getattr(s, n) for n in sys.argv[1:]}, default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *names],
        env=prod_environ(var_dir, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
