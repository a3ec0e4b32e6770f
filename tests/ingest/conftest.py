from __future__ import annotations

from io import BytesIO

import pytest

from ingest.models import IngestJob
from ingest.services import ingest_file
from reviews.choices import TargetKind
from tests.factories import AccountFactory
from tests.reviews.factories import TargetFactory


def ingest(kind: str, text: str | bytes, file_format: str = "csv", *, update: bool = False) -> IngestJob:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return ingest_file(
        kind=kind, source=BytesIO(data), file_format=file_format, actor="command:test", file_name=f"f.{file_format}",
        update=update, follow_up=False,
    )  # fmt: skip


@pytest.fixture
def accounts(db):
    return (
        AccountFactory(platform="douyin", platform_uid="dy_1"),
        AccountFactory(platform="kuaishou", platform_uid="ks_1"),
    )


@pytest.fixture
def targets(db):
    nio = TargetFactory(name="蔚来", kind=TargetKind.COMPANY)
    es6 = TargetFactory(name="ES6", kind=TargetKind.PRODUCT, parent=nio)
    xiaomi = TargetFactory(name="XIAOMI", kind=TargetKind.COMPANY)
    return nio, es6, xiaomi
