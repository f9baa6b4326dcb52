"""Showing a citizen's full phone number to staff: only to a hall manager (or system administrator) of a
hall where the citizen has business (a number taken or a case filed there, core.citizen_links), with a
reason from a fixed list (and a note), and an audit entry that records the hall, the reason, the record
that justified it and the requester's address."""

from __future__ import annotations

from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts import personal
from minxin.accounts.models import Citizen, Role, User
from minxin.core.audit import audit_record
from minxin.core.citizen_links import citizen_hall_link
from minxin.core.errors import Forbidden, InvalidInput, NotFound
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_may_act_in_hall

PHONE_REVEAL_ROLES = (Role.SYSTEM_ADMIN, Role.HALL_MANAGER)
NOTE_MAX_LENGTH = 200


class RevealReason(models.TextChoices):
    CALLBACK = "callback", gettext_lazy("Call the citizen back about their business")
    MATERIALS = "materials", gettext_lazy("Tell the citizen what materials are missing (一次性告知)")
    RESULT = "result", gettext_lazy("Tell the citizen a result is ready to collect")
    COMPLAINT = "complaint", gettext_lazy("Follow up a complaint or a bad review")
    APPOINTMENT = "appointment", gettext_lazy("Arrange or change an appointment")
    OTHER = "other", gettext_lazy("Other (explain in the note)")


def citizen_phone_reveal(
    *,
    citizen: Citizen,
    actor: User,
    hall: Hall,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> str:
    """The full phone number of `citizen` for `actor` in `hall`. Forbidden (403) for a role or hall out
    of the actor's scope; NotFound (404) when the citizen has no number or case in this hall; InvalidInput
    (422) for a reason not on the list or "other" without a note. Every reveal is audited."""
    if not actor.is_active or not staff_may_act_in_hall(user=actor, hall=hall, roles=PHONE_REVEAL_ROLES):
        raise Forbidden(_("Your role may not see full phone numbers in this hall."), code="out_of_scope")
    if reason not in RevealReason.values:
        raise InvalidInput(_("Choose the reason for viewing the full number."), details={"field": "reason"})
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("Keep the note within %(count)d characters.") % {"count": NOTE_MAX_LENGTH},
            details={"field": "note"},
        )
    if reason == RevealReason.OTHER and not note:
        raise InvalidInput(_("Say why in the note."), details={"field": "note"})
    link = citizen_hall_link(phone_hash=citizen.phone_hash, hall_id=hall.pk)
    if link is None:
        raise NotFound(
            _("This citizen has no number or case in this hall, so the full phone is not shown."),
            code="no_business_in_hall",
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="citizen.phone_revealed",
            target=citizen,
            details={"hall": hall.code, "reason": reason, "note": note, "because_of": link},
            request=request,  # the requester's address goes into the entry
        )
    return personal.decrypt(citizen.phone_encrypted)
