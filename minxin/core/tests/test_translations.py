"""The translations are complete and safe to ship, and the pages come out in the language asked for.

The .po files are checked directly (fast, no compiled catalogs needed); the rendering test needs the
compiled .mo files, which `make test` builds first and the `compiled_messages` fixture builds when they
are missing or older than their .po file.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
# The project's catalog, then one per app that keeps its own (minxin/<app>/locale, found by Django for
# every installed app).
LOCALE_DIRS = [LOCALE_DIR, *sorted(LOCALE_DIR.parent.glob("*/locale"))]
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "zh_Hant": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")

# Characters that differ between the two scripts (each pair is one character in both): a Simplified one
# in the Traditional catalog, or the other way round, means a string was left unconverted.
SIMPLIFIED_ONLY = "务办项门这们为时说对发动请设让认证码书记单级区县厅际过还进选给经话语读写导条权录页"
TRADITIONAL_ONLY = "務辦項門這們為時說對發動請設讓認證碼書記單級區縣廳際過還進選給經話語讀寫導條權錄頁"

KEY_TERMS = {
    "Service guide": ("办事指南", "辦事指南"),
    "Staff desk": ("工作台", "工作台"),
    "Staff sign-in": ("工作人员登录", "工作人員登錄"),
    "My services": ("我的办事", "我的辦事"),
    "Large text": ("大字模式", "大字模式"),
    "Item code": ("事项编码", "事項編碼"),
    "Comprehensive window": ("综合窗口", "綜合窗口"),
    "minxin civic service": ("民心政务服务", "民心政務服務"),
}


def load(language: str, directory: Path = LOCALE_DIR) -> polib.POFile:
    return polib.pofile(str(directory / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(
    scope="module",
    params=[(directory, language) for directory in LOCALE_DIRS for language in LANGUAGES],
    ids=lambda param: f"{param[0].parent.name}-{param[1]}",
)
def catalog(request: Any) -> tuple[str, polib.POFile]:
    directory, language = request.param
    return language, load(language, directory)


def placeholders(text: str) -> Counter[str]:
    return Counter(re.sub(r"\s+", "", found) for found in PLACEHOLDER.findall(text))


def test_the_header_names_the_language_charset_and_plural_forms(catalog) -> None:
    language, po = catalog
    assert po.metadata["Language"] == language
    assert po.metadata["Project-Id-Version"] == "minxin"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete(catalog) -> None:
    language, po = catalog
    assert len(po) > 0
    assert [entry.msgid for entry in po.untranslated_entries()] == [], language
    assert [entry.msgid for entry in po.fuzzy_entries()] == [], language
    assert [entry.msgid for entry in po.obsolete_entries()] == [], language


def test_every_translation_keeps_the_placeholders_of_its_source(catalog) -> None:
    language, po = catalog
    nplurals = int(PLURAL_FORMS[language].split(";")[0].removeprefix("nplurals="))
    wrong = []
    for entry in po:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == nplurals, entry.msgid
            for index, text in entry.msgstr_plural.items():
                source = entry.msgid if nplurals > 1 and index == 0 else entry.msgid_plural
                if placeholders(text) != placeholders(source):
                    wrong.append((entry.msgid, text))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == [], language


@pytest.mark.parametrize("directory", LOCALE_DIRS, ids=lambda path: path.parent.name)
def test_english_is_the_source_text(directory: Path) -> None:
    for entry in load("en", directory):
        if entry.msgid_plural:
            assert entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural}
        else:
            assert entry.msgstr == entry.msgid


@pytest.mark.parametrize("directory", LOCALE_DIRS, ids=lambda path: path.parent.name)
def test_the_chinese_catalogs_use_the_glossary_and_the_right_script(directory: Path) -> None:
    simplified = {entry.msgid: entry for entry in load("zh_Hans", directory)}
    traditional = {entry.msgid: entry for entry in load("zh_Hant", directory)}
    assert simplified.keys() == traditional.keys() == {entry.msgid for entry in load("en", directory)}
    for msgid, (hans, hant) in KEY_TERMS.items():
        if directory == LOCALE_DIR or msgid in simplified:
            assert simplified[msgid].msgstr == hans
            assert traditional[msgid].msgstr == hant
    for msgid in simplified:
        hans, hant = simplified[msgid], traditional[msgid]
        hans_texts = [hans.msgstr, *hans.msgstr_plural.values()]
        hant_texts = [hant.msgstr, *hant.msgstr_plural.values()]
        assert not set("".join(hans_texts)) & set(TRADITIONAL_ONLY), (msgid, hans_texts)
        assert not set("".join(hant_texts)) & set(SIMPLIFIED_ONLY), (msgid, hant_texts)


@pytest.fixture(scope="module")
def compiled_messages() -> None:
    stale = [
        po
        for directory in LOCALE_DIRS
        for language in LANGUAGES
        if not (mo := (po := directory / language / "LC_MESSAGES" / "django.po").with_suffix(".mo")).exists()
        or mo.stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgfmt (Debian's gettext) is needed to compile the translations")
        pytest.skip("msgfmt not found: cannot compile the translations (install Debian's gettext)")
    from django.core.management import call_command
    from django.utils.translation.reloader import translation_file_changed

    call_command("compilemessages", ignore=[".venv"], verbosity=0)
    # Forget catalogs loaded before the .mo files existed, as the dev server's reloader does.
    translation_file_changed(sender=None, file_path=stale[0].with_suffix(".mo"))


@pytest.mark.usefixtures("compiled_messages")
def test_the_import_columns_have_distinct_labels_in_every_language() -> None:
    from django.utils import translation

    from minxin.catalog.tabular import COLUMNS

    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            labels = [str(label).strip().lower() for _key, label in COLUMNS]
        assert len(set(labels)) == len(labels), (language, labels)


@pytest.mark.usefixtures("compiled_messages")
@pytest.mark.parametrize(
    ("accept", "expected", "absent"),
    [
        ("zh-hans", "办事指南", "Service guide"),
        ("zh-hant", "辦事指南", "Service guide"),
        ("en", "Service guide", "办事指南"),
    ],
)
def test_the_home_page_speaks_the_language_the_browser_asks_for(
    db, client, accept: str, expected: str, absent: str
) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{accept}"' in page
    assert expected in page
    assert absent not in page
    assert response["Content-Language"] == accept
