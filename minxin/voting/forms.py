"""The officer's campaign form: rules and candidates (one per line) on one page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region
from minxin.voting.models import BallotKind, Eligibility, ResultRule
from minxin.voting.services import CampaignData, CandidateData

CANDIDATE_HELP = _(
    "One project per line: name | category | estimated cost (yuan) | location | latitude | longitude "
    "(the last three may be left out)."
)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    letter = forms.CharField(
        label=_("Open letter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Blank lines separate paragraphs; a line starting with ## is a heading, with - a list item."
        ),
    )
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=BallotKind.choices)
    min_choices = forms.IntegerField(label=_("Fewest choices"), min_value=1, max_value=100, initial=1)
    max_choices = forms.IntegerField(label=_("Most choices"), min_value=1, max_value=100, initial=5)
    ballot_budget = forms.DecimalField(label=_("Ballot budget limit (yuan)"), required=False, min_value=0)
    result_rule = forms.ChoiceField(label=_("Result rule"), choices=ResultRule.choices)
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0)
    completion_step = forms.DecimalField(
        label=_("Equal Shares completion step per voter (yuan)"), min_value=0, initial=Decimal(1)
    )
    eligibility = forms.ChoiceField(label=_("Who may vote"), choices=Eligibility.choices)
    eligible_count = forms.IntegerField(label=_("Eligible voters (for turnout)"), required=False, min_value=0)
    opens_at = forms.DateTimeField(
        label=_("Voting opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    candidates = forms.CharField(
        label=_("Candidate projects"), widget=forms.Textarea(attrs={"rows": 12}), help_text=CANDIDATE_HELP
    )

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean_candidates(self) -> list[CandidateData]:
        found = []
        for line_number, line in enumerate(self.cleaned_data["candidates"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) < 3 or not parts[0] or not parts[1]:
                raise forms.ValidationError(
                    _("Line %(line)d: give at least name | category | cost."), params={"line": line_number}
                )
            try:
                cost = Decimal(parts[2].replace(",", ""))
                latitude = Decimal(parts[4]) if len(parts) > 4 and parts[4] else None
                longitude = Decimal(parts[5]) if len(parts) > 5 and parts[5] else None
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(line)d: the cost and position must be numbers."), params={"line": line_number}
                ) from None
            found.append(
                CandidateData(
                    name=parts[0][:200],
                    category=parts[1][:64],
                    cost=cost,
                    location=parts[3][:200] if len(parts) > 3 else "",
                    latitude=latitude,
                    longitude=longitude,
                )
            )
        if not found:
            raise forms.ValidationError(_("List at least one candidate project."))
        return found

    def data_object(self) -> CampaignData:
        data = self.cleaned_data
        return CampaignData(
            title=data["title"],
            region=data["region"],
            letter=data["letter"],
            ballot_kind=data["ballot_kind"],
            min_choices=data["min_choices"],
            max_choices=data["max_choices"],
            ballot_budget=data["ballot_budget"],
            result_rule=data["result_rule"],
            budget=data["budget"],
            completion_step=data["completion_step"],
            eligibility=data["eligibility"],
            eligible_count=data["eligible_count"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            candidates=data["candidates"],
        )


def candidates_as_text(candidates: Any) -> str:
    lines = []
    for c in candidates:
        position = f" | {c.latitude} | {c.longitude}" if c.latitude is not None else ""
        lines.append(f"{c.name} | {c.category} | {c.cost.normalize():f} | {c.location}{position}")
    return "\n".join(lines)
