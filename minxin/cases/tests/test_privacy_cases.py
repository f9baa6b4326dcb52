"""PIPL: an applicant's details stay with the case file for the archive period after their last case
ended, then are anonymised; an erasure request unlinks the account and says what the file keeps."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from minxin.accounts import personal
from minxin.accounts.services import citizen_get_or_create
from minxin.cases.models import Applicant
from minxin.cases.personal_data import applicants_erase, applicants_export, applicants_retention
from minxin.core.personal_data import Subject

from .conftest import OTHER_PERSON, PERSON, at, take_in

pytestmark = pytest.mark.django_db


def subject_of(phone: str) -> Subject:
    citizen = citizen_get_or_create(phone=phone)
    return Subject(citizen_id=citizen.pk, public_id=str(citizen.public_id), phone_hash=citizen.phone_hash)


@pytest.fixture
def refused_and_open(cast: Any, licence: Any, settings: Any) -> tuple[Any, Any]:
    settings.CASES_APPLICANT_ARCHIVE_DAYS = 3650
    with time_machine.travel(at(2017, 9, 28), tick=False):
        refused = take_in(cast, licence, "refuse", reasons="不属于本机关职权范围")
        still_open = take_in(cast, licence, applicant=OTHER_PERSON)
    return refused, still_open


def test_applicants_are_kept_for_the_archive_period(refused_and_open: Any) -> None:
    with time_machine.travel(at(2027, 9, 20), tick=False):
        assert applicants_retention() == 0
    assert Applicant.objects.filter(name="张三").exists()


def test_after_the_archive_period_an_ended_applicant_is_anonymised_and_an_open_one_kept(
    refused_and_open: Any,
) -> None:
    refused, still_open = refused_and_open
    with time_machine.travel(at(2027, 10, 1), tick=False):
        assert applicants_retention() == 1
    gone = Applicant.objects.get(pk=refused.applicant_id)
    assert (gone.name, gone.id_masked, gone.phone_hash, gone.address) == ("", "", "", "")
    assert gone.id_hash.startswith("erased:")
    assert Applicant.objects.get(pk=still_open.applicant_id).name == "李四"


def test_erasure_keeps_the_file_says_why_and_unlinks_the_account(refused_and_open: Any) -> None:
    refused, _open = refused_and_open
    subject = subject_of(PERSON["phone"])
    assert applicants_export(subject)[0]["cases"][0]["number"] == refused.number

    with time_machine.travel(at(2020, 1, 1), tick=False):
        erasure = applicants_erase(subject)

    assert erasure.erased == 0
    assert len(erasure.kept) == 1
    assert refused.number in erasure.kept[0]
    applicant = Applicant.objects.get(pk=refused.applicant_id)
    assert applicant.citizen_id is None
    assert applicant.phone_hash == personal.keyed_hash(PERSON["phone"], purpose="phone")


def test_erasure_after_the_archive_period_anonymises_at_once(refused_and_open: Any) -> None:
    refused, _open = refused_and_open
    with time_machine.travel(at(2028, 1, 1), tick=False):
        erasure = applicants_erase(subject_of(PERSON["phone"]))
    assert erasure.erased == 1
    assert Applicant.objects.get(pk=refused.applicant_id).name == ""
