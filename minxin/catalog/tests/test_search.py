"""The service search finds what people type (issue 20, point 1), and names show in the reader's script
(point 7). On the cast's catalog (居民身份证换领, 企业设立登记) plus a few items."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from conftest import make_item
from minxin.catalog.models import EnglishName, ItemStat, SearchTerm, Synonym
from minxin.catalog.names import local_name
from minxin.catalog.selectors import SearchFilters, catalog_search

pytestmark = pytest.mark.django_db


def names(query: str, **filters: Any) -> list[str]:
    return [v.name for v in catalog_search(query=query, filters=SearchFilters(**filters)).versions[:10]]


@pytest.fixture
def more(cast: Any) -> Any:
    make_item(cast.psb, "000105002000", "居民身份证补领")
    make_item(cast.psb, "000105003000", "普通护照补发")
    return cast


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("营业执照", "企业设立登记"),  # the home page's own example, through the synonym table
        ("办身份证", "居民身份证换领"),  # 办 prefix dropped
        ("补办身份证", "居民身份证补领"),  # 补办 → 补领
        ("sfz", "居民身份证换领"),  # pinyin initials
        ("shenfenzheng", "居民身份证换领"),  # full pinyin
        ("我要办营业执照需要什么材料", "企业设立登记"),  # how people ask
        ("ＳＦＺ", "居民身份证换领"),  # full-width capitals
    ],
)
def test_search_finds_what_people_type(more: Any, query: str, first: str) -> None:
    assert names(query)[:1] == [first]


def test_an_answer_to_part_of_the_query_drops_out(more: Any) -> None:
    assert names("补办身份证") == ["居民身份证补领"]


def test_a_synonym_added_in_the_admin_is_used_at_once(more: Any) -> None:
    assert names("二代证") == []
    Synonym.objects.create(term="二代证", expansions="居民身份证")
    assert "居民身份证换领" in names("二代证")


def test_a_synonym_added_in_the_admin_is_found_by_its_pinyin(more: Any) -> None:
    Synonym.objects.create(term="二代证", expansions="居民身份证")
    assert "居民身份证换领" in names("erdaizheng")


def test_the_default_synonyms_pinyin_table_is_what_pypinyin_says() -> None:
    from minxin.catalog import search
    from minxin.catalog.default_synonyms import DEFAULT_SYNONYMS
    from minxin.catalog.default_synonyms_pinyin import DEFAULT_SYNONYM_PINYIN

    terms = tuple(search.normalize(term) for term in DEFAULT_SYNONYMS)
    assert search.pinyin_terms(terms) == DEFAULT_SYNONYM_PINYIN


@pytest.mark.django_db(transaction=True)
def test_a_process_that_answers_searches_never_loads_pypinyin(more: Any) -> None:
    """Its phrase dictionary costs each web process 57 MB; only indexing needs it."""
    from minxin.core.tests.procs import run_workers

    code = (
        "from minxin.catalog.selectors import SearchFilters, catalog_search\n"
        "found = [catalog_search(query=q, filters=SearchFilters()).versions[:1] for q in\n"
        "         ('营业执照', 'sfz', 'shenfenzheng', 'yingyezhizhao', '补办身份证')]\n"
        "print(json.dumps(['pypinyin' in sys.modules, [len(f) for f in found]]))\n"
    )
    [(loaded, counts)] = run_workers(code, processes=1)  # type: ignore[misc]
    assert counts == [1, 1, 1, 1, 1]
    assert loaded is False


def test_popularity_orders_equal_matches(more: Any) -> None:
    assert names("身份证")[:2] == ["居民身份证换领", "居民身份证补领"]
    ItemStat.objects.create(item=more.item.item.__class__.objects.get(code="000105002000"), views=50)
    assert names("身份证")[:2] == ["居民身份证补领", "居民身份证换领"]


def test_filters_narrow_the_results(more: Any) -> None:
    assert names("", online=True) == ["企业设立登记"]
    assert names("", department="amr") == ["企业设立登记"]
    assert names("", audience="company") == ["企业设立登记"]
    assert "企业设立登记" not in names("", audience="person")


def test_searches_are_counted_and_empty_ones_offer_suggestions_and_the_phone(more: Any, client: Any) -> None:
    more.hall.phone = "0335-12345"
    more.hall.save()
    client.get("/items/", {"q": "身份证"})
    body = client.get("/items/", {"q": "火星移民"}).content.decode()
    assert SearchTerm.objects.get(query="身份证").count == 1
    assert SearchTerm.objects.get(query="火星移民").last_results == 0
    assert 'href="?q=%E8%BA%AB%E4%BB%BD%E8%AF%81"' in body  # 身份证, what others found
    assert "0335-12345" in body
    assert "12345" in body


def test_the_search_page_and_api_stay_within_a_few_queries(
    more: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.get("/items/", {"q": "身份证"})
    with django_assert_max_num_queries(8):
        assert client.get("/items/", {"q": "身份证"}).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/items", {"q": "sfz"}).json()["count"] == 2


def test_opening_a_guide_from_a_search_counts_for_popularity(more: Any, client: Any) -> None:
    client.get(f"/items/{more.item.item.public_id}/?from=search")
    client.get(f"/items/{more.item.item.public_id}/")
    stat = ItemStat.objects.get(item=more.item.item)
    assert (stat.searches, stat.views) == (1, 1)


def test_names_follow_the_reader(cast: Any) -> None:
    EnglishName.objects.create(
        chinese="秦皇岛市政务服务中心", english="Qinhuangdao Government Service Centre"
    )
    assert local_name("秦皇岛市政务服务中心", "zh-hans") == "秦皇岛市政务服务中心"
    assert local_name("秦皇岛市政务服务中心", "zh-hant") == "秦皇島市政務服務中心"
    assert local_name("秦皇岛市政务服务中心", "en") == "Qinhuangdao Government Service Centre"
    assert local_name("企业开办", "en") == "企业开办"  # no English name: the Chinese


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [("zh-hant", "居民身份證換領", "居民身份证换领"), ("en", "Identity card renewal", "居民身份证换领")],
)
def test_the_guide_shows_names_in_the_readers_script(
    cast: Any, client: Any, language: str, shown: str, absent: str
) -> None:
    EnglishName.objects.create(chinese="居民身份证换领", english="Identity card renewal")
    client.cookies["django_language"] = language
    with translation.override(language):
        body = client.get(
            f"/items/{cast.item.item.public_id}/", HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    assert shown in body
    assert absent not in body.split("<main", 1)[1]
