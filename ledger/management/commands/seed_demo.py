"""Load a small, realistic demo ledger built from public facts (shared/domain.md).

Every name below is invented for the demo. Running the command twice leaves
the same data: rows are matched on natural keys and snapshots on their instant.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext
from knox.models import AuthToken

from core.identifiers import uscc_check_character
from core.registry import app_modules
from ledger.choices import AccountStatus, AgencyKind, InfluencerKind, Platform, SnapshotSource
from ledger.management.base import JournaledCommand
from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount
from ledger.services import account_followers_resync, anomalies_scan

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The investigated blogger's quotes were observed on 2025-09-12; the history ends that day.
HISTORY_END = date(2025, 9, 12)
HISTORY_DAYS = 365


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


AGENCIES = [
    # name, kind, first 17 characters of a made-up USCC
    ("Xingchi Media MCN (星驰传媒)", AgencyKind.MCN, "91310000MA1K4XC20"),
    ("Bluewhale PR (蓝鲸公关)", AgencyKind.PR_AGENCY, "91440300MA5G8BW31"),
    ("Chequan Brokers (车圈经纪)", AgencyKind.BROKER, "91110105MA01QCJ42"),
]


@dataclass(frozen=True)
class DemoAccount:
    platform: str
    handle: str
    uid: str
    followers: int  # on HISTORY_END
    history: bool = False  # a year of daily snapshots
    spike_day: int | None = None  # days before HISTORY_END when bought followers arrived
    status: str = AccountStatus.ACTIVE


@dataclass(frozen=True)
class DemoInfluencer:
    display_name: str
    kind: str
    legal_name: str
    agency: str | None
    notes: str
    accounts: tuple[DemoAccount, ...]


INFLUENCERS = [
    DemoInfluencer(
        "Lao K on Cars (老K说车)",
        InfluencerKind.PERSON,
        "王建国",
        AGENCIES[0][0],
        "Automotive blogger with 600,000 Douyin followers; quoted 18,000 / 26,000 / 38,000 CNY per video "
        "for 1-20 s / 21-60 s / over 60 s (press report, 2025-09-12).",
        (
            DemoAccount(Platform.DOUYIN, "laok_shuoche", "dy_60000001", 600_000, history=True),
            DemoAccount(Platform.KUAISHOU, "laok_cars", "ks_3000217", 142_000, history=True),
            DemoAccount(Platform.WEIBO, "老K说车", "wb_5561239", 38_500),
        ),
    ),
    DemoInfluencer(
        "Speed Sister (飙车小妹)",
        InfluencerKind.PERSON,
        "李晓梅",
        AGENCIES[0][0],
        "",
        (DemoAccount(Platform.DOUYIN, "biaoche_xiaomei", "dy_60000002", 1_250_000, history=True, spike_day=40),),
    ),
    DemoInfluencer(
        "EV Truth Lab (电车真相实验室)",
        InfluencerKind.ORGANISATION,
        "Shenzhen EV Truth Culture Media Co., Ltd.",
        AGENCIES[1][0],
        "",
        (
            DemoAccount(Platform.BILIBILI, "ev_truth_lab", "bl_998122", 870_000, history=True),
            DemoAccount(Platform.XIAOHONGSHU, "电车真相", "xhs_5f2a11", 95_000),
        ),
    ),
    DemoInfluencer(
        "Old Driver Zhang (老司机张哥)",
        InfluencerKind.PERSON,
        "张伟",
        AGENCIES[2][0],
        "",
        (DemoAccount(Platform.KUAISHOU, "laosiji_zhang", "ks_3000999", 2_400_000),),
    ),
    DemoInfluencer(
        "Car Gossip Daily (车圈八卦日报)",
        InfluencerKind.ORGANISATION,
        "",
        None,
        "",
        (
            DemoAccount(Platform.TOUTIAO, "chequan_bagua", "tt_77120", 430_000),
            DemoAccount(Platform.WEIBO, "车圈八卦日报", "wb_7781002", 260_000),
        ),
    ),
    DemoInfluencer(
        "Range Anxiety Wang (续航焦虑王)",
        InfluencerKind.PERSON,
        "王磊",
        None,
        "",
        (DemoAccount(Platform.DONGCHEDI, "xuhang_wang", "dcd_410233", 310_000),),
    ),
    DemoInfluencer(
        "Mechanic Liu (修车老刘)",
        InfluencerKind.PERSON,
        "刘强",
        AGENCIES[0][0],
        "",
        (DemoAccount(Platform.DOUYIN, "xiuche_laoliu", "dy_60000003", 88_000),),
    ),
    DemoInfluencer(
        "Autohome Reviewer Chen (汽车之家陈工)",
        InfluencerKind.PERSON,
        "陈静",
        None,
        "",
        (DemoAccount(Platform.AUTOHOME, "chen_gong", "ah_20031", 57_000),),
    ),
    DemoInfluencer(
        "Yiche Insider (易车内幕)",
        InfluencerKind.ORGANISATION,
        "",
        AGENCIES[1][0],
        "",
        (DemoAccount(Platform.YICHE, "yiche_neimu", "yc_66001", 120_000),),
    ),
    DemoInfluencer(
        "Night Drive Hu (夜驾胡哥)",
        InfluencerKind.PERSON,
        "胡斌",
        None,
        "Account banned during the special rectification action.",
        (DemoAccount(Platform.DOUYIN, "yejia_huge", "dy_60000004", 510_000, status=AccountStatus.BANNED),),
    ),
    DemoInfluencer(
        "Channels Car Talk (视频号聊车)",
        InfluencerKind.PERSON,
        "赵敏",
        None,
        "",
        (DemoAccount(Platform.WECHAT_CHANNELS, "liaoche_zm", "wxc_009912", 45_000),),
    ),
    DemoInfluencer(
        "New Energy Pioneer (新能源先锋)",
        InfluencerKind.PERSON,
        "孙浩",
        AGENCIES[2][0],
        "",
        (
            DemoAccount(Platform.XIAOHONGSHU, "xinnengyuan_xf", "xhs_77ab90", 330_000),
            DemoAccount(Platform.BILIBILI, "xny_pioneer", "bl_1200456", 720_000),
        ),
    ),
    DemoInfluencer(
        "Crash Test Fan (碰撞测试迷)",
        InfluencerKind.PERSON,
        "周洋",
        None,
        "",
        (DemoAccount(Platform.DOUYIN, "pengzhuang_mi", "dy_60000005", 5_600_000),),
    ),
]


def daily_series(account: DemoAccount, days: int) -> list[int]:
    """A deterministic year of daily follower counts ending exactly at ``account.followers``.

    Organic growth is a noisy geometric walk; a ``spike_day`` adds a one-day jump
    of bought followers (about 12 %) that stays.
    """
    rng = random.Random(account.uid)  # stable per account
    log_values = [0.0]
    for _ in range(days - 1):
        log_values.append(log_values[-1] + rng.gauss(0.0009, 0.002))
    values = [math.exp(v) for v in log_values]
    if account.spike_day is not None:
        spike_index = days - 1 - account.spike_day
        values = [v * (1.12 if i >= spike_index else 1.0) for i, v in enumerate(values)]
    scale = account.followers / values[-1]
    series = [round(v * scale) for v in values]
    series[-1] = account.followers
    return series


def capture_instant(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=SHANGHAI)


class Command(JournaledCommand):
    help = "Load the demo ledger (idempotent). --demo-logins also prints fresh demo credentials (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-logins",
            action="store_true",
            help="create the demo admin and analyst users with a new password and API token, and print them",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where the server answers, for the links that --demo-logins prints (make run passes HOST and PORT)",
        )

    def handle(self, *args, demo_logins: bool, base_url: str, **options) -> None:
        with transaction.atomic():
            agencies = self._agencies()
            accounts_with_history = self._influencers(agencies)
        self._history(accounts_with_history)
        # Each other app adds its part of the story from its own demo module: <app>/demo.py: seed(command).
        for module in app_modules("demo"):
            module.seed(command=self)
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Demo ledger ready: %(agencies)d agencies, %(influencers)d influencers, "
                    "%(accounts)d accounts, %(snapshots)d snapshots."
                )
                % {
                    "agencies": Agency.objects.count(),
                    "influencers": Influencer.objects.count(),
                    "accounts": PlatformAccount.objects.count(),
                    "snapshots": FollowerSnapshot.objects.count(),
                }
            )
        )
        if demo_logins:
            self._demo_logins(base_url=base_url.rstrip("/"))

    def _agencies(self) -> dict[str, Agency]:
        out = {}
        for name, kind, first17 in AGENCIES:
            agency, _ = Agency.objects.update_or_create(name=name, defaults={"kind": kind, "uscc": _uscc(first17)})
            out[name] = agency
        return out

    def _influencers(self, agencies: dict[str, Agency]) -> list[tuple[PlatformAccount, DemoAccount]]:
        with_history = []
        for spec in INFLUENCERS:
            influencer, _ = Influencer.objects.update_or_create(
                display_name=spec.display_name,
                defaults={
                    "kind": spec.kind,
                    "legal_name": spec.legal_name,
                    "agency": agencies[spec.agency] if spec.agency else None,
                    "notes": spec.notes,
                },
            )
            for acc in spec.accounts:
                account, _ = PlatformAccount.objects.update_or_create(
                    platform=acc.platform,
                    platform_uid=acc.uid,
                    defaults={
                        "influencer": influencer,
                        "handle": acc.handle,
                        "status": acc.status,
                        "profile_url": f"https://example.invalid/{acc.platform}/{acc.uid}",
                    },
                )
                with_history.append((account, acc))
        return with_history

    def _history(self, accounts: list[tuple[PlatformAccount, DemoAccount]]) -> None:
        total = len(accounts)
        for n, (account, spec) in enumerate(accounts, start=1):
            days = HISTORY_DAYS if spec.history else 1
            series = daily_series(spec, days)
            start = HISTORY_END - timedelta(days=days - 1)
            with transaction.atomic():
                existing = set(account.snapshots.values_list("captured_at", flat=True))
                rows = [
                    FollowerSnapshot(
                        account=account, captured_at=instant, follower_count=count, source=SnapshotSource.IMPORT
                    )
                    for i, count in enumerate(series)
                    if (instant := capture_instant(start + timedelta(days=i))) not in existing
                ]
                FollowerSnapshot.objects.bulk_create(rows)
                found = 0
                if rows:
                    account_followers_resync(account=account)
                    found = anomalies_scan(account=account)
            self.stdout.write(
                gettext("  [%(n)d/%(total)d] %(account)s: %(rows)d new snapshot(s), %(found)d new anomaly(ies)")
                % {"n": n, "total": total, "account": account, "rows": len(rows), "found": found}
            )

    def _demo_logins(self, *, base_url: str) -> None:
        if not settings.DEBUG:
            raise CommandError(gettext("--demo-logins is for development only (DEBUG=1)."))
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.invalid"})
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        analyst, _ = User.objects.get_or_create(username="analyst")
        analyst.groups.add(Group.objects.get(name="analyst"))
        AuthToken.objects.filter(user=analyst).delete()
        _, token = AuthToken.objects.create(user=analyst, expiry=timedelta(days=1))
        self.stdout.write(
            "\nDemo logins (new on every run):\n"
            f"  admin:  {base_url}/admin/  user 'admin', password '{password}'\n"
            f"  API:    curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/influencers/\n"
            "          (read-only 'analyst' token, valid for one day)\n"
            f"  docs:   {base_url}/api/docs/\n"
        )
