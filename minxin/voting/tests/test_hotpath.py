"""Casting a ballot with a bearer token is answered in front of Django (minxin/voting/hotpath.py on
minxin/core/hotpath.py) as Django answers it: the same status, body and headers for every refusal, the
same receipt shape, one ballot per person across both paths; a call without a token goes to Django.

Each request goes through Django's WSGI application and through the hot path in front of it
(minxin/core/tests/hotpath_harness.py). Transactional tests: both paths commit as in production.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from minxin.core.tests.hotpath_harness import Answer, Apps
from minxin.voting.hotpath import ROUTES
from minxin.voting.models import Ballot, BallotIdentifier
from minxin.voting.tests.conftest import DURING, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

UNCOMPARED = {"content-length"}
PER_BALLOT = ("receipt", "cast_at")


@pytest.fixture
def apps() -> Apps:
    return Apps(ROUTES)


@pytest.fixture
def during() -> Any:
    with time_machine.travel(DURING, tick=True) as traveller:
        yield traveller


def path_of(voting: Any) -> str:
    return f"/api/v1/campaigns/{voting.campaign.public_id}/ballots"


def paper(n: int, choices: list[int] | None = None) -> dict[str, Any]:
    return {"choices": choices or [1, 3], "channel": "paper", "voter": {"id_number": id_number(n)}}


def same_headers(django: Answer, hot: Answer) -> None:
    def compared(answer: Answer) -> dict[str, str]:
        return {name: value for name, value in answer.headers.items() if name not in UNCOMPARED}

    assert compared(hot) == compared(django)


def test_an_officers_ballot_is_answered_in_front_of_django_as_django_answers_it(
    open_campaign, apps, token_for, during
) -> None:
    auth = token_for(open_campaign.olga)
    django = apps.post(apps.django, path_of(open_campaign), paper(1), **auth)
    hot = apps.post(apps.hot, path_of(open_campaign), paper(2), **auth)
    assert (django.status, hot.status) == (201, 201), hot.body
    assert apps.handed_on == []
    same_headers(django, hot)
    assert list(hot.json()) == list(django.json())
    assert {k: v for k, v in hot.json().items() if k not in PER_BALLOT} == {
        k: v for k, v in django.json().items() if k not in PER_BALLOT
    }
    assert len(hot.json()["receipt"]) == len(django.json()["receipt"])
    assert len(hot.json()["cast_at"]) == len(django.json()["cast_at"])
    ballot = Ballot.objects.get(receipt=hot.json()["receipt"].replace("-", ""))
    assert (ballot.channel, ballot.choices, ballot.entered_by_id) == ("paper", "1,3", open_campaign.olga.pk)


def test_one_person_votes_once_whichever_path_and_channel(open_campaign, apps, token_for, during) -> None:
    auth = token_for(open_campaign.olga)
    first = apps.post(apps.hot, path_of(open_campaign), paper(7), **auth)
    assert first.status == 201
    again = {"choices": [2], "channel": "wechat", "voter": {"id_number": id_number(7), "external_id": "o7"}}
    django, hot = apps.both(path_of(open_campaign), again, **auth)
    assert hot.status == django.status == 409
    assert hot.body == django.body
    assert hot.json()["error"]["code"] == "already_voted"
    assert Ballot.objects.count() == 1
    assert BallotIdentifier.objects.count() == 1


def test_a_retry_with_the_idempotency_key_gets_the_first_receipt_on_either_path(
    open_campaign, apps, token_for, during
) -> None:
    auth = token_for(open_campaign.olga) | {"HTTP_IDEMPOTENCY_KEY": "desk-3-0042"}
    first = apps.post(apps.hot, path_of(open_campaign), paper(9), **auth)
    django, hot = apps.both(path_of(open_campaign), paper(9), **auth)
    assert (first.status, django.status, hot.status) == (201, 200, 200)
    assert hot.json()["receipt"] == django.json()["receipt"] == first.json()["receipt"]
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize("language", ["zh-Hans", "en", "zh-Hant"])
def test_refusals_carry_the_same_error_and_language(open_campaign, apps, token_for, during, language) -> None:
    auth = token_for(open_campaign.olga) | {"HTTP_ACCEPT_LANGUAGE": language}
    missing = "/api/v1/campaigns/00000000-0000-4000-8000-000000000000/ballots"
    cases = [
        (path_of(open_campaign), paper(1, [9]), auth),  # no such candidate
        (path_of(open_campaign), paper(1, [1, 2, 3]), auth),  # more than two choices
        (path_of(open_campaign), {"choices": [1], "channel": "paper", "voter": {"id_number": "1"}}, auth),
        (
            path_of(open_campaign),
            {"choices": [1], "channel": "web", "voter": {"id_number": id_number(1)}},
            auth,
        ),
        (
            path_of(open_campaign),
            {"choices": [1], "channel": "wechat", "voter": {"id_number": id_number(1)}},
            auth,
        ),
        (path_of(open_campaign), paper(1), auth | {"HTTP_IDEMPOTENCY_KEY": "k" * 65}),
        (path_of(open_campaign), paper(1), token_for(open_campaign.sam)),  # another region's officer
        (path_of(open_campaign), paper(1), {"HTTP_AUTHORIZATION": "Bearer mx_nope"}),
        (missing, paper(1), auth),
    ]
    for path, body, headers in cases:
        django, hot = apps.both(path, body, **headers)
        assert hot.status == django.status >= 400, (body, hot.body)
        assert hot.body == django.body
        same_headers(django, hot)
    assert apps.handed_on == []
    assert Ballot.objects.count() == 0


def test_a_closed_campaign_refuses_the_same_both_ways(open_campaign, apps, token_for) -> None:
    from minxin.voting.tests.conftest import AFTER

    with time_machine.travel(AFTER):
        django, hot = apps.both(path_of(open_campaign), paper(1), **token_for(open_campaign.olga))
    assert hot.status == django.status == 409
    assert hot.body == django.body
    assert hot.json()["error"]["code"] == "voting_not_open"


def test_invalid_ballots_are_refused_the_same_and_a_call_without_a_token_is_djangos(
    open_campaign, apps, token_for, during
) -> None:
    auth = token_for(open_campaign.olga)
    cases = [
        (paper(1) | {"channel": "fax"}, auth),  # django-ninja words the 422, on both paths
        ({"channel": "paper"}, auth),
        (paper(1), {}),  # no token: a citizen's session, which needs the CSRF check
    ]
    for body, headers in cases:
        django, hot = apps.both(path_of(open_campaign), body, **headers)
        assert (hot.status, hot.body) == (django.status, django.body)
        assert hot.status >= 400
        same_headers(django, hot)
    assert apps.handed_on == [path_of(open_campaign)]  # the one without a token
    assert Ballot.objects.count() == 0


def test_a_ballot_on_the_hot_path_is_one_statement_once_warm(
    open_campaign, apps, token_for, during, django_assert_max_num_queries
) -> None:
    from django.db import connection

    auth = token_for(open_campaign.olga)
    assert apps.post(apps.hot, path_of(open_campaign), paper(1), **auth).status == 201
    # PostgreSQL: the one statement (ballot and identifiers); SQLite: its two in a transaction.
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 4):
        assert apps.post(apps.hot, path_of(open_campaign), paper(2), **auth).status == 201
