#!/usr/bin/env bash
# `cargo xtask serve-bench`: the emulator's authenticated `get` against a minimal hyper server answering the same
# body (crates/emulator/examples/bare_get.rs), both release builds, measured by wrk on this machine at 1 and 32
# connections, interleaved round by round (the order alternating), so that both see the same machine. Prints each
# round and the median requests/s and ratio. Needs wrk (Debian: apt-get install wrk).
# ROUNDS (default 5) and DURATION (wrk's -d, default 5s) tune it.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "serve-bench needs wrk (Debian: apt-get install wrk)" >&2; exit 1; }
rounds=${ROUNDS:-5}
duration=${DURATION:-5s}
dir=target/serve-bench
mkdir -p "$dir"

cargo build --release --quiet -p stytch-m2m-emulator --bin stytch-m2m-emulator --example bare_get

project=project-test-5e5e5e5e-1111-4222-8333-444444444444
secret="secret-test-serve-bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

# Starts a server whose first stdout line ends with its address; prints the address.
start() {
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$out"; then
      grep -m1 "listening on" "$out" | awk '{print $NF}'
      return
    fi
    sleep 0.05
  done
  echo "did not start: $*" >&2; cat "$out" >&2; exit 1
}

emulator=$(STYTCH_EMULATOR_PROJECT_ID=$project STYTCH_EMULATOR_SECRET=$secret \
  start "$dir/emulator.out" target/release/stytch-m2m-emulator --port 0)
auth="Authorization: Basic $(printf '%s:%s' "$project" "$secret" | base64 -w0)"
# The credentials go through a header file, never argv (curl -H @file).
printf '%s\n' "$auth" >"$dir/auth-header"
chmod 600 "$dir/auth-header"
client_id=$(curl -sf -H @"$dir/auth-header" -H 'Content-Type: application/json' \
  -d '{"scopes":["read:invoices"],"client_name":"serve-bench","trusted_metadata":{"team":"billing"}}' \
  "http://$emulator/v1/m2m/clients" | python3 -c 'import json,sys; print(json.load(sys.stdin)["m2m_client"]["client_id"])')
url_path="/v1/m2m/clients/$client_id"
curl -sf -H @"$dir/auth-header" "http://$emulator$url_path" >"$dir/body.json"
bare=$(start "$dir/bare.out" target/release/examples/bare_get "$dir/body.json")
echo "emulator http://$emulator, baseline http://$bare; body $(wc -c <"$dir/body.json") bytes; $rounds rounds of $duration"

# wrk reads the header from a Lua script, not argv.
cat >"$dir/auth.lua" <<LUA
wrk.headers["Authorization"] = "${auth#Authorization: }"
LUA
chmod 600 "$dir/auth.lua"

rps() { # connections threads address
  wrk -c "$1" -t "$2" -d "$duration" -s "$dir/auth.lua" "http://$3$url_path" | awk '/^Requests\/sec/ {print $2}'
}

results="$dir/results.tsv"
: >"$results"
for round in $(seq 1 "$rounds"); do
  for conns in 1 32; do
    threads=$([ "$conns" = 1 ] && echo 1 || echo 2)
    if [ $((round % 2)) = 1 ]; then
      e=$(rps "$conns" "$threads" "$emulator"); b=$(rps "$conns" "$threads" "$bare")
    else
      b=$(rps "$conns" "$threads" "$bare"); e=$(rps "$conns" "$threads" "$emulator")
    fi
    printf '%s\t%s\t%s\t%s\n' "$round" "$conns" "$e" "$b" | tee -a "$results" |
      awk -F'\t' '{printf "round %s, %2s connections: emulator %9.0f/s, baseline %9.0f/s, %.2fx\n", $1, $2, $3, $4, $3/$4}'
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
for conns in ("1", "32"):
    mine = [(float(e), float(b)) for _, c, e, b in rows if c == conns]
    e = statistics.median(x for x, _ in mine)
    b = statistics.median(y for _, y in mine)
    ratios = sorted(x / y for x, y in mine)
    print(f"{conns:>2} connections: emulator {e:,.0f}/s, baseline {b:,.0f}/s; ratio median {statistics.median(ratios):.2f}x (range {ratios[0]:.2f}-{ratios[-1]:.2f})")
PY
