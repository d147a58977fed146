"""Checkov skips, written into the skipped resource's Metadata with the reason.

A skip without a reason is not possible through this function; the tests read these back and
fail on any empty justification.
"""

from __future__ import annotations

from collections.abc import Mapping

from troposphere import AWSObject


def skip_checks(resource: AWSObject, reasons: Mapping[str, str]) -> None:
    """Record `{check id: why it does not apply}` in the resource's Metadata for checkov."""
    if not reasons or not all(reason.strip() for reason in reasons.values()):
        raise ValueError(f"{resource.title}: every checkov skip needs a justification")
    metadata = dict(getattr(resource, "Metadata", {}) or {})
    checkov = metadata.setdefault("checkov", {"skip": []})
    checkov["skip"] = [*checkov["skip"],
                       *({"id": check, "comment": why} for check, why in sorted(reasons.items()))]
    resource.Metadata = metadata
