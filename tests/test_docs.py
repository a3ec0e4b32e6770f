import re

import pytest

from ledger.choices import Platform

pytestmark = pytest.mark.django_db


def test_home_page_links_the_admin_api_and_docs(client):
    page = client.get("/").content.decode()
    for link in ("/admin/", "/api/v1/", "/api/docs/", "/api/schema/"):
        assert f'href="{link}"' in page


def test_schema_describes_every_ledger_endpoint_with_bearer_auth(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("agencies", "influencers", "accounts", "snapshots"):
        assert f"/api/v1/{path}/" in schema["paths"]
    assert "put" not in schema["paths"]["/api/v1/snapshots/{id}/"]
    assert schema["components"]["securitySchemes"]["knoxApiToken"]["scheme"] == "bearer"
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/accounts/"]["get"]["parameters"]}
    assert params["min_followers"]["type"] == "integer"
    assert set(params["platform"]["enum"]) == set(Platform.values)


def test_docs_page_loads_nothing_from_other_hosts(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
