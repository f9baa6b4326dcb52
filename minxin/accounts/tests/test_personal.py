from __future__ import annotations

import logging

import pytest

from minxin.accounts import personal
from minxin.accounts.services import citizen_get_or_create
from minxin.core.errors import Forbidden, InvalidInput, NotFound
from minxin.core.models import AuditEntry
from minxin.orgs.services import citizen_phone_reveal


def test_masks_hide_the_middle_of_phones_and_id_numbers() -> None:
    assert personal.mask_phone("13812345678") == "138****5678"
    assert personal.mask_id_number("130302199001011234") == "130***********1234"


def test_id_numbers_are_checked_by_their_check_digit() -> None:
    assert personal.normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert personal.normalize_id_number("110105194912310021") is None


def test_keyed_hashes_match_the_same_value_and_separate_purposes() -> None:
    assert personal.keyed_hash("13812345678", purpose="phone") == personal.keyed_hash(
        "13812345678", purpose="phone"
    )
    assert personal.keyed_hash("13812345678", purpose="phone") != personal.keyed_hash(
        "13812345678", purpose="id"
    )


def test_encryption_round_trips_and_hides_the_value() -> None:
    token = personal.encrypt("13812345678")
    assert "13812345678" not in token
    assert personal.decrypt(token) == "13812345678"


def test_logs_never_carry_a_phone_or_id_number(caplog) -> None:
    logger = logging.getLogger("minxin.test")
    handler_filter = personal.RedactPersonalDataFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("citizen %s with id %s called", "13812345678", "11010519491231002X")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "13812345678" not in caplog.text
    assert "11010519491231002X" not in caplog.text
    assert "138****5678" in caplog.text


@pytest.mark.django_db
def test_revealing_a_phone_needs_a_listed_reason_and_a_role_in_the_hall(cast) -> None:
    citizen = citizen_get_or_create(phone="13812345678")
    with pytest.raises(InvalidInput):
        citizen_phone_reveal(citizen=citizen, actor=cast.alice, hall=cast.hall, reason=" ")
    for not_allowed in (cast.bob, cast.dora, cast.erin, cast.charlie):
        with pytest.raises(Forbidden):
            citizen_phone_reveal(citizen=citizen, actor=not_allowed, hall=cast.hall, reason="callback")
    with pytest.raises(NotFound):  # no number or case in the hall (minxin/orgs/tests/test_phone_reveal.py)
        citizen_phone_reveal(citizen=citizen, actor=cast.alice, hall=cast.hall, reason="callback")
    assert not AuditEntry.objects.filter(action="citizen.phone_revealed").exists()
