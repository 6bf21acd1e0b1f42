""".env.example documents exactly the variables the code reads through ``ENV``: none missing, none left over."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from minipack_web.settings.env import Env

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "minipack_web"
READERS = {name for name in vars(Env) if not name.startswith("_")}  # string, optional, boolean, integer…
# `NAME=value` or, for an optional one, `# NAME=value`; a line of prose never starts with an upper-case name and '='.
_DOCUMENTED = re.compile(r"^#?\s?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def variables_read(root: Path) -> dict[str, str]:
    """Each variable name the code asks an ``Env`` for -> the first file that does.

    Two shapes: ``ENV.integer("NAME", …)`` (any ``Env`` method on ``ENV`` or ``env``) and a helper given the
    reader, ``positive_number(ENV, "NAME", …)``.
    """
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            args = node.args
            on_reader = (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in READERS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("ENV", "env")
            )
            if on_reader and args:
                name = args[0]
            elif len(args) >= 2 and isinstance(args[0], ast.Name) and args[0].id in ("ENV", "env"):
                name = args[1]
            else:
                continue
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.setdefault(name.value, str(path.relative_to(ROOT)))
    return found


def test_env_example_lists_every_variable_the_code_reads_and_no_other() -> None:
    read = variables_read(SOURCES)
    documented = set(_DOCUMENTED.findall((ROOT / ".env.example").read_text()))

    missing = {name: where for name, where in read.items() if name not in documented}
    assert missing == {}, "read by the code but not in .env.example (add each, with what it does)"
    assert sorted(documented - read.keys()) == [], "in .env.example but read nowhere (remove, or read it via ENV)"


def test_the_scan_sees_each_way_the_settings_read_a_variable() -> None:
    """Guards the scan itself: a reader it stopped recognising would let the list above go stale silently."""
    read = variables_read(SOURCES)

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "MINIPACK_COMMENT_HOURLY_LIMIT"} <= read.keys()  # ENV.<method>("…")
    assert {"EMAIL_URL", "EMAIL_PORT", "EMAIL_USE_TLS"} <= read.keys()  # env.<method>("…") in email.py
    assert {"EMAIL_TIMEOUT", "MINIPACK_NEWSLETTER_RATE"} <= read.keys()  # positive_number(ENV, "…")
    assert {"MINIPACK_WORKERS", "MINIPACK_LOG_LEVEL"} <= read.keys()  # the gunicorn configuration


def _reads_os_environment(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
    )


def test_the_settings_read_the_environment_only_through_env() -> None:
    """What a deployment can configure is what ENV is asked for: no settings module reads os.environ behind its back."""
    readers = [p.name for p in (SOURCES / "settings").glob("*.py") if p.name != "env.py" and _reads_os_environment(p)]

    assert readers == []
    assert not _reads_os_environment(SOURCES / "gunicorn_conf.py")
