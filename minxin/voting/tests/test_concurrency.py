"""Real processes and threads against the real database (SQLite and PostgreSQL): one ballot per person
whatever the channel, and every accepted receipt counted once."""

from __future__ import annotations

import pytest
import time_machine

from minxin.core.tests.procs import run_workers
from minxin.voting.models import Ballot, BallotIdentifier
from minxin.voting.services import campaign_close
from minxin.voting.tally import results_for
from minxin.voting.tests.conftest import AFTER, DURING, id_number

pytestmark = [pytest.mark.django_db(transaction=True)]

PRELUDE = (
    "import time_machine\n"
    f"time_machine.travel('{DURING.isoformat()}', tick=True).start()\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "from django.db import connection\n"
    "from minxin.accounts.models import User\n"
    "from minxin.core.errors import Conflict\n"
    "from minxin.voting.models import Campaign\n"
    "from minxin.voting.services import ballot_cast\n"
    "from minxin.voting.tests.conftest import id_number\n"
    "olga = User.objects.get(username='olga')\n"
    "campaign = Campaign.objects.get()\n"
    "worker = int(sys.argv[1])\n"
)


def test_the_same_voter_8_times_at_once_on_different_channels_gets_one_ballot(open_campaign) -> None:
    code = PRELUDE + (
        "channels = ['paper', 'email', 'phone', 'wechat']\n"
        "def cast(n):\n"
        "    try:\n"
        "        channel = channels[n]\n"
        "        extra = {'external_id': f'oWx-{worker}-{n}'} if channel == 'wechat' else {}\n"
        "        ballot_cast(campaign=campaign, choices=[1], channel=channel, id_number=id_number(42),\n"
        "                    phone='13900000042' if n % 2 else None, entered_by=olga, **extra)\n"
        "        return 'ok'\n"
        "    except Conflict as error:\n"
        "        return error.code\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(json.dumps(list(pool.map(cast, range(4)))))\n"
    )
    outcomes = [o for chunk in run_workers(code, processes=2) for o in chunk]  # type: ignore[attr-defined]
    assert sorted(outcomes) == ["already_voted"] * 7 + ["ok"]
    assert Ballot.objects.count() == 1
    assert BallotIdentifier.objects.filter(kind="id_number").count() == 1


def test_totals_equal_the_accepted_receipts_under_parallel_load(open_campaign) -> None:
    # 4 processes × 4 threads; each person (id n) is tried twice, from two different processes.
    code = PRELUDE + (
        "def cast(n):\n"
        "    person = (worker * 16 + n) % 32\n"
        "    try:\n"
        "        cast = ballot_cast(campaign=campaign, choices=[1 + person % 4, 1 + (person + 1) % 4],\n"
        "                           channel='paper', id_number=id_number(person), entered_by=olga)\n"
        "        return cast.receipt\n"
        "    except Conflict:\n"
        "        return None\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(json.dumps(list(pool.map(cast, range(16)))))\n"
    )
    receipts = [r for chunk in run_workers(code, processes=4) for r in chunk if r]  # type: ignore[attr-defined]
    assert len(receipts) == 32 == len(set(receipts))
    assert set(Ballot.objects.values_list("receipt", flat=True)) == set(receipts)
    with time_machine.travel(AFTER, tick=False):
        campaign = campaign_close(campaign=open_campaign.campaign, actor=open_campaign.olga)
        data = results_for(campaign=campaign)
    assert data["participants"] == 32
    assert sum(row["votes"] for row in data["ranking"]) == 64
    assert id_number(0)  # the cast's people were real ID numbers
