"""The pages as a citizen and an officer use them (server-rendered; the browser tests click through)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from minxin.voting.models import Ballot
from minxin.voting.services import ballot_cast, campaign_close
from minxin.voting.tests.conftest import AFTER, DURING, id_number

pytestmark = [pytest.mark.django_db]


def page(campaign: Any, tail: str = "") -> str:
    return f"/voting/{campaign.public_id}/{tail}"


def test_the_campaign_page_shows_the_letter_candidates_rule_and_phone_check(client, open_campaign) -> None:
    with time_machine.travel(DURING):
        html = client.get(page(open_campaign.campaign)).content.decode()
    assert "请选择您最希望优先开工的项目" in html
    assert "人民公园改造" in html
    assert 'data-min="1" data-max="2"' in html
    assert 'name="phone"' in html  # not verified yet: the phone check comes first


def test_a_citizen_verifies_votes_and_reads_the_receipt_on_the_pages(
    client, open_campaign, sms_outbox
) -> None:
    campaign = open_campaign.campaign
    with time_machine.travel(DURING, tick=True):
        client.post(page(campaign, "verify/"), {"step": "phone", "phone": "13800000009"})
        code = "".join(ch for ch in sms_outbox[-1].text if ch.isdigit())[:6]
        client.post(page(campaign, "verify/"), {"step": "code", "phone": "13800000009", "code": code})
        response = client.post(page(campaign, "vote/"), {"choice": ["2", "4"], "id_number": id_number(9)})
        assert response.status_code == 302
        receipt = client.get(page(campaign, "receipt/")).content.decode()
    assert "新华路新建" in receipt
    assert "光明道污水管网" in receipt
    code = Ballot.objects.get().receipt
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in receipt


def test_a_ballot_breaking_the_rule_is_shown_back_with_the_choices_kept(
    client, open_campaign, sms_outbox
) -> None:
    from minxin.voting.tests.conftest import sign_in

    with time_machine.travel(DURING, tick=True):
        sign_in(client, sms_outbox, "13800000010")
        response = client.post(
            page(open_campaign.campaign, "vote/"), {"choice": ["1", "2", "3"], "id_number": id_number(10)}
        )
    assert response.status_code == 422
    assert 'value="3" data-cost="1000000.00" checked' in response.content.decode()
    assert not Ballot.objects.exists()


def test_results_stay_hidden_until_close_then_show_with_exports(client, open_campaign) -> None:
    campaign = open_campaign.campaign
    with time_machine.travel(DURING):
        for n in range(3):
            ballot_cast(
                campaign=campaign,
                choices=[1, 3],
                channel="paper",
                id_number=id_number(n),
                entered_by=open_campaign.olga,
            )
        hidden = client.get(page(campaign, "results/")).content.decode()
        assert "data-participants" not in hidden
        assert client.get(page(campaign, "results.csv")).status_code == 404
    with time_machine.travel(AFTER):
        campaign_close(campaign=campaign, actor=open_campaign.olga)
        shown = client.get(page(campaign, "results/")).content.decode()
        csv = client.get(page(campaign, "results.csv")).content.decode()
        pb = b"".join(client.get(page(campaign, "results.pb")).streaming_content).decode()  # type: ignore[attr-defined]
    assert "<dd data-participants>3</dd>" in shown
    assert csv.splitlines()[1].startswith("1,3,和平路路灯")  # tied at 3 votes with 1: the lower cost first
    assert "vote_type;approval" in pb
    assert "rule;equalshares/add1" in pb
    assert pb.strip().splitlines()[-1].split(";")[1] == "1,3"


def test_offline_entry_records_a_ballot_and_returns_an_empty_form(client, open_campaign) -> None:
    with time_machine.travel(DURING):
        client.force_login(open_campaign.olga)
        response = client.post(
            f"/staff/voting/{open_campaign.campaign.public_id}/entry/",
            {"channel": "email", "id_number": id_number(5), "choices": "2 4", "idempotency_key": "form-1"},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-last-receipt" in html
    assert 'name="id_number" required maxlength="18" autocomplete="off" value=""' in html
    assert Ballot.objects.get().channel == "email"


def test_an_officer_of_another_region_gets_404_on_the_desk_pages(client, open_campaign) -> None:
    client.force_login(open_campaign.sam)
    for tail in ("", "entry/", "audit/", "edit/"):
        assert client.get(f"/staff/voting/{open_campaign.campaign.public_id}/{tail}").status_code == 404


def test_the_officer_opens_closes_and_publishes_from_the_campaign_page(client, voting) -> None:
    path = f"/staff/voting/{voting.campaign.public_id}/"
    with time_machine.travel(DURING):
        client.force_login(voting.olga)
        client.post(path, {"action": "open"})
    with time_machine.travel(AFTER):
        client.force_login(voting.olga)  # a staff session lasts hours, not days
        client.post(path, {"action": "close"})
        client.post(path, {"action": "publish"})
        html = client.get(path).content.decode()
    voting.campaign.refresh_from_db()
    assert voting.campaign.state == "results"
    assert "voting.campaign" not in html  # history lists kinds, not audit action names
