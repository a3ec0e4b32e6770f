"""Every request has an id: the caller's X-Request-ID when acceptable, else a new one; logged and echoed."""

import json
import logging
import re
import sys

import pytest

from config.ops.logs import JsonFormatter
from config.ops.requestid import RequestIdFilter, current_request_id


def test_an_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a:42")
    assert response["X-Request-ID"] == "lb-7f3a:42"


@pytest.mark.parametrize("incoming", ["", "x" * 129, "has space", "line\nbreak", 'quote"d'])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_two_requests_without_an_id_get_different_ids(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_the_request_is_logged_once_with_its_id_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="ledger.request")
    client.get("/healthz", HTTP_X_REQUEST_ID="req-1")
    records = [r for r in caplog.records if r.name == "ledger.request"]
    assert len(records) == 1
    record = records[0]
    RequestIdFilter().filter(record)  # caplog's handler does not run the console handler's filter
    assert (record.request_id, record.method, record.path, record.status) == ("req-1", "GET", "/healthz", 200)
    assert record.duration_ms >= 0
    assert current_request_id() == ""  # reset once the request is over


def test_json_lines_carry_the_request_id_and_extras():
    record = logging.LogRecord("ledger.x", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.request_id, record.status = "abc", 503
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert (line["level"], line["logger"], line["request_id"], line["status"]) == ("WARNING", "ledger.x", "abc", 503)
    assert line["time"].endswith("+00:00")


def test_json_lines_carry_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in line["exception"]
    assert "request_id" not in line
