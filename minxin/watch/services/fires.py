"""Fire reports: join them into incidents, fix the spot, tell the command centre at once, measure the
time to acknowledgement, close."""

from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.core.numbering import counter_next
from minxin.watch.geo import Estimate, Point, TriangulationRefused, from_bearing_distance, intersect
from minxin.watch.live import region_topic
from minxin.watch.models import CheckIn, FireIncident, Notice, Post
from minxin.watch.notices import Message
from minxin.watch.scope import COMMAND
from minxin.watch.sql import region_fire_lock


def incident_recipients(incident: FireIncident) -> list[User]:
    path = incident.region.path
    ancestors = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
    return list(
        User.objects.filter(
            is_active=True, memberships__role=COMMAND, memberships__region__path__in=ancestors
        )
        .distinct()
        .order_by("pk")
    )


def fire_report_attach(*, check_in: CheckIn, post: Post, now: dt.datetime) -> list[Message]:
    """Join the report to the region's open incident that has a report within the triangulation window
    of this one, or open a new incident (which goes to the command centre at once and must be
    acknowledged within WATCH_FIRE_ACK_MINUTES). Re-estimates the spot. Runs in the check-in's
    transaction; returns the messages to send after commit."""
    region = post.unit.region
    region_fire_lock(region_id=region.pk)
    window = dt.timedelta(minutes=settings.WATCH_TRIANGULATION_MINUTES)
    incident = (
        FireIncident.objects.filter(
            region=region,
            status=FireIncident.Status.OPEN,
            reports__made_at__gte=check_in.made_at - window,
            reports__made_at__lte=check_in.made_at + window,
        )
        .order_by("-first_report_at")
        .first()
    )
    opened = incident is None
    if incident is None:
        year = clock.local_today(post.time_zone).year
        number = counter_next(scope="watch-fire", key=str(year))
        incident = FireIncident.objects.create(
            number=f"F{year}-{number:04d}",
            region=region,
            first_report_at=now,
            ack_due_at=now + dt.timedelta(minutes=settings.WATCH_FIRE_ACK_MINUTES),
        )
    CheckIn.objects.filter(pk=check_in.pk).update(incident=incident)
    check_in.incident = incident
    incident_estimate(incident=incident)
    publish_on_commit(region_topic(region), {"type": "fire", "incident": str(incident.public_id)})
    if not opened:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "FIRE %(number)s reported by %(post)s: bearing %(bearing)s°%(distance)s. "
            "Acknowledge within %(minutes)s minutes."
        ) % {
            "number": incident.number,
            "post": post.name,
            "bearing": f"{check_in.bearing_deg:.0f}",
            "distance": f", {check_in.distance_km:g} km" if check_in.distance_km else "",
            "minutes": settings.WATCH_FIRE_ACK_MINUTES,
        }
    users = incident_recipients(incident)
    Notice.objects.bulk_create(
        [Notice(incident=incident, recipient=u, channel="board", text=text, created_at=now) for u in users]
    )
    return [Message(channel="board", recipient=str(u), address="", text=text) for u in users]


def incident_estimate(*, incident: FireIncident) -> Estimate | None:
    """The best fix from the incident's reports: the crossing of two towers' latest bearings with the
    smallest uncertainty; else one tower's bearing and distance; else none (with the reason why)."""
    latest: dict[int, CheckIn] = {}
    for report in incident.reports.select_related("post").order_by("-made_at"):
        latest.setdefault(report.post_id, report)
    reports = list(latest.values())
    error = float(settings.WATCH_BEARING_ERROR_DEG)
    best: Estimate | None = None
    note = ""
    for a, b in itertools.combinations(reports, 2):
        assert a.bearing_deg is not None
        assert b.bearing_deg is not None
        try:
            found = intersect(
                Point(a.post.lat, a.post.lon),
                a.bearing_deg,
                Point(b.post.lat, b.post.lon),
                b.bearing_deg,
                min_angle_deg=float(settings.WATCH_MIN_CROSSING_DEG),
                bearing_error_deg=error,
            )
        except TriangulationRefused as refused:
            note = refusal_text(refused)
            continue
        if best is None or found.uncertainty_m < best.uncertainty_m:
            best = found
    if best is None:
        with_distance = [r for r in reports if r.distance_km and r.bearing_deg is not None]
        if with_distance:
            r = with_distance[0]
            assert r.bearing_deg is not None
            assert r.distance_km is not None
            best = from_bearing_distance(
                Point(r.post.lat, r.post.lon), r.bearing_deg, r.distance_km * 1000, bearing_error_deg=error
            )
    if best is None:
        FireIncident.objects.filter(pk=incident.pk).update(
            method=FireIncident.Method.NONE, estimate_note=note[:200]
        )
        return None
    fields = {
        "lat": round(best.lat, 6),
        "lon": round(best.lon, 6),
        "uncertainty_m": max(50, round(best.uncertainty_m)),
        "method": best.method,
        "estimate_note": note[:200] if best.method != "intersection" else "",
    }
    FireIncident.objects.filter(pk=incident.pk).update(**fields)
    for key, value in fields.items():
        setattr(incident, key, value)
    return best


def refusal_text(refused: TriangulationRefused) -> str:
    return {
        "bearings_parallel": _("The two bearings are nearly parallel, so they cannot fix the spot."),
        "bearings_diverge": _("The two bearings do not cross in front of both towers; check the readings."),
        "too_far": _("The two bearings cross beyond what a tower can see; check the readings."),
    }.get(refused.code, str(refused))


def fire_incident_acknowledge(*, incident: FireIncident, actor: User) -> FireIncident:
    """The command centre takes the fire in hand: recorded once (a conditional update), with who and when;
    the time from the first report is what the 20-minute rule measures."""
    now = clock.now()
    with transaction.atomic():
        done = FireIncident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor, ack_due_at=None
        )
        if not done:
            raise Conflict(_("This fire has already been acknowledged."), code="already_acknowledged")
        audit_record(actor=actor, action="watch.fire_acknowledged", target=incident)
        publish_on_commit(
            region_topic(incident.region), {"type": "fire", "incident": str(incident.public_id)}
        )
    incident.refresh_from_db()
    return incident


def fire_incident_close(*, incident: FireIncident, actor: User, note: str) -> FireIncident:
    """Close an incident (put out, or a false alarm), acknowledging it too if nobody had."""
    if not note.strip():
        raise InvalidInput(_("Say how the incident ended."), details={"field": "note"})
    now = clock.now()
    with transaction.atomic():
        FireIncident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor, ack_due_at=None
        )
        done = FireIncident.objects.filter(pk=incident.pk, status=FireIncident.Status.OPEN).update(
            status=FireIncident.Status.CLOSED, closed_at=now, closed_by=actor, closing_note=note.strip()[:500]
        )
        if not done:
            raise Conflict(_("This incident is already closed."), code="already_closed")
        audit_record(
            actor=actor, action="watch.fire_closed", target=incident, details={"note": note.strip()[:200]}
        )
        publish_on_commit(
            region_topic(incident.region), {"type": "fire", "incident": str(incident.public_id)}
        )
    incident.refresh_from_db()
    return incident


def open_incidents_q() -> Q:
    return Q(status=FireIncident.Status.OPEN)
