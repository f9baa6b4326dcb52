from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from conftest import make_item
from minxin.catalog.models import ItemVersion
from minxin.catalog.selectors import item_guide
from minxin.catalog.services import (
    MaterialData,
    item_version_draft,
    item_version_publish,
    item_version_update,
)
from minxin.core.errors import Conflict, InvalidInput


@pytest.mark.django_db
def test_a_published_version_cannot_be_edited(cast) -> None:
    with pytest.raises(Conflict) as refused:
        item_version_update(version=cast.item, content={"promised_days": 1})
    assert refused.value.code == "version_published"
    cast.item.refresh_from_db()
    assert cast.item.promised_days == 5


@pytest.mark.django_db
def test_a_change_publishes_a_new_version_and_closes_the_old_one(cast) -> None:
    draft = item_version_draft(
        item=cast.item.item,
        content={
            "name": "居民身份证换领",
            "implementing_body": "市公安局",
            "statutory_days": 20,
            "promised_days": 3,
        },
        materials=[MaterialData(name="居民身份证", originals=1)],
    )
    item_version_update(version=draft, content={"promised_days": 2})
    published = item_version_publish(version=draft, valid_from=dt.date(2026, 12, 1))
    cast.item.refresh_from_db()
    assert cast.item.valid_to == dt.date(2026, 11, 30)
    assert (published.number, published.promised_days, published.status) == (2, 2, "published")
    public_id = str(cast.item.item.public_id)
    with time_machine.travel(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC), tick=False):
        before = item_guide(public_id=public_id)
    with time_machine.travel(dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC), tick=False):  # Dec 1st in Shanghai
        guide = item_guide(public_id=public_id)
    assert before is not None
    assert before.number == 1  # the old version is still in force on its last day
    assert guide is not None
    assert guide.number == 2
    assert [m.name for m in guide.materials.all()] == ["居民身份证"]


@pytest.mark.django_db
def test_a_new_version_must_start_after_the_current_one(cast) -> None:
    draft = item_version_draft(
        item=cast.item.item,
        content={"name": "x", "implementing_body": "y", "statutory_days": 1, "promised_days": 1},
        materials=[],
    )
    with pytest.raises(InvalidInput):
        item_version_publish(version=draft, valid_from=dt.date(2026, 1, 1))


@pytest.mark.django_db
def test_the_database_allows_one_current_version_per_item(cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=cast.item.item,
            number=9,
            status="published",
            valid_from=dt.date(2027, 1, 1),
            published_at=cast.item.published_at,
            name="dup",
            implementing_body="x",
            statutory_days=1,
            promised_days=1,
        )


@pytest.mark.django_db
def test_a_promise_longer_than_the_law_allows_is_refused(cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_item(cast.psb, "000105009000", "临时居民身份证", statutory_days=3, promised_days=5)
    assert refused.value.details["field"] == "promised_days"


@pytest.mark.django_db
def test_a_material_with_neither_original_nor_copy_is_refused(cast) -> None:
    with pytest.raises(InvalidInput):
        item_version_draft(
            item=cast.item.item,
            content={"name": "x", "implementing_body": "y", "statutory_days": 1, "promised_days": 1},
            materials=[MaterialData(name="照片", originals=0, copies=0)],
        )
    assert cast.item.item.versions.count() == 1


@pytest.mark.django_db
def test_a_clerk_removed_from_a_window_loses_it_at_once(cast) -> None:
    from minxin.catalog.selectors import clerk_may_act_at_window

    assert clerk_may_act_at_window(user=cast.bob, window=cast.window1)
    cast.window1.clerks.remove(cast.bob)
    assert not clerk_may_act_at_window(user=cast.bob, window=cast.window1)
