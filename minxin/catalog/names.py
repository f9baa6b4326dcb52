"""Names in the reader's script and language. Catalog, hall, department and service names are stored
once, in Simplified Chinese; a page in 繁體 shows them converted by OpenCC (s2twp, cached per process),
a page in English shows the English name kept in EnglishName, or the Chinese when there is none."""

from __future__ import annotations

from functools import lru_cache

import opencc
from django.utils.translation import get_language

from minxin.catalog.models import EnglishName
from minxin.core.memo import memo

ENGLISH_MEMO = "catalog-english-names"


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


@lru_cache(maxsize=20_000)
def traditional(text: str) -> str:
    """`text` in Traditional characters (Taiwan phrasing), cached: names repeat on every page."""
    return str(_converter().convert(text)) if text else text


def english_names() -> dict[str, str]:
    """Chinese → English, cached five minutes and dropped when an English name changes."""
    return memo((ENGLISH_MEMO,), 300, lambda: dict(EnglishName.objects.values_list("chinese", "english")))


def local_name(name: str, language: str | None = None) -> str:
    """`name` as the reader of `language` (the active language by default) should see it."""
    if not name:
        return name
    code = (language or get_language() or "zh-hans").lower()
    if code.startswith("en"):
        return english_names().get(name, name)
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}:
        return traditional(name)
    return name
