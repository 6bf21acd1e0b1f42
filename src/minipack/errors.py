"""The one error tree of the Minipack core.

Every error the core raises on purpose is a ``MinipackError``. Callers at the
boundary (the CLI, the Django services, the API) catch this root and turn it
into a message for a person; anything else escaping the core is a bug.
Each subclass carries the context a person needs to fix their input: which
input, and why it was refused.
"""

from __future__ import annotations

from dataclasses import dataclass


class MinipackError(Exception):
    """Root of all deliberate core errors."""


class ParseError(MinipackError, ValueError):
    """A printed value (size, volume, weight, price) could not be read.

    It is also a ``ValueError`` so that form and argparse layers that expect
    one keep working.
    """

    def __init__(self, raw: object, reason: str, *, what: str = "value") -> None:
        self.raw = raw
        self.reason = reason
        self.what = what
        super().__init__(f"cannot read {what} {raw!r}: {reason}")


class SpecError(MinipackError):
    """A record breaks a rule of the catalog model (unknown feature, bad kind…)."""


class FitError(MinipackError, ValueError):
    """A fit question cannot be asked as given (a bad item size, too many items, a bad interior).

    Like ``ParseError`` it is also a ``ValueError``, for form and argparse layers.
    """


class RuleDataError(MinipackError):
    """A shipped or imported data file is malformed."""


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an import: where it is, what it held and why it failed."""

    line: int
    column: str
    raw: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column!r}: {self.raw!r}: {self.reason}"


class ImportRowError(MinipackError):
    """An import was refused; ``problems`` lists every bad row, not just the first."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s), nothing imported:\n{lines}")


class PreferenceError(MinipackError, ValueError):
    """A shopper's preferences cannot be used as given (a negative weight, an unknown feature…).

    Also a ``ValueError``, for form and argparse layers.
    """


class PhotoError(MinipackError, ValueError):
    """An editor's photo (or its alt text) was refused; ``file_name`` names the upload, ``reason`` says why.

    Also a ``ValueError``, for form layers.
    """

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"“{file_name}”: {reason}")
