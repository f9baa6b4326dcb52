"""The public API: exact paths, one error shape, scope."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from minxin.watch.models import Post
from minxin.watch.tests.conftest import SEASON_DAY

pytestmark = pytest.mark.django_db


def post_json(client, path: str, body: dict, headers: dict) -> object:
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_the_command_centre_adds_a_post(client, watch, token_for) -> None:
    body = {"name": "新望海楼", "lat": 42.45, "lon": 117.30, "interval_seconds": 900, "grace_seconds": 300}
    response = post_json(client, "/api/v1/posts", body, token_for(watch.carl))
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "up"
    assert data["next_due_at"] == (SEASON_DAY + dt.timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    assert Post.objects.get(public_id=data["id"]).unit == watch.unit


def test_lookout_staff_may_not_add_posts(client, watch, token_for) -> None:
    body = {"name": "x", "lat": 42.45, "lon": 117.30, "interval_seconds": 900, "grace_seconds": 300}
    response = post_json(client, "/api/v1/posts", body, token_for(watch.lena))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_an_interval_that_does_not_divide_the_day_names_the_field(client, watch, token_for) -> None:
    body = {"name": "x", "lat": 42.45, "lon": 117.30, "interval_seconds": 840, "grace_seconds": 300}
    response = post_json(client, "/api/v1/posts", body, token_for(watch.carl))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "interval_seconds"}


def test_a_lookout_checks_in_and_the_post_reads_up(client, watch, token_for) -> None:
    path = f"/api/v1/posts/{watch.tower.public_id}/check-ins"
    response = post_json(client, path, {"status": "normal", "visibility_m": 20000}, token_for(watch.lena))
    assert response.status_code == 201
    assert response.json()["slot_start"].startswith("2026-04-15T02:00:00")
    state = client.get(f"/api/v1/posts/{watch.tower.public_id}", **token_for(watch.lena)).json()
    assert state["state"] == "up"
    assert state["missed_count"] == 0
    assert state["last_check_in_at"].startswith("2026-04-15T02:00")


def test_a_fire_without_bearing_is_refused_naming_the_field(client, watch, token_for) -> None:
    path = f"/api/v1/posts/{watch.tower.public_id}/check-ins"
    response = post_json(client, path, {"status": "fire"}, token_for(watch.lena))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "bearing_deg"}


def test_a_made_at_in_the_future_is_refused(client, watch, token_for) -> None:
    path = f"/api/v1/posts/{watch.tower.public_id}/check-ins"
    body = {"status": "normal", "made_at": "2026-04-15T05:00:00+00:00"}
    response = post_json(client, path, body, token_for(watch.lena))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "made_at"}


def test_another_regions_command_centre_cannot_see_the_post(client, watch, token_for) -> None:
    response = client.get(f"/api/v1/posts/{watch.tower.public_id}", **token_for(watch.olga))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "post_not_found"


def test_another_regions_command_centre_cannot_check_in(client, watch, token_for) -> None:
    path = f"/api/v1/posts/{watch.tower.public_id}/check-ins"
    response = post_json(client, path, {"status": "normal"}, token_for(watch.olga))
    assert response.status_code == 404


def test_lookout_staff_cannot_enter_desk_reports(client, watch, token_for) -> None:
    path = f"/api/v1/posts/{watch.tower.public_id}/check-ins"
    response = post_json(client, path, {"status": "normal", "channel": "radio"}, token_for(watch.lena))
    assert response.status_code == 403


def test_two_towers_fire_reports_make_one_incident_with_a_fixed_spot(client, watch, token_for) -> None:
    from minxin.watch.geo import Point, inverse

    fire = Point(42.47, 117.30)
    b1 = inverse(Point(watch.tower.lat, watch.tower.lon), fire)[1]
    b2 = inverse(Point(watch.tower2.lat, watch.tower2.lon), fire)[1]
    headers = token_for(watch.lena)
    post_json(
        client,
        f"/api/v1/posts/{watch.tower.public_id}/check-ins",
        {"status": "fire", "bearing_deg": b1},
        headers,
    )
    post_json(
        client,
        f"/api/v1/posts/{watch.tower2.public_id}/check-ins",
        {"status": "fire", "bearing_deg": b2},
        headers,
    )
    incidents = client.get("/api/v1/fire-incidents", **token_for(watch.carl)).json()
    assert len(incidents) == 1
    (incident,) = incidents
    assert incident["method"] == "intersection"
    assert len(incident["reports"]) == 2
    assert inverse(Point(incident["lat"], incident["lon"]), fire)[0] < 100
    assert incident["uncertainty_m"] > 0


def test_the_command_centre_acknowledges_a_fire_once(client, watch, token_for) -> None:
    headers = token_for(watch.lena)
    body = {"status": "fire", "bearing_deg": 45, "distance_km": 8}
    post_json(client, f"/api/v1/posts/{watch.tower.public_id}/check-ins", body, headers)
    (incident,) = client.get("/api/v1/fire-incidents", **token_for(watch.carl)).json()
    assert incident["method"] == "bearing_distance"
    path = f"/api/v1/fire-incidents/{incident['id']}/acknowledge"
    first = client.post(path, **token_for(watch.carl))
    assert first.status_code == 200
    assert first.json()["acknowledged_by"] == "Carl"
    assert first.json()["ack_seconds"] == 0
    assert client.post(path, **token_for(watch.carl)).status_code == 409


def test_the_board_answers_with_posts_and_fires(client, watch, token_for) -> None:
    data = client.get("/api/v1/watch/board", **token_for(watch.carl)).json()
    assert [p["name"] for p in data["posts"]] == ["亮兵台望海楼", "大光顶子山望海楼"]
    assert data["incidents"] == []


def test_the_board_refuses_people_without_a_watch_role(client, cast, watch, token_for) -> None:
    response = client.get("/api/v1/watch/board", **token_for(cast.bob))
    assert response.status_code == 403


def test_the_command_centre_sets_a_danger_level_for_its_region(client, watch, token_for) -> None:
    body = {
        "region": "130800",
        "level": 5,
        "starts_at": "2026-04-15T02:00:00Z",
        "ends_at": "2026-04-15T12:00:00Z",
    }
    response = post_json(client, "/api/v1/danger-levels", body, token_for(watch.carl))
    assert response.status_code == 201
    assert response.json()["level"] == 5


def test_another_regions_command_centre_cannot_set_its_danger_level(client, watch, token_for) -> None:
    body = {
        "region": "130800",
        "level": 5,
        "starts_at": "2026-04-15T02:00:00Z",
        "ends_at": "2026-04-15T12:00:00Z",
    }
    response = post_json(client, "/api/v1/danger-levels", body, token_for(watch.olga))
    assert response.status_code == 403
