"""`{% load names %}` then `{{ hall.name|local_name }}`: a stored name in the reader's script/language."""

from __future__ import annotations

from typing import Any

from django import template

from minxin.catalog.names import local_name as _local_name

register = template.Library()


@register.filter
def local_name(value: Any) -> str:
    return _local_name(str(value) if value is not None else "")
