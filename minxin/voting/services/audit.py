"""The after-close audit: clusters of ballots by network, device, minute and identical choices, and the
quarantine of suspect ones (kept and counted separately, never deleted)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMinute
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.voting.models import Ballot, Campaign, CampaignEvent, CampaignState
from minxin.voting.services.campaigns import ensure_officer

CLUSTER_KINDS = ("network", "device", "minute", "choices")


@dataclass(frozen=True)
class Cluster:
    kind: str
    value: str
    ballots: int
    quarantined: int
    first: dt.datetime
    last: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def _ensure_closed(campaign: Campaign) -> None:
    if campaign.state not in (CampaignState.CLOSED, CampaignState.RESULTS):
        raise Conflict(_("The audit opens when voting has closed."), code="not_closed")


def cluster_ballots(*, campaign: Campaign, key: str) -> QuerySet[Ballot]:
    kind, _sep, value = key.partition(":")
    ballots = Ballot.objects.filter(campaign=campaign)
    if kind == "network":
        return ballots.filter(ip_prefix=value)
    if kind == "device":
        return ballots.filter(device_hash=value)
    if kind == "minute":
        try:
            start = dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(_("Unknown cluster."), details={"field": "cluster"}) from None
        return ballots.filter(cast_at__gte=start, cast_at__lt=start + dt.timedelta(minutes=1))
    if kind == "choices":
        network, _sep, choices = value.partition("|")
        return ballots.filter(ip_prefix=network, choices=choices)
    raise InvalidInput(_("Unknown cluster."), details={"field": "cluster"})


def audit_report(*, campaign: Campaign, actor: User) -> dict[str, list[Cluster]]:
    """Groups of at least VOTING_AUDIT_CLUSTER_MIN ballots sharing a network (/24), a device, identical
    choices from one network, and minutes far busier than usual (mean + 4 standard deviations)."""
    ensure_officer(user=actor, region=campaign.region)
    _ensure_closed(campaign)
    least = settings.VOTING_AUDIT_CLUSTER_MIN
    ballots = Ballot.objects.filter(campaign=campaign)
    stats = {
        "n": Count("id"),
        "q": Count("id", filter=Q(quarantined_at__isnull=False)),
        "first": Min("cast_at"),
        "last": Max("cast_at"),
    }
    report: dict[str, list[Cluster]] = {}

    def rows(queryset: QuerySet[Any, Any], kind: str, value_of: Callable[[Any], str]) -> list[Cluster]:
        found = [
            Cluster(kind, value_of(row), row["n"], row["q"], row["first"], row["last"])
            for row in queryset.annotate(**stats).filter(n__gte=least).order_by("-n")[:50]
        ]
        return found

    report["network"] = rows(
        ballots.exclude(ip_prefix="").values("ip_prefix"), "network", lambda row: row["ip_prefix"]
    )
    report["device"] = rows(
        ballots.exclude(device_hash="").values("device_hash"), "device", lambda row: row["device_hash"]
    )
    report["choices"] = rows(
        ballots.exclude(ip_prefix="").values("ip_prefix", "choices"),
        "choices",
        lambda row: f"{row['ip_prefix']}|{row['choices']}",
    )
    minutes = list(ballots.annotate(minute=TruncMinute("cast_at")).values("minute").annotate(**stats))
    counts = [row["n"] for row in minutes]
    threshold = float(least)
    if len(counts) >= 2:
        threshold = max(threshold, statistics.fmean(counts) + 4 * statistics.pstdev(counts))
    busy = sorted((row for row in minutes if row["n"] >= threshold), key=lambda row: -row["n"])[:50]
    report["minute"] = [
        Cluster("minute", row["minute"].isoformat(), row["n"], row["q"], row["first"], row["last"])
        for row in busy
    ]
    return report


def ballots_quarantine(
    *, campaign: Campaign, cluster: str, reason: str, actor: User, release: bool = False
) -> int:
    """Quarantine the ballots of a cluster (or release them): they stay, are counted separately and leave
    the results. Only between close and publication. Returns how many ballots changed."""
    from minxin.voting.tally import results_schedule

    ensure_officer(user=actor, region=campaign.region)
    if campaign.state != CampaignState.CLOSED:
        raise Conflict(
            _("Ballots can be quarantined after close and before the results are published."),
            code="wrong_state",
        )
    if not release and not reason.strip():
        raise InvalidInput(_("Give the reason for the quarantine."), details={"field": "reason"})
    now = clock.now()
    with transaction.atomic():
        ballots = cluster_ballots(campaign=campaign, key=cluster)
        if release:
            changed = ballots.filter(quarantined_at__isnull=False).update(
                quarantined_at=None, quarantine_reason="", quarantined_by=None
            )
        else:
            changed = ballots.filter(quarantined_at__isnull=True).update(
                quarantined_at=now, quarantine_reason=reason.strip()[:200], quarantined_by=actor
            )
        kind = "released" if release else "quarantined"
        details = {"cluster": cluster, "ballots": changed, "reason": reason.strip()[:200]}
        CampaignEvent.objects.create(campaign=campaign, kind=kind, at=now, actor=actor, details=details)
        audit_record(actor=actor, action=f"voting.ballots.{kind}", target=campaign, details=details)
    results_schedule(campaign=campaign)
    return changed
