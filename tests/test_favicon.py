"""Browsers ask every site for /favicon.ico; the ledger answers with its icon instead of a 404."""

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("core/favicon.svg")
    assert finders.find("core/favicon.svg") is not None
