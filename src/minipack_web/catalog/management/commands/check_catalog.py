"""Run the spec checks (minipack.checks) over the catalog in the database and print the findings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack.checks import SEVERITIES, check_catalog
from minipack_web.catalog.models import Product
from minipack_web.catalog.reports import format_findings
from minipack_web.catalog.selectors import catalog_products
from minipack_web.catalog.services import catalog_refresh


class Command(BaseCommand):
    help = "Print the spec-check findings for every product; optionally store them and fail on a severity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fail-on",
            choices=SEVERITIES[:2],
            help="Exit non-zero if any finding is this severe or worse (for CI). By default only report.",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Also replace the stored findings and chosen values (after the check rules changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refresh"]:
            catalog_refresh(product_ids=Product.objects.values_list("pk", flat=True))
        findings = check_catalog(catalog_products())
        self.stdout.write(format_findings(findings))
        fail_on = options["fail_on"]
        if fail_on:
            failing = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
            bad = [f for f in findings if f.severity in failing]
            if bad:
                raise CommandError(f"{len(bad)} finding(s) of severity {' or '.join(failing)}.")
