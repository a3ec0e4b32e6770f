from __future__ import annotations

import pytest

from tests.factories import AccountFactory


@pytest.fixture
def account_payload(db) -> dict:
    """A valid order as posted to the API (a 21-60 s short video for a new account)."""
    account = AccountFactory()
    return {
        "account": account.pk,
        "client_name": "A PR contractor",
        "deliverable": "short_video",
        "tier": "s21_60",
        "agreed_price": "95000.00",
        "ordered_on": "2025-09-14",
    }
