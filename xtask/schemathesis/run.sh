#!/usr/bin/env bash
# Property-based testing of the emulator from its own OpenAPI document (`cargo xtask schemathesis`).
# Installs schemathesis from PyPI into a virtualenv under target/schemathesis (not the system), starts the emulator
# on a free loopback port, runs schemathesis with the checks below, and stops the emulator. Extra arguments go to
# `st run` (for example `--max-examples 200`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/schemathesis"
mkdir -p "$work"
if [ ! -x "$work/venv/bin/st" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis>=4,<5"
fi

cargo build --quiet -p stytch-m2m-emulator
# Throwaway credentials for this run, passed through the environment (never a command line) and a seed file only
# its owner can read.
random() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
export ST_PROJECT_ID="project-test-00000000-0000-4000-8000-000000000000"
export ST_PROJECT_SECRET="secret-test-$(random)"
export ST_CLIENT_ID="schemathesis-client"
export ST_CLIENT_SECRET="$(random)"
export ST_DOOMED_ID="schemathesis-doomed" ST_ROTATING_ID="schemathesis-rotating"
export STYTCH_EMULATOR_PROJECT_ID="$ST_PROJECT_ID" STYTCH_EMULATOR_SECRET="$ST_PROJECT_SECRET"
seed="$work/seed.json"
(umask 077 && python3 -c 'import json, os; print(json.dumps({"clients": [{"client_id": os.environ["ST_CLIENT_ID"],
  "client_secret": os.environ["ST_CLIENT_SECRET"], "scopes": ["read:users", "write:users"]},
  {"client_id": os.environ["ST_DOOMED_ID"], "client_secret": os.environ["ST_CLIENT_SECRET"] + "-2", "scopes": ["a"]},
  {"client_id": os.environ["ST_ROTATING_ID"], "client_secret": os.environ["ST_CLIENT_SECRET"] + "-3", "scopes": ["a"]}]}))' >"$seed")
log="$work/emulator.log"
"$root/target/debug/stytch-m2m-emulator" --port 0 --seed-file "$seed" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "base URL" "$log" && break; sleep 0.1; done
base="$(sed -n 's/.*base URL: *//p' "$log")"
[ -n "$base" ] || { echo "the emulator did not start; its log:" >&2; cat "$log" >&2; exit 1; }
echo "emulator at $base"
export ST_BASE="$base" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here"

cd "$work"
"$work/venv/bin/st" --config-file "$here/schemathesis.toml" run "$base/openapi.json" \
  --url "$base" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
  "$@"
