"""Turning the pages' form posts into the services' arguments (no business rules here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.http import QueryDict

from minxin.cases.services import ApplicantData, MaterialCheck
from minxin.catalog.models import Material

# How a clerk marks a material at the window: presented as original / copy, presented but faulty, absent.
MATERIAL_STATES = ("original", "copy", "faulty", "missing")


def applicant_from_post(post: QueryDict) -> ApplicantData:
    return ApplicantData(
        kind=post.get("kind", "person"),
        name=post.get("name", ""),
        id_number=post.get("id_number", ""),
        phone=post.get("phone", ""),
        contact_name=post.get("contact_name", ""),
        address=post.get("address", ""),
    )


def material_checks_from_post(
    post: QueryDict, materials: Iterable[Material], *, only_marked: bool = False
) -> list[MaterialCheck]:
    checks = []
    for material in materials:
        state = post.get(f"m{material.pk}", "" if only_marked else "missing")
        if state not in MATERIAL_STATES:
            continue
        due_text = post.get(f"m{material.pk}_due", "")
        try:
            due = dt.date.fromisoformat(due_text) if due_text else None
        except ValueError:
            due = None
        checks.append(
            MaterialCheck(
                material=material.pk,
                presented=state in ("original", "copy", "faulty"),
                ok=state in ("original", "copy"),
                original=state == "original",
                note=post.get(f"m{material.pk}_note", "")[:255],
                due=due,
            )
        )
    return checks
