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

# Starts a server whose first stdout line ends with its address; sets `address` (no subshell: the server is
# stopped on exit).
start() {
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$out"; then
      address=$(grep -m1 "listening on" "$out" | awk '{print $NF}')
      return
    fi
    sleep 0.05
  done
  echo "did not start: $*" >&2; cat "$out" >&2; exit 1
}

export STYTCH_EMULATOR_PROJECT_ID=$project STYTCH_EMULATOR_SECRET=$secret
auth="Authorization: Basic $(printf '%s:%s' "$project" "$secret" | base64 -w0)"
# The credentials go through files, never argv: a header file for curl, a Lua script for wrk; owner-only from the
# moment they exist.
umask 077
printf '%s\n' "$auth" >"$dir/auth-header"
printf 'wrk.headers["Authorization"] = "%s"\n' "${auth#Authorization: }" >"$dir/auth.lua"

# Starts an emulator binary and creates the client read by the benchmark; sets `target` to its URL.
emulator() {
  start "$dir/$1.out" "$2" --port 0
  local id
  id=$(curl -sf -H @"$dir/auth-header" -H 'Content-Type: application/json' \
    -d '{"scopes":["read:invoices"],"client_name":"serve-bench","trusted_metadata":{"team":"billing"}}' \
    "http://$address/v1/m2m/clients" | python3 -c 'import json,sys; print(json.load(sys.stdin)["m2m_client"]["client_id"])')
  target="http://$address/v1/m2m/clients/$id"
}

names=(emulator baseline)
emulator emulator target/release/stytch-m2m-emulator
urls=("$target")
curl -sf -H @"$dir/auth-header" "$target" >"$dir/body.json"
start "$dir/bare.out" target/release/examples/bare_get "$dir/body.json"
# The baseline is sent the same request (path and headers), so that both parse the same bytes.
urls+=("http://$address/${target#http://*/}")
# BEFORE=path/to/an/older/stytch-m2m-emulator measures it in the same run (before/after a change).
if [ -n "${BEFORE:-}" ]; then
  emulator before "$BEFORE"
  names+=(before)
  urls+=("$target")
fi
echo "body $(wc -c <"$dir/body.json") bytes; $rounds rounds of $duration; ${names[*]}"

rps() { # connections threads url
  wrk -c "$1" -t "$2" -d "$duration" -s "$dir/auth.lua" "$3" | awk '/^Requests\/sec/ {print $2}'
}

results="$dir/results.tsv"
: >"$results"
count=${#names[@]}
for round in $(seq 1 "$rounds"); do
  for conns in 1 32; do
    threads=$([ "$conns" = 1 ] && echo 1 || echo 2)
    # Each round starts with the next server: every one is measured first, in the middle and last alike.
    line="round $round, $conns connections:"
    for k in $(seq 0 $((count - 1))); do
      i=$(( (k + round) % count ))
      r=$(rps "$conns" "$threads" "${urls[$i]}")
      printf '%s\t%s\t%s\t%s\n' "$round" "$conns" "${names[$i]}" "$r" >>"$results"
      line="$line ${names[$i]} $r/s"
    done
    echo "$line"
  done
done
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
by = collections.defaultdict(dict)
for rnd, conns, name, r in rows:
    by[(conns, rnd)][name] = float(r)
for conns in ("1", "32"):
    rounds = [v for (c, _), v in sorted(by.items()) if c == conns]
    names = [n for n in rounds[0] if n != "baseline"]
    parts = [f"baseline {statistics.median(r['baseline'] for r in rounds):,.0f}/s"]
    for name in names:
        ratios = sorted(r[name] / r["baseline"] for r in rounds)
        parts.append(f"{name} {statistics.median(r[name] for r in rounds):,.0f}/s = {statistics.median(ratios):.2f}x"
                     f" (range {ratios[0]:.2f}-{ratios[-1]:.2f})")
    print(f"{conns:>2} connections: " + "; ".join(parts))
PY
