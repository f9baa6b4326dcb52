"""Demo: Langfang's project votes: the open 2017 campaign and a closed one with published results.

Built through the app's own services. `load` must be idempotent (loading twice changes nothing).

The open campaign lists 58 candidate projects in the 8 categories of Langfang's open letter (December
2016); citizens can vote on it now. The closed one ("城区小型民生项目") was voted through the same channels
(WeChat, online, paper, email, phone) by a few thousand people; its ballots are cast through
`ballot_cast` like any other, then their times are spread over the voting period (history replay), a
cluster of look-alike ballots from one network is quarantined by the officer, and the results published.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.orgs.models import Region, Unit
from minxin.orgs.services import unit_create
from minxin.voting.models import Ballot, Campaign, CampaignState
from minxin.voting.services import (
    CampaignData,
    CandidateData,
    ballot_cast,
    ballots_quarantine,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_publish,
    campaign_publish_draft,
)

OPEN_TITLE = "廊坊市2017年城市建设计划项目公开征求意见"
CLOSED_TITLE = "廊坊市2016年城区小型民生项目市民投票"
LANGFANG = "131000"
CENTRE = (Decimal("39.5380"), Decimal("116.6837"))  # Langfang city centre (latitude, longitude)

LETTER = """## 致全市人民的一封信

广大市民朋友们：

为进一步提升城市建设管理水平，让城市建设更好地顺应民意、惠及民生，市住房和城乡建设局拟定了2017年城市建设计划，共8大类58个候选项目。现向全市人民公开征求意见，请您选出最希望优先实施的项目。

## 参与方式
- 微信公众号“廊坊住建”在线投票
- 本页面手机验证后实名投票
- 电子邮件、信函、电话或传真，由工作人员代为录入

每人限投一次，可选1至5个项目。投票结束前各项目得票数不对任何人公开；投票结束后，将公布各渠道得票情况和项目排序，得票多的项目优先开工。

感谢您对城市建设的关心和支持！

廊坊市住房和城乡建设局
2016年12月"""

# The 8 categories of the letter, with the candidate projects of each: 58 in all.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "新建道路",
        (
            "永兴路南延工程",
            "建设南路打通工程",
            "光明西道西延工程",
            "创业路北延工程",
            "华祥路新建工程",
            "裕华道东延工程",
            "常甫路新建工程",
            "北凤道打通工程",
            "祥云道新建工程",
            "商务道北延工程",
        ),
    ),
    (
        "道路整修",
        (
            "新华路大修工程",
            "和平路罩面工程",
            "银河北路整修工程",
            "解放道人行道改造",
            "爱民道路面修复",
            "金光道整修工程",
            "新开路大修工程",
            "东安路整修工程",
            "西昌路人行道改造",
        ),
    ),
    (
        "污水治理",
        (
            "龙河截污管网工程",
            "城南污水处理厂提标改造",
            "老城区雨污分流改造",
            "大皮营污水管网工程",
            "广阳道污水管网改造",
            "北旺乡污水收集工程",
            "第二污水处理厂扩建",
        ),
    ),
    (
        "路灯照明",
        (
            "艺术大道路灯工程",
            "和平路路灯更新",
            "新开路路灯节能改造",
            "城区背街小巷亮化工程",
            "永兴路路灯工程",
            "光明道路灯更新",
        ),
    ),
    (
        "生态廊道和公园",
        (
            "自然公园建设工程",
            "龙河生态廊道工程",
            "文化艺术公园提升",
            "劳动公园改造工程",
            "环城水系生态廊道",
            "人民公园改造工程",
            "植物园二期工程",
            "孔雀大道生态廊道",
        ),
    ),
    (
        "景观提升和海绵城市",
        (
            "新华路景观提升工程",
            "海绵城市示范区建设",
            "广阳道节点景观改造",
            "和平路绿道工程",
            "银河路透水铺装改造",
            "火车站广场景观提升",
        ),
    ),
    (
        "公共绿化",
        (
            "主干道行道树补植",
            "街头游园建设（10处）",
            "小区周边绿化改造",
            "学校周边绿化提升",
            "城市出入口绿化工程",
            "龙河两岸绿化",
            "铁路沿线绿化工程",
        ),
    ),
    (
        "环境卫生",
        (
            "公厕新建改造（30座）",
            "垃圾转运站改造",
            "环卫作业车辆更新",
            "餐厨垃圾处理设施",
            "城中村垃圾治理",
        ),
    ),
)


DESCRIPTIONS = {
    "新建道路": "打通断头路，完善城区路网，缓解交通拥堵。",
    "道路整修": "修复破损路面和人行道，提升通行安全。",
    "污水治理": "完善污水收集管网，改善河道水质。",
    "路灯照明": "新建或更换节能路灯，照亮夜间出行。",
    "生态廊道和公园": "建设公园绿地和生态廊道，增加休闲空间。",
    "景观提升和海绵城市": "提升街景并建设透水铺装、雨水花园等海绵设施。",
    "公共绿化": "补植行道树、建设街头游园，增加城市绿量。",
    "环境卫生": "新建改造公厕和垃圾收运设施，改善市容环境。",
}


def _langfang() -> tuple[Region, Unit | None, User | None]:
    region = Region.objects.get(code=LANGFANG)
    unit = Unit.objects.filter(region=region, name="廊坊市住房和城乡建设局").first() or unit_create(
        name="廊坊市住房和城乡建设局", kind="organ", flag_category="administration", region=region
    )
    return region, unit, User.objects.filter(username="campaign").first()


def _candidates(rng: random.Random, *, every: int = 1) -> list[CandidateData]:
    found = []
    number = 0
    for category, names in CATEGORIES:
        for name in names:
            number += 1
            if number % every:
                continue
            cost = Decimal(rng.choice([300, 500, 800, 1200, 1800, 2500, 3500, 5000]) * 10_000)
            found.append(
                CandidateData(
                    name=name,
                    category=category,
                    cost=cost,
                    description=DESCRIPTIONS[category],
                    location="廊坊市" + rng.choice(["安次区", "广阳区", "开发区"]),
                    latitude=CENTRE[0] + Decimal(rng.uniform(-0.06, 0.06)).quantize(Decimal("0.000001")),
                    longitude=CENTRE[1] + Decimal(rng.uniform(-0.08, 0.08)).quantize(Decimal("0.000001")),
                )
            )
    return found


def _id_number(n: int) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    county = ("131002", "131003", "131022")[n % 3]
    body = f"{county}{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _open_campaign(today: dt.date) -> Campaign:
    region, unit, officer = _langfang()
    zone = ZoneInfo("Asia/Shanghai")
    opens = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(8), tzinfo=zone)
    data = CampaignData(
        title=OPEN_TITLE,
        region=region,
        unit=unit,
        letter=LETTER,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=33),
        candidates=_candidates(random.Random(2017)),  # noqa: S311 - demo data, not secrets
        min_choices=1,
        max_choices=5,
        result_rule="ranking",
        budget=Decimal("300000000"),
        eligibility="region",
        eligible_count=1_200_000,
    )
    actor = officer or User.objects.filter(is_superuser=True).first()
    assert actor is not None, "the city's logins come first"
    campaign = campaign_create(data=data, actor=actor)
    campaign_publish_draft(campaign=campaign, actor=actor)
    return campaign_open(campaign=campaign, actor=actor)


def _closed_campaign(today: dt.date, voters: int) -> tuple[Campaign, int]:
    region, unit, officer = _langfang()
    actor = officer or User.objects.filter(is_superuser=True).first()
    assert actor is not None
    rng = random.Random(2016)  # noqa: S311 - demo data, not secrets
    now = clock.now()
    data = CampaignData(
        title=CLOSED_TITLE,
        region=region,
        unit=unit,
        letter=(
            "## 致市民的一封信\n\n2016年城区小型民生项目由市民投票决定，每人可选1至3项。"
            "预算1亿元，按“等额分摊法”（Method of Equal Shares）确定实施项目。"
        ),
        opens_at=now - dt.timedelta(days=40),
        closes_at=now + dt.timedelta(hours=1),
        candidates=_candidates(rng, every=2),
        min_choices=1,
        max_choices=3,
        result_rule="equal_shares",
        budget=Decimal("100000000"),
        completion_step=Decimal("100"),
        eligibility="region",
        eligible_count=1_200_000,
    )
    campaign = campaign_create(data=data, actor=actor)
    campaign = campaign_open(campaign=campaign, actor=actor)
    _cast_all(campaign, len(data.candidates), voters=voters, actor=actor, rng=rng)
    _replay_times(campaign)
    campaign = campaign_close(campaign=campaign, actor=actor)
    ballots_quarantine(
        campaign=campaign,
        cluster="network:172.16.5.0/24",
        reason="同一网络两分钟内40张相同选票，待核实",
        actor=actor,
    )
    return campaign_publish(campaign=campaign, actor=actor), voters + 40


def _cast_all(campaign: Campaign, candidates: int, *, voters: int, actor: User, rng: random.Random) -> None:
    """`voters` ballots over the channels, the popular projects picked more, then a burst from one network."""
    numbers = list(range(1, candidates + 1))
    popularity = [1 / (i + 1) ** 0.7 for i in range(len(numbers))]
    rng.shuffle(popularity)
    channels = ["wechat"] * 55 + ["web"] * 20 + ["paper"] * 12 + ["email"] * 6 + ["phone"] * 7
    with transaction.atomic():  # one commit for the lot (SQLite: one fsync instead of thousands)
        for person in range(voters):
            picked: set[int] = set()
            want = rng.randint(1, 3)
            while len(picked) < want:
                picked.add(rng.choices(numbers, weights=popularity)[0])
            channel = rng.choice(channels)
            _cast(
                campaign, sorted(picked), channel, person, actor, f"10.{person % 200}.{person // 200 % 250}.7"
            )
        # A burst of look-alike ballots from one network: what the after-close audit is for.
        for person in range(voters, voters + 40):
            _cast(campaign, [1, 2], "web", person, actor, "172.16.5.9")


def _replay_times(campaign: Campaign) -> None:
    """History replay: spread the ballots over the voting period, the burst within two minutes."""
    opened = campaign.opens_at
    with transaction.atomic():
        for index, ballot_id in enumerate(
            Ballot.objects.filter(campaign=campaign).values_list("id", flat=True)
        ):
            spread = opened + dt.timedelta(seconds=(index * 997) % (30 * 86400))
            Ballot.objects.filter(pk=ballot_id).update(cast_at=spread)
        burst = opened + dt.timedelta(days=12, hours=2)
        Ballot.objects.filter(campaign=campaign, ip_prefix="172.16.5.0/24").update(cast_at=burst)
        Campaign.objects.filter(pk=campaign.pk).update(closes_at=opened + dt.timedelta(days=30))


def _cast(campaign: Campaign, choices: list[int], channel: str, person: int, actor: User, ip: str) -> None:
    id_number = _id_number(person)
    phone = f"139{person:08d}"
    try:
        if channel == "web":
            ballot_cast(
                campaign=campaign,
                choices=choices,
                channel="web",
                id_number=id_number,
                phone_hash=personal.keyed_hash(phone, purpose="phone"),
                ip=ip,
                device=f"demo-device-{person}" if ip != "172.16.5.9" else "demo-burst",
            )
        else:
            ballot_cast(
                campaign=campaign,
                choices=choices,
                channel=channel,
                id_number=id_number,
                phone=phone if channel == "phone" else None,
                external_id=f"oLF{person:07d}" if channel == "wechat" else "",
                entered_by=actor,
            )
    except Conflict:
        pass


def load(*, today: dt.date, voters: int = 3000) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    if Campaign.objects.filter(title=OPEN_TITLE).exists():
        return "voting: already loaded"
    opened = _open_campaign(today)
    closed, ballots = _closed_campaign(today, voters)
    assert opened.state == CampaignState.VOTING
    assert closed.state == CampaignState.RESULTS
    projects = opened.candidates.count()
    return f"voting: {OPEN_TITLE} open ({projects} projects); {CLOSED_TITLE}: {ballots} ballots, published"
