"""Amounts and counts as people read them: digits grouped by thousands."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def grouped(value: object) -> str:
    """12000000 → "12,000,000"; cents kept only when there are any."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"
