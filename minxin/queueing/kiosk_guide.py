"""The service guide as the kiosk shows it (issue 20, point 4): inside the kiosk, with no link out of it.

The kiosk is a public touch screen signed in as a staff account: a link to the full site would leave the
kiosk still signed in. So the guide's parts a visitor needs at the kiosk (conditions, materials and where
they come from, steps, time limit, fee, result and delivery, questions and answers, phone) are drawn in
the kiosk's own dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minxin.catalog.models import ItemVersion, Material


@dataclass(frozen=True, slots=True)
class KioskGuide:
    version: ItemVersion
    materials: list[Material]
    steps: list[str] = field(default_factory=list)
    faq: list[tuple[str, str]] = field(default_factory=list)


def guide_steps(text: str) -> list[str]:
    """The process steps (办理流程): one a line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def guide_faq(text: str) -> list[tuple[str, str]]:
    """Questions and answers: a question on one line, its answer on the next; a blank line between pairs."""
    pairs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) >= 2:
            pairs.append((lines[0], " ".join(lines[1:])))
    return pairs


def kiosk_guide(version: ItemVersion) -> KioskGuide:
    """The guide of a current item version whose materials were prefetched (ordered by position)."""
    return KioskGuide(
        version=version,
        materials=list(version.materials.all()),
        steps=guide_steps(version.process_steps),
        faq=guide_faq(version.faq),
    )
