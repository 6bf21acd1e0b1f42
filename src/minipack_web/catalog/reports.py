"""What a catalog import did, and the plain-text form the management commands and the CLI print.

Kept apart from ``services`` so that anything printing a report (a
management command, ``minipack_web.cli``) needs no database code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from minipack.checks import SEVERITIES, Finding


class Outcome(StrEnum):
    CREATED = "created"  # the record's product was not in the catalog before this import
    UPDATED = "updated"  # its identity, or the claims of one of its sources, changed
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RecordResult:
    """One import record (a CSV row, a JSON product) and what became of it."""

    line: int
    slug: str
    outcome: Outcome


@dataclass(frozen=True)
class ImportReport:
    results: tuple[RecordResult, ...]
    dry_run: bool
    sources_created: int
    # Severity -> count, for the findings stored for the products this import changed.
    findings: dict[str, int] = field(default_factory=dict)
    # What an operator should know besides the counts (an earlier import that was interrupted).
    notices: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def created(self) -> int:
        return self.count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Outcome.UNCHANGED)

    @property
    def products(self) -> int:
        return len({r.slug for r in self.results})

    @property
    def changed(self) -> tuple[RecordResult, ...]:
        return tuple(r for r in self.results if r.outcome is not Outcome.UNCHANGED)


# Past this many, a report lists changed records as a count only; a full list would bury the summary.
MAX_LISTED_CHANGES = 20


def format_import_report(report: ImportReport) -> str:
    """A few lines for a person: the counts, the changed records (when few), the findings, and whether it was kept."""
    lines = [
        *report.notices,
        f"{len(report.results)} record(s) for {report.products} product(s): "
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.sources_created} new source(s).",
    ]
    changed = report.changed
    if 0 < len(changed) <= MAX_LISTED_CHANGES:
        lines.extend(f"  line {r.line}: {r.slug} {r.outcome}" for r in changed)
    if report.findings:
        counts = ", ".join(f"{report.findings[s]} {s}" for s in SEVERITIES if report.findings.get(s))
        lines.append(f"Checks on the changed products: {counts}.")
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts[s] for s in SEVERITIES if counts[s]}


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding, then a total by severity."""
    findings = list(findings)
    if not findings:
        return "No findings."
    lines = [f"{f.product}: {f.severity} {f.code} ({f.field}): {f.message}" for f in findings]
    total = ", ".join(f"{n} {s}" for s, n in severity_counts(findings).items())
    lines.append(f"{len({f.product for f in findings})} product(s) with findings: {total}.")
    return "\n".join(lines)
