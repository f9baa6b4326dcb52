"""Public project voting: campaigns, ballots, results: the data and its constraints.

One ballot per real person per campaign is a database invariant: every identifier a ballot carries
(ID number, phone, external id such as a WeChat openid) is a `BallotIdentifier` row, unique per
(campaign, kind, hash), inserted in the ballot's own statement. A second ballot by the same person on
any channel fails in the database, whatever the code does.

Secrecy: a `BallotIdentifier` has no column that points at its ballot (its key is random, not a
sequence), so the tables hold no voter → choice link; the choices live on the `Ballot` with its
receipt code, which only the voter holds.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region, Unit


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    VOTING = "voting", _("Voting")
    CLOSED = "closed", _("Closed")
    RESULTS = "results", _("Results published")


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval (choose between min and max)")
    RANKING = "ranking", _("Ranking (order your top choices)")
    BUDGET = "budget", _("Budget (total cost within a limit)")


class ResultRule(models.TextChoices):
    RANKING = "ranking", _("By support")
    GREEDY = "greedy", _("Greedy within the budget")
    EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")


class Eligibility(models.TextChoices):
    ANYONE = "anyone", _("Anyone with a valid ID number")
    REGION = "region", _("Residents of the campaign's region (by ID number)")
    LIST = "list", _("People on the residents list")


class Channel(models.TextChoices):
    WEB = "web", _("Online (phone verified)")
    WECHAT = "wechat", _("WeChat")
    PAPER = "paper", _("Paper / post")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone / fax")


OFFLINE_CHANNELS = (Channel.PAPER, Channel.EMAIL, Channel.PHONE)


class IdentifierKind(models.TextChoices):
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")
    EXTERNAL = "external", _("External id")


class Campaign(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organiser")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    letter = models.TextField(_("open letter"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=CampaignState.choices, default="draft")
    ballot_kind = models.CharField(_("ballot"), max_length=16, choices=BallotKind.choices, default="approval")
    min_choices = models.PositiveSmallIntegerField(_("fewest choices"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("most choices"), default=5)
    ballot_budget = models.DecimalField(
        _("ballot budget limit"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    result_rule = models.CharField(
        _("result rule"), max_length=16, choices=ResultRule.choices, default="ranking"
    )
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    completion_step = models.DecimalField(
        _("Equal Shares completion step per voter"), max_digits=12, decimal_places=2, default=1
    )
    eligibility = models.CharField(
        _("who may vote"), max_length=16, choices=Eligibility.choices, default="anyone"
    )
    eligible_count = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    # Set when the results of a large campaign are to be counted by the worker (tally.results_due);
    # the worker claims it by moving it forward (a lease) and clears it when the snapshot is written.
    results_due_at = models.DateTimeField(_("results due"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="voting_period_order"
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=models.F("min_choices")), name="voting_choices_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rules_frozen(self) -> bool:
        return self.state not in (CampaignState.DRAFT, CampaignState.PUBLISHED)

    @property
    def counts_visible(self) -> bool:
        return self.state in (CampaignState.CLOSED, CampaignState.RESULTS)


class Candidate(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="candidates")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    image = models.FileField(_("image"), upload_to="voting/candidates/", blank=True)
    cost = models.DecimalField(_("estimated cost"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("candidate project")
        verbose_name_plural = _("candidate projects")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="voting_candidate_number_once"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="voting_candidate_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Ballot(models.Model):
    """One person's whole ballot. `choices` are candidate numbers in the order given ("3,17,42")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ballots")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt = models.CharField(_("receipt"), max_length=16, unique=True)
    choices = models.CharField(_("choices"), max_length=400)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    cast_at = models.DateTimeField(_("cast"))
    ip_hash = models.CharField(max_length=64, blank=True)
    ip_prefix = models.CharField(_("network"), max_length=48, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_hash = models.CharField(max_length=64, blank=True, default="")
    quarantined_at = models.DateTimeField(_("quarantined"), null=True, blank=True)
    quarantine_reason = models.CharField(_("quarantine reason"), max_length=200, blank=True)
    quarantined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["campaign", "cast_at"], name="voting_ballot_campaign_cast")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "idempotency_hash"],
                condition=~Q(idempotency_hash=""),
                name="voting_ballot_idempotency_once",
            ),
            models.CheckConstraint(condition=~Q(choices=""), name="voting_ballot_has_choices"),
        ]

    def __str__(self) -> str:
        return self.receipt


class BallotIdentifier(models.Model):
    """ "This person has voted in this campaign": one row per identifier of a ballot, no link to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    value_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "value_hash"], name="voting_one_ballot_per_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value_hash[:8]}"


class EligibleVoter(models.Model):
    """A residents list entry (keyed hash of the ID number), imported by the campaign officer."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="eligible_voters")
    id_number_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "id_number_hash"], name="voting_eligible_once")
        ]

    def __str__(self) -> str:
        return self.id_number_hash[:8]


class CampaignEvent(models.Model):
    """Append-only history of a campaign: created, edited, opened, closed, published, quarantines."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ResultSnapshot(models.Model):
    """The counted results of a closed campaign (recomputed after a quarantine), served to everyone."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField()
    data = models.JSONField()

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
