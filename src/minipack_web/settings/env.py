"""The one place settings read the process environment.

The environment is copied once, at import, into ``ENV``; settings modules ask
it for typed values instead of calling ``os.environ`` here and there, so what
a deployment can configure is the list of calls to this object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class Env:
    """Typed, read-only access to a snapshot of environment variables."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def string(self, name: str, default: str = "") -> str:
        return self._values.get(name, default)

    def optional(self, name: str) -> str | None:
        """The value, or None when the variable is unset or blank."""
        value = self._values.get(name, "").strip()
        return value or None

    def required(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self._values.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        """A whole number, at least ``minimum``; ``default`` when the variable is unset or blank."""
        raw = self.optional(name)
        if raw is None:
            return default
        if not re.fullmatch(r"-?[0-9]+", raw) or int(raw) < minimum:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number of at least {minimum}.")
        return int(raw)

    def strings(self, name: str, default: tuple[str, ...] = ()) -> list[str]:
        """A comma-separated list; blanks are dropped."""
        raw = self._values.get(name)
        if raw is None:
            return list(default)
        return [item.strip() for item in raw.split(",") if item.strip()]

    def required_strings(self, name: str) -> list[str]:
        values = self.strings(name)
        if not values:
            raise ImproperlyConfigured(f"The environment variable {name} must list at least one value.")
        return values

    def origin(self, name: str, default: str = "") -> str:
        """A site origin, 'https://minipack.example' (scheme and host; a trailing slash is dropped); '' when unset
        and no default is given."""
        raw = self.optional(name) or default
        if not raw:
            return ""
        parts = urlsplit(raw)
        extra = parts.path.strip("/") or parts.query or parts.fragment
        if parts.scheme not in ("http", "https") or not parts.netloc or extra:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a site origin (use e.g. https://minipack.example).")
        return f"{parts.scheme}://{parts.netloc}"

    def path(self, name: str, default: Path) -> Path:
        value = self.optional(name)
        return Path(value) if value else default


ENV = Env(os.environ)
