#!/usr/bin/env bash
# Schemathesis over every operation of the API, once with a regulator's token and once
# with an administrator's, against a server with the demo data on a loopback port.
# Fails on any 5xx or any response that does not match the OpenAPI schema.
#
#   scripts/schemathesis.sh                 # about 2 x SCHEMATHESIS_MAX_TIME seconds
#
# Environment: DATABASE_URL (default: a database of its own, ledger_schemathesis, dropped
# and created afresh at each run), SCHEMATHESIS_MAX_TIME (seconds per token, default 90), SCHEMATHESIS_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
ST=${SCHEMATHESIS:-$PWD/.venv/bin/schemathesis}
# schemathesis keeps a cache in its working folder: a throw-away one, not the project.
WORKDIR=$(mktemp -d)
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ledger_schemathesis}
export DEBUG=1 CELERY_BROKER_URL= PLATFORM_DEFAULT_URL=http://127.0.0.1:9
# The run itself is a burst of writes: throttles would answer 429 to most of it.
export API_WRITE_RATE=1000000/min API_UPLOAD_RATE=1000000/min
export MEDIA_ROOT=${MEDIA_ROOT:-$WORKDIR/media}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-90}
SEED=${SCHEMATHESIS_SEED:-18}

"$PY" - <<'PY'
import os
import psycopg
from urllib.parse import urlparse
url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(os.environ["DATABASE_URL"].replace(url.path, "/postgres"), autocommit=True) as conn:
    # A fresh database each run: the run's data are throw-away.
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PY
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py seed_demo >/dev/null

TOKENS=$("$PY" manage.py shell -v0 -c '
from datetime import timedelta
from django.contrib.auth.models import Group, User
from knox.models import AuthToken
from cases.models import Authority
regulator, _ = User.objects.get_or_create(username="schemathesis-regulator")
regulator.groups.add(Group.objects.get(name="regulator"))
Authority.objects.order_by("pk").first().members.add(regulator)
admin, _ = User.objects.get_or_create(username="schemathesis-admin")
admin.is_staff = admin.is_superuser = True
admin.save()
for user in (regulator, admin):
    AuthToken.objects.filter(user=user).delete()
    print(AuthToken.objects.create(user=user, expiry=timedelta(hours=2))[1])
')
REGULATOR_TOKEN=$(echo "$TOKENS" | sed -n 1p)
ADMIN_TOKEN=$(echo "$TOKENS" | sed -n 2p)

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload --nothreading >/tmp/schemathesis-server.$$.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORKDIR"' EXIT INT TERM
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/api/schema/" >/dev/null && break
  sleep 1
done

status=0
for who in regulator admin; do
  token=$REGULATOR_TOKEN
  [ "$who" = admin ] && token=$ADMIN_TOKEN
  echo "== schemathesis as $who (at most ${MAX_TIME}s)"
  # The revoke endpoints would end the run's own token.
  (cd "$WORKDIR" && "$ST" run "http://127.0.0.1:$PORT/api/schema/" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance \
    --exclude-path-regex '/api/v1/auth/' \
    --max-time "$MAX_TIME" --seed "$SEED" --workers 1 \
    --request-timeout 30 --warnings off) || status=1
done
if [ "$status" -ne 0 ]; then
  echo "server log: /tmp/schemathesis-server.$$.log" >&2
  grep -E "Traceback|Error" "/tmp/schemathesis-server.$$.log" | sort | uniq -c | sort -rn | head -20 >&2 || true
fi
exit "$status"
