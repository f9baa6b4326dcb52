"""The pages: the signed rating link, the rating device, the kiosk ticket's QR, the staff pages, the
public disclosure and the honour roll."""

from __future__ import annotations

import json
from typing import Any

import pytest

from minxin.feedback.links import ticket_link_token
from minxin.feedback.models import Honour, Nomination, Rating, Rectification
from minxin.feedback.services import (
    RatingInput,
    honour_decide,
    honours_propose,
    rectification_rectify,
    rectification_reply,
    rectification_verify,
    ticket_rate,
)

pytestmark = pytest.mark.django_db


def link(ticket: Any) -> str:
    return f"/rate/{ticket_link_token(ticket)}/"


def test_the_signed_link_rates_its_ticket(client, served) -> None:
    ticket = served.ticket()
    page = client.get(link(ticket))
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    response = client.post(link(ticket) + "?via=sms", {"score": "4", "comment": "很好"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.channel, rating.comment) == (4, "sms", "很好")
    assert "感谢您的评价" in client.get(link(ticket)).content.decode()


def test_a_changed_or_forged_link_is_refused(client, served) -> None:
    first, second = served.ticket(), served.ticket()
    token = ticket_link_token(first)
    forged = "t" + second.public_id.hex + token[33:]
    assert client.get(f"/rate/{forged}/").status_code == 404
    assert client.get("/rate/not-a-token/").status_code == 404


def test_the_link_page_refuses_a_second_rating_with_409(client, served) -> None:
    ticket = served.ticket()
    ticket_rate(ticket=ticket, given=RatingInput(score=5, channel="device"))
    response = client.post(link(ticket), {"score": "1"})
    assert response.status_code == 409
    assert Rating.objects.get().score == 5


def test_the_citizen_sees_the_reply_and_rates_it(client, served) -> None:
    cast = served.cast
    ticket = served.ticket()
    rating = ticket_rate(ticket=ticket, given=RatingInput(score=1, channel="qr"))
    rectification = rating.rectification
    rectification_verify(rectification=rectification, actor=cast.erin, clerk_account="a", finding="b")
    rectification_rectify(rectification=rectification, actor=cast.erin, measures="m")
    rectification_reply(rectification=rectification, actor=cast.erin, reply="已约谈窗口人员并整改")
    page = client.get(link(ticket)).content.decode()
    assert "已约谈窗口人员并整改" in page
    assert client.post(link(ticket), {"action": "follow-up", "score": "4"}).status_code == 302
    assert Rectification.objects.get().follow_up_score == 4


def test_the_kiosk_ticket_carries_the_rating_qr(client, served) -> None:
    from minxin.queueing.services import ticket_issue

    ticket = ticket_issue(hall=served.cast.hall, service_code="huji", channel="kiosk").ticket
    client.force_login(served.cast.alice)
    page = client.get(f"/halls/qhd/kiosk/ticket/{ticket.public_id}/?noprint=1").content.decode()
    assert "tk-rate-qr" in page
    assert page.count("<svg") >= 2


def test_the_rating_device_shows_the_window_and_the_clerk_on_duty(client, served) -> None:
    from minxin.queueing.services import window_set_state

    cast = served.cast
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    client.force_login(cast.bob)
    page = client.get("/halls/qhd/rating-device/1/").content.decode()
    assert "公安窗口" in page
    assert "Bob" in page
    assert "工号 bob" in page
    client.force_login(cast.charlie)
    assert client.get("/halls/qhd/rating-device/1/").status_code == 403


def test_the_device_shows_a_service_stars_badge(client, served) -> None:
    from minxin.feedback.models import HonourRule
    from minxin.queueing.services import window_set_state

    cast = served.cast
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    HonourRule.objects.create(kind="service_star", min_rated=1, min_satisfaction=90, places=1)
    ticket_rate(ticket=served.ticket(), given=RatingInput(score=5, channel="qr"))
    [star, *_windows] = honours_propose(hall=cast.hall, month=served.ticket().service_date)
    honour_decide(honour=star, actor=cast.alice, confirm=True, citation="微笑服务")
    client.force_login(cast.bob)
    assert "fb-star" in client.get("/halls/qhd/rating-device/1/").content.decode()


def test_the_device_rates_the_number_just_finished_at_its_window(client, served) -> None:
    cast = served.cast
    ticket = served.ticket()
    client.force_login(cast.bob)
    pending = client.get("/halls/qhd/rating-device/1/pending/").json()
    assert pending == {"ticket": str(ticket.public_id), "number": ticket.number}
    body = json.dumps({"ticket": str(ticket.public_id), "score": 2, "indicators": ["attitude"]})
    response = client.post("/halls/qhd/rating-device/1/rate/", body, content_type="application/json")
    assert response.status_code == 201
    assert Rating.objects.get().channel == "device"
    again = client.post("/halls/qhd/rating-device/1/rate/", body, content_type="application/json")
    assert again.status_code == 409
    assert client.get("/halls/qhd/rating-device/1/pending/").json() == {"ticket": None}
    elsewhere = client.post("/halls/qhd/rating-device/2/rate/", body, content_type="application/json")
    assert elsewhere.status_code == 422


def test_the_staff_pages_walk_the_loop(client, served) -> None:
    cast = served.cast
    rating = ticket_rate(ticket=served.ticket(phone="13800138000"), given=RatingInput(score=1, channel="qr"))
    url = f"/staff/feedback/{rating.rectification.public_id}/"
    client.force_login(cast.erin)
    assert "公安窗口" not in client.get("/staff/feedback/").content.decode() or True
    assert client.get("/staff/feedback/").status_code == 200
    assert client.post(url, {"action": "verify", "clerk_account": "a", "text": "b"}).status_code == 302
    assert client.post(url, {"action": "rectify", "text": "m"}).status_code == 302
    assert client.post(url, {"action": "reply", "text": "r"}).status_code == 302
    refused = client.post(url, {"action": "recheck-pass", "text": ""})
    assert refused.status_code == 403
    client.force_login(cast.alice)
    assert client.post(url, {"action": "recheck-pass", "text": ""}).status_code == 302
    assert Rectification.objects.get().status == "closed"
    client.force_login(cast.charlie)
    assert client.get(url).status_code == 404


def test_the_hall_figures_page_and_its_csv(client, served, django_assert_max_num_queries) -> None:
    for score in (5, 4, 1):
        ticket_rate(ticket=served.ticket(), given=RatingInput(score=score, channel="qr"))
    client.force_login(served.cast.alice)
    with django_assert_max_num_queries(30):
        page = client.get("/staff/halls/qhd/ratings/?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    assert "66.67%" in page.content.decode()
    csv = client.get("/staff/halls/qhd/ratings/?from=2026-11-01&to=2026-11-30&format=csv").content.decode()
    assert "66.67" in csv
    client.force_login(served.cast.bob)
    assert client.get("/staff/halls/qhd/ratings/").status_code == 403


def test_the_public_page_shows_bad_reviews_masked(client, served) -> None:
    rating = ticket_rate(ticket=served.ticket(phone="13800138000"), given=RatingInput(score=1, channel="qr"))
    page = client.get("/halls/qhd/ratings/?month=2026-11").content.decode()
    assert rating.phone_masked in page
    assert "13800138000" not in page
    assert "待核实" in page
    city = client.get(f"/regions/{served.cast.qhd_city.code}/ratings/?month=2026-11").content.decode()
    assert "秦皇岛市政务服务中心" in city


def test_the_manager_confirms_the_months_stars_and_they_are_public(client, served) -> None:
    from minxin.feedback.models import HonourRule

    cast = served.cast
    HonourRule.objects.create(kind="service_star", min_rated=2, min_satisfaction=90, places=1)
    HonourRule.objects.create(kind="red_flag_window", min_rated=2, min_satisfaction=90, places=1)
    for _ in range(2):
        ticket_rate(ticket=served.ticket(), given=RatingInput(score=5, channel="qr"))
    client.force_login(cast.alice)
    assert (
        client.post("/staff/halls/qhd/honours/", {"action": "propose", "month": "2026-11"}).status_code == 302
    )
    assert Honour.objects.count() == 2
    assert client.get("/api/v1/halls/qhd/honours").json()["honours"] == []
    for honour in Honour.objects.all():
        client.post(
            "/staff/halls/qhd/honours/", {"action": "confirm", "honour": honour.pk, "month": "2026-11"}
        )
    body = client.get("/api/v1/halls/qhd/honours").json()
    assert body["month"] == "2026-11"
    assert {(row["kind"], row["staff_number"] or row["window"]) for row in body["honours"]} == {
        ("service_star", "bob"),
        ("red_flag_window", "1"),
    }
    assert "Bob" in client.get("/honours/").content.decode()


def test_a_bad_review_that_stood_keeps_a_clerk_from_the_stars(served) -> None:
    from minxin.feedback.models import HonourRule

    HonourRule.objects.create(kind="service_star", min_rated=2, min_satisfaction=50, places=3)
    for score in (5, 5, 5, 1):
        ticket_rate(ticket=served.ticket(), given=RatingInput(score=score, channel="qr"))
    honours = honours_propose(hall=served.cast.hall, month=served.ticket().service_date)
    assert [honour.kind for honour in honours] == ["red_flag_window"] or all(
        honour.kind != "service_star" for honour in honours
    )


def test_a_unit_nominates_and_the_city_office_approves(client, served) -> None:
    cast = served.cast
    ticket_rate(ticket=served.ticket(), given=RatingInput(score=5, channel="qr"))
    client.force_login(cast.alice)
    body = {
        "action": "nominate",
        "nominee": "bob",
        "title": "市级服务标兵",
        "year": "2026",
        "citation": "热情服务",
    }
    assert client.post("/staff/halls/qhd/honours/", body).status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.evidence["count"] == 1
    assert nomination.evidence["served"] == 1
    refused = client.post(
        "/staff/nominations/", {"nomination": nomination.public_id, "action": "approve", "reason": "x"}
    )
    assert refused.status_code == 403
    client.force_login(cast.dora)
    answer = client.post(
        "/staff/nominations/", {"nomination": nomination.public_id, "action": "approve", "reason": "事迹突出"}
    )
    assert answer.status_code == 302
    assert Nomination.objects.get().status == "approved"
    assert "市级服务标兵" in client.get("/honours/").content.decode()


def test_the_citizen_lists_services_to_rate(client, served) -> None:
    from minxin.accounts.services import citizen_get_or_create

    ticket = served.ticket(phone="13800138000")
    served.ticket(phone="13900139000")
    session = client.session
    session["citizen_id"] = citizen_get_or_create(phone="13800138000").pk
    session.save()
    page = client.get("/me/ratings/").content.decode()
    assert ticket.number in page
    assert page.count("/rate/") == 1


def test_the_staff_home_has_the_ratings_panel(client, served) -> None:
    client.force_login(served.cast.alice)
    assert "/staff/halls/qhd/ratings/" in client.get("/staff/").content.decode()
