"""Rating a ticket: once, on any channel, five levels, indicators on bad ratings, who may use which
channel, rate limits."""

from __future__ import annotations

import pytest

from minxin.feedback.models import Rating, Rectification
from minxin.feedback.tests.conftest import rate

pytestmark = pytest.mark.django_db


def test_a_finished_ticket_is_rated_once_and_a_second_try_is_409(client, served) -> None:
    ticket = served.ticket()
    first = rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "qr"})
    assert first.status_code == 201, first.content
    assert first.json()["score"] == 5
    again = rate(client, {"ticket": str(ticket.public_id), "score": 1, "channel": "sms"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    assert Rating.objects.get().score == 5


def test_a_ticket_not_finished_cannot_be_rated(client, served) -> None:
    ticket = served.waiting()
    response = rate(client, {"ticket": str(ticket.public_id), "score": 4, "channel": "qr"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "ticket_not_finished"


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_out_of_range_is_422_naming_the_field(client, served, score) -> None:
    ticket = served.ticket()
    response = rate(client, {"ticket": str(ticket.public_id), "score": score, "channel": "qr"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "score"}
    assert not Rating.objects.exists()


def test_an_unknown_indicator_is_refused(client, served) -> None:
    ticket = served.ticket()
    body = {"ticket": str(ticket.public_id), "score": 1, "channel": "qr", "indicators": ["rudeness"]}
    response = rate(client, body)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "indicators"}


def test_indicators_are_kept_on_a_bad_rating_only(client, served) -> None:
    bad, good = served.ticket(), served.ticket()
    rate(client, {"ticket": str(bad.public_id), "score": 2, "channel": "qr", "indicators": ["attitude"]})
    rate(client, {"ticket": str(good.public_id), "score": 4, "channel": "qr", "indicators": ["attitude"]})
    assert Rating.objects.get(ticket=bad).indicators == ["attitude"]
    assert Rating.objects.get(ticket=good).indicators == []


def test_neither_or_both_of_ticket_and_case_is_422(client, served) -> None:
    response = rate(client, {"score": 4, "channel": "qr"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "ticket"}


def test_an_unknown_ticket_is_404(client, served) -> None:
    response = rate(client, {"ticket": "00000000-0000-0000-0000-000000000001", "score": 4, "channel": "qr"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ticket_not_found"


def test_the_rating_records_where_the_service_happened(client, served) -> None:
    ticket = served.ticket()
    rate(client, {"ticket": str(ticket.public_id), "score": 3, "channel": "qr", "comment": " 还行 "})
    rating = Rating.objects.get()
    cast = served.cast
    assert (rating.hall, rating.window, rating.clerk, rating.department) == (
        cast.hall,
        cast.window1,
        cast.bob,
        cast.psb,
    )
    assert (rating.unit_id, rating.region_id) == (cast.hall.unit_id, cast.qhd_city.pk)
    assert rating.service_date == ticket.service_date
    assert rating.comment == "还行"


def test_the_device_channel_needs_this_halls_device(client, served, device, token_for) -> None:
    ticket = served.ticket()
    anonymous = rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "device"})
    assert anonymous.status_code == 403
    other_hall = rate(
        client,
        {"ticket": str(ticket.public_id), "score": 5, "channel": "device"},
        **token_for(served.cast.charlie),
    )
    assert other_hall.status_code == 403
    ok = rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "device"}, **device)
    assert ok.status_code == 201


def test_the_api_channel_needs_a_token(client, served, device) -> None:
    ticket = served.ticket()
    assert rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "api"}).status_code == 401
    assert (
        rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "api"}, **device).status_code
        == 201
    )


def test_the_web_channel_rates_only_the_citizens_own_tickets(client, served) -> None:
    from minxin.accounts.services import citizen_get_or_create

    mine = served.ticket(phone="13800138000")
    theirs = served.ticket(phone="13900139000")
    citizen = citizen_get_or_create(phone="13800138000")
    session = client.session
    session["citizen_id"] = citizen.pk
    session.save()
    refused = rate(client, {"ticket": str(theirs.public_id), "score": 5, "channel": "web"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_yours"
    assert rate(client, {"ticket": str(mine.public_id), "score": 5, "channel": "web"}).status_code == 201
    assert Rating.objects.get().citizen == citizen


def test_ratings_are_limited_per_address(client, served, settings) -> None:
    settings.FEEDBACK_RATINGS_PER_IP_PER_HOUR = 2
    tickets = [served.ticket() for _ in range(3)]
    codes = [
        rate(client, {"ticket": str(ticket.public_id), "score": 5, "channel": "qr"}).status_code
        for ticket in tickets
    ]
    assert codes == [201, 201, 429]


def test_ratings_are_limited_per_phone(client, served, settings) -> None:
    settings.FEEDBACK_RATINGS_PER_PHONE_PER_HOUR = 1
    first, second = served.ticket(phone="13800138000"), served.ticket(phone="13800138000")
    assert rate(client, {"ticket": str(first.public_id), "score": 5, "channel": "qr"}).status_code == 201
    assert rate(client, {"ticket": str(second.public_id), "score": 5, "channel": "qr"}).status_code == 429


def test_a_bad_rating_opens_a_rectification_and_a_good_one_does_not(client, served) -> None:
    good, bad = served.ticket(), served.ticket()
    rate(client, {"ticket": str(good.public_id), "score": 3, "channel": "qr"})
    response = rate(client, {"ticket": str(bad.public_id), "score": 2, "channel": "qr"})
    rectification = Rectification.objects.get()
    assert response.json()["rectification"] == str(rectification.public_id)
    assert rectification.rating.ticket == bad
    assert rectification.department == served.cast.psb
    assert rectification.status == "verifying"
