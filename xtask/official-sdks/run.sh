#!/usr/bin/env bash
# The official Python and Node SDKs against the emulator (`cargo xtask official-sdks`).
# Installs `stytch` from PyPI and npm into target/official-sdks (not the system), starts the emulator on a free
# loopback port, runs check.py and check.js, and stops the emulator.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/official-sdks"
mkdir -p "$work/python" "$work/node"
python3 -m pip install --quiet --disable-pip-version-check --target "$work/python" stytch
(cd "$work/node" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --silent --no-audit --no-fund stytch >/dev/null)
cp "$here/check.js" "$work/node/check.js"

cargo build --quiet -p stytch-m2m-emulator
export STYTCH_PROJECT_ID="project-test-00000000-0000-4000-8000-000000000000"
export STYTCH_SECRET="secret-test-official-sdk-check-$(date +%s)"
# The emulator reads its own variables (never the production ones); the SDK checks read STYTCH_*.
export STYTCH_EMULATOR_PROJECT_ID="$STYTCH_PROJECT_ID" STYTCH_EMULATOR_SECRET="$STYTCH_SECRET"
log="$work/emulator.log"
"$root/target/debug/stytch-m2m-emulator" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "base URL" "$log" && break; sleep 0.1; done
export STYTCH_BASE_URL="$(sed -n 's/.*base URL: *//p' "$log")"
echo "emulator at $STYTCH_BASE_URL"
PYTHONPATH="$work/python" python3 "$here/check.py"
(cd "$work/node" && node check.js 2>/dev/null)
