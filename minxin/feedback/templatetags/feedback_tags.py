"""Template tags other apps' templates load to put a rating QR code on what they print: the kiosk's
ticket (`{% ticket_rating_qr ticket %}`) and a case's notice (`{% case_rating_qr case %}`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minxin.cases.models import Case
from minxin.feedback.links import case_link_token, ticket_link_token
from minxin.queueing.kiosk import ticket_qr_svg
from minxin.queueing.models import Ticket

register = template.Library()


def _qr(context: dict[str, Any], path: str, label: str) -> SafeString:
    request = context.get("request")
    url = request.build_absolute_uri(path) if request is not None else path
    return mark_safe(ticket_qr_svg(url, label=label))  # noqa: S308 - SVG we generated from our own URL


@register.simple_tag(takes_context=True)
def ticket_rating_qr(context: dict[str, Any], ticket: Ticket) -> SafeString:
    """An SVG QR code of the signed link that rates this ticket (and nothing else)."""
    return _qr(
        context, reverse("feedback:rate", args=[ticket_link_token(ticket)]), _("Scan to rate our service")
    )


@register.simple_tag(takes_context=True)
def case_rating_qr(context: dict[str, Any], case: Case) -> SafeString:
    """An SVG QR code of the signed link that rates this case, for its notices."""
    return _qr(context, reverse("feedback:rate", args=[case_link_token(case)]), _("Scan to rate our service"))


@register.simple_tag
def ticket_rating_path(ticket: Ticket) -> str:
    return reverse("feedback:rate", args=[ticket_link_token(ticket)])


@register.simple_tag
def rating_qr_caption() -> str:
    """The caption under a rating QR code (kept in this app's catalog)."""
    return _("After your service, scan this code to rate it")
