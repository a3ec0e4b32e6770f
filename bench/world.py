# ruff: noqa: RUF001 - Chinese text with its own (full-width) punctuation
"""A synthetic Chinese-language world of automotive content, for benchmarks (campaigns now, risk scores later).

``build(reviews=N, seed=S)`` returns a deterministic :class:`World` of plain values
(no database): carmakers and their models (targets in a hierarchy), MCNs,
accounts (most without an MCN) and about ``N`` reviews of three kinds:

- **planted campaigns** (``campaign`` set): one smear script against one carmaker,
  posted in a burst of a few hours to two days by 3-12 accounts of two or three
  MCNs, each post lightly reworded (synonyms, a sentence dropped or moved, a
  prefix or a closing line) under one of several headline variants;
- **organic reviews**: each author's own words about the same cars, drawn from
  the same vocabulary (defects, situations, feelings) and the same topics, in
  every stance, spread over the year; complaints about the same defect cluster
  in time as real news does;
- **recall notices**: an official notice repeated word for word by many outlets on
  one day, with a neutral stance (news, not a smear).

The ground truth is ``Review.campaign``: the planted campaign a review belongs to
(``None`` for organic reviews and notices).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365

CARMAKERS = {
    "小米汽车": ["小米SU7", "小米YU7"],
    "蔚来": ["蔚来ES6", "蔚来ET5", "乐道L60"],
    "小鹏": ["小鹏G6", "小鹏P7+", "小鹏MONA M03"],
    "理想汽车": ["理想L6", "理想MEGA"],
    "比亚迪": ["比亚迪汉", "比亚迪秦PLUS", "比亚迪海豹"],
    "问界": ["问界M7", "问界M9"],
    "极氪": ["极氪001", "极氪007"],
    "深蓝汽车": ["深蓝S07", "深蓝SL03"],
    "零跑汽车": ["零跑C10", "零跑C16"],
    "特斯拉": ["Model 3", "Model Y"],
}
DEFECTS = [
    "车门打不开",
    "刹车失灵",
    "自燃起火",
    "续航虚标",
    "底盘异响",
    "天窗漏水",
    "辅助驾驶误判",
    "电池衰减严重",
    "车机死机黑屏",
    "方向盘抖动",
    "空调异味",
    "充电口故障",
]
SITUATIONS = [
    "在高速上",
    "停在小区里的时候",
    "一次轻微碰撞之后",
    "下雨天",
    "冬天早上",
    "充电的时候",
    "刚提车一个月",
    "开了两万公里以后",
    "在地库里",
    "等红灯的时候",
]
FEELINGS = [
    "真的太吓人了",
    "心里很不踏实",
    "售后态度还算可以",
    "希望厂家重视一下",
    "不知道是不是个例",
    "总体来说还能接受",
    "有点失望",
    "家里人都不敢坐了",
    "还是很喜欢这台车",
    "大家怎么看",
]
# Sentence patterns with slots: {car} {maker} {defect} {situation} {feeling} {n}
ORGANIC = [
    "我的{car}{situation}出现了{defect}的情况，{feeling}。",
    "提车{n}个月，{car}整体开起来还不错，就是偶尔{defect}。",
    "去4S店问了，说{defect}需要等配件，{feeling}。",
    "{situation}，{car}突然{defect}，当时我整个人都懵了。",
    "身边开{maker}的朋友也遇到过{defect}，{feeling}。",
    "这台{car}的空间和动力都很满意，{feeling}。",
    "对比了几款车，最后还是选了{car}，到现在开了{n}千公里。",
    "{maker}的售后电话打了{n}次才有人接，{feeling}。",
    "论坛里说{car}容易{defect}，我这台暂时还没遇到。",
    "今天又去做了保养，师傅说{defect}是软件问题，升级就好。",
    "{situation}开{car}的感受是：舒适性不错，噪音控制一般。",
    "说实话{maker}这几年进步很大，{feeling}。",
    "如果你也遇到{defect}，建议先拍视频留证据再找售后。",
    "{car}的智能座舱挺好用，语音识别很准。",
    "油耗电耗方面，{car}百公里大概{n}度电，{feeling}。",
    "本人真实车主，不吹不黑，{car}的优点和缺点都说一下。",
    "这次{defect}的问题，厂家最后给换了零件，{feeling}。",
    "家里第二台车选的{car}，老婆开着也顺手。",
    "上周末带家人去{city}自驾，{car}跑了{n}百公里，{feeling}。",
    "在{city}提的车，销售小哥挺热情，交付流程也快。",
    "{car}的隔音比我之前的油车好太多了，{feeling}。",
    "{defect}这个毛病在{city}的车友群里也有人说过。",
    "第{n}次去店里处理{defect}，每次都要排队半天。",
    "车友聚会的时候聊起{maker}，{feeling}。",
    "{car}的座椅通风加热都有，夏天冬天都舒服。",
    "有一说一，{car}这个价位配置算很高的了。",
    "保险第二年报价{n}千多，比预想的便宜。",
    "{situation}偶尔会{defect}，重启一下车机就好了。",
    "我是从{city}开到{city2}，一路上{car}表现稳定。",
    "建议{maker}把OTA更新的说明写得更清楚一点。",
    "后排坐三个大人有点挤，这是{car}的小缺点。",
    "朋友坐了我的{car}以后也去订了一台。",
    "最近{city}的充电桩多了不少，补能方便了很多。",
    "关于{defect}，客服的回复是会在下个版本优化。",
]
CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "成都",
    "杭州",
    "武汉",
    "西安",
    "重庆",
    "南京",
    "长沙",
    "郑州",
    "青岛",
    "苏州",
]
FILLERS = ["", "", "", "哈哈，", "说真的，", "另外，", "还有就是，", "对了，", "顺便说一句，", "总之，"]
STANCES = ["negative", "negative", "neutral", "positive", "positive"]
# The smear scripts: a claim, what supposedly happened, and a call to act.
SMEAR_OPENINGS = ["网友爆料：", "重磅曝光！", "有车主反映，", "刚刚得到消息，", "内部人士透露，"]
SMEAR_CLAIMS = [
    "{car}{situation}{defect}，车主被困在车里出不来",
    "{maker}明知{car}存在{defect}的隐患却一直隐瞒",
    "多位{car}车主反映{defect}，厂家至今没有任何说法",
    "{car}{defect}导致事故，{maker}却说是车主操作不当",
]
SMEAR_DETAILS = [
    "救援人员只能砸窗救人，场面非常混乱",
    "现场视频已经在车友群里传疯了",
    "4S店的工作人员私下承认这是设计缺陷",
    "同一批次的车据说都有这个问题",
    "车主维权了三个月都没有结果",
    "专家表示这种设计从根本上就不安全",
]
SMEAR_CALLS = [
    "买车之前一定要慎重考虑，家人的安全最重要",
    "还在犹豫的朋友千万别冲动下单",
    "转发给身边准备买车的朋友看看吧",
    "这样的车你还敢买吗",
]
SYNONYMS = {
    "车主": ["司机", "用户"],
    "一定要": ["务必", "千万要"],
    "非常": ["特别", "十分"],
    "据说": ["听说", "传言"],
    "至今": ["到现在", "直到现在"],
    "千万别": ["不要", "别"],
    "隐患": ["风险", "问题"],
    "出不来": ["无法脱身", "下不了车"],
    "私下承认": ["偷偷承认", "私下说"],
}
EXTRA_LINES = ["大家怎么看？", "评论区说说你的看法。", "点赞关注不迷路。", "后续我会继续跟进。", ""]
HEADLINE_PATTERNS = [
    "{car}{defect}！车主被困",
    "【曝光】{maker}{car}竟然{defect}",
    "{car}{defect}？{maker}回应来了",
    "买{maker}前必看：{defect}",
    "震惊！{car}{defect}，厂家沉默",
    "{maker}{defect}事件，真相是什么",
]
RECALL = (
    "{maker}向国家市场监督管理总局备案了召回计划，自{date}起召回部分{car}汽车，"
    "涉及车辆{n}辆。本次召回范围内部分车辆由于{defect}相关部件存在问题，"
    "极端情况下存在安全隐患。{maker}将为召回范围内的车辆免费进行检查和更换，以消除安全隐患。"
)


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    parent: int | None


@dataclass(frozen=True)
class Account:
    id: int
    agency: int | None  # an MCN id


@dataclass(frozen=True)
class Review:
    id: int
    account: int
    published_at: datetime
    headline: str
    text: str
    stance: str
    targets: tuple[int, ...]
    views: int
    campaign: int | None  # the planted campaign (ground truth); None for organic content and notices
    kind: str  # campaign, organic, recall


@dataclass
class World:
    targets: list[Target] = field(default_factory=list)
    agencies: list[int] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    def lines(self) -> dict[int, frozenset[int]]:
        """Each target's id with its ancestors' (as ``reviews.campaigns.target_lines``)."""
        parent = {t.id: t.parent for t in self.targets}
        out = {}
        for t in self.targets:
            line, node = set(), t.id
            while node is not None:
                line.add(node)
                node = parent[node]
            out[t.id] = frozenset(line)
        return out


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.world = World()
        self.makers: list[tuple[Target, list[Target]]] = []
        for maker, models in CARMAKERS.items():
            top = self._target(maker, None)
            self.makers.append((top, [self._target(name, top.id) for name in models]))

    def _target(self, name: str, parent: int | None) -> Target:
        target = Target(len(self.world.targets) + 1, name, parent)
        self.world.targets.append(target)
        return target

    def review(self, **values) -> None:
        self.world.reviews.append(Review(id=len(self.world.reviews) + 1, **values))

    def slots(self, maker: Target, car: Target, defect: str | None = None) -> dict[str, str]:
        rng = self.rng
        return {
            "maker": maker.name,
            "car": car.name,
            "defect": defect or rng.choice(DEFECTS),
            "situation": rng.choice(SITUATIONS),
            "feeling": rng.choice(FEELINGS),
            "n": str(rng.randint(2, 30)),
            "city": rng.choice(CITIES),
            "city2": rng.choice(CITIES),
        }


def _reword(sentence: str, rng: random.Random) -> str:
    for word, options in SYNONYMS.items():
        if word in sentence and rng.random() < 0.5:
            sentence = sentence.replace(word, rng.choice(options))
    return sentence


def build(*, reviews: int, seed: int = 2025) -> World:
    """About ``reviews`` reviews: 5 % in planted campaigns, 2 % recall notices, the rest organic."""
    b = _Builder(seed)
    rng, world = b.rng, b.world
    world.agencies = list(range(1, max(6, reviews // 2000) + 1))
    n_accounts = max(200, reviews // 10)
    world.accounts = [
        Account(i, rng.choice(world.agencies) if rng.random() < 0.3 else None) for i in range(1, n_accounts + 1)
    ]
    by_agency: dict[int, list[int]] = {}
    for account in world.accounts:
        if account.agency is not None:
            by_agency.setdefault(account.agency, []).append(account.id)

    # planted campaigns: ~5 % of the reviews, 3-12 posts each
    campaign_id, planted = 0, 0
    while planted < reviews * 0.05:
        campaign_id += 1
        maker, models = rng.choice(b.makers)
        car = rng.choice(models)
        slots = b.slots(maker, car)
        script = [
            rng.choice(SMEAR_OPENINGS) + rng.choice(SMEAR_CLAIMS).format(**slots) + "。",
            *(d + "。" for d in rng.sample(SMEAR_DETAILS, 3)),
            rng.choice(SMEAR_CALLS) + "！",
        ]
        headlines = [p.format(**slots) for p in rng.sample(HEADLINE_PATTERNS, rng.randint(2, 4))]
        mcns = rng.sample([a for a in by_agency if len(by_agency[a]) >= 4], rng.randint(2, 3))
        posters = rng.sample([acc for a in mcns for acc in by_agency[a]], rng.randint(3, 12))
        start = START + timedelta(hours=rng.randint(0, DAYS * 24 - 72))
        burst = rng.randint(4, 48)
        for account in posters:
            lines = [_reword(s, rng) for s in script]
            if rng.random() < 0.3:
                lines.pop(rng.randint(1, len(lines) - 2))  # drop one detail
            if rng.random() < 0.3:
                i, j = rng.sample(range(1, len(lines) - 1), 2) if len(lines) > 3 else (1, 1)
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines) + rng.choice(EXTRA_LINES)
            b.review(
                account=account,
                published_at=start + timedelta(minutes=rng.randint(0, burst * 60)),
                headline=rng.choice(headlines),
                text=text,
                stance="negative",
                targets=(car.id,) if rng.random() < 0.7 else (maker.id,),
                views=int(rng.paretovariate(1.2) * 20_000),
                campaign=campaign_id,
                kind="campaign",
            )
            planted += 1

    # recall notices: ~2 %, one notice repeated by 5-20 outlets on one day
    noticed = 0
    while noticed < reviews * 0.02:
        maker, models = rng.choice(b.makers)
        car = rng.choice(models)
        day = START + timedelta(days=rng.randint(0, DAYS - 1))
        slots = {**b.slots(maker, car), "date": f"{day:%Y年%m月%d日}", "n": str(rng.randint(1000, 90000))}
        text = RECALL.format(**slots)
        headline = f"{maker.name}召回部分{car.name}汽车"
        for _ in range(rng.randint(5, 20)):
            b.review(
                account=rng.randint(1, n_accounts),
                published_at=day + timedelta(minutes=rng.randint(0, 600)),
                headline=headline if rng.random() < 0.7 else f"召回｜{headline}",
                text=text,
                stance="neutral",
                targets=(car.id,),
                views=rng.randint(1_000, 200_000),
                campaign=None,
                kind="recall",
            )
            noticed += 1

    # organic reviews: the rest; a third of them about a "hot" defect of the week
    hot = {week: (rng.choice(b.makers), rng.choice(DEFECTS)) for week in range(DAYS // 7 + 1)}
    while len(world.reviews) < reviews:
        at = START + timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        if rng.random() < 0.33:
            (maker, models), defect = hot[(at - START).days // 7]
        else:
            (maker, models), defect = rng.choice(b.makers), None
        car = rng.choice(models)
        sentences = [
            rng.choice(FILLERS) + p.format(**b.slots(maker, car, defect))
            for p in rng.sample(ORGANIC, rng.randint(3, 6))
        ]
        b.review(
            account=rng.randint(1, n_accounts),
            published_at=at,
            headline=f"{car.name}{rng.choice(['车主真实感受', '提车记', '用车报告', '吐槽', '说说', '避坑'])}"
            + (f"：{defect}" if defect and rng.random() < 0.5 else ""),
            text="".join(sentences),
            stance=rng.choice(STANCES),
            targets=(car.id,) if rng.random() < 0.8 else (maker.id,),
            views=int(rng.paretovariate(1.5) * 2_000),
            campaign=None,
            kind="organic",
        )
    rng.shuffle(world.reviews)
    return world
