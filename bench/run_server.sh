#!/bin/sh
# `ldn serve` under load on loopback, with wrk (one thread, 16 connections;
# the server gets the other core): GET /healthz as the baseline (HTTP and
# the server's own overhead, no clinical work), then POST /api/v1/plan with
# a small native patient, then the CDS Hooks patient-view with the 230 KB
# sandbox prefetch and a fresh ES384 token per call, measured in the same
# run.  Then RSS before and after a soak, to see memory stay flat.  Then the
# whole machine, as an EHR's traffic would meet it: the server with two
# worker threads and wrk sharing both cores unpinned, the same three routes
# (plans with 8 connections; hooks with 4).
#   sh bench/run_server.sh [SECONDS] [SOAK_SECONDS]   (default 10 and 60)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
soak=${2:-60}
sh scripts/setup.sh build-rel
dpkg -s wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null
ldn=build-rel/cli/ldn
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
db="sqlite:$tmp/bench.db"
LDN_TOKEN=$("$ldn" token add bench --role clinician --db "$db")
export LDN_TOKEN
printf '%s' '{"id":"b-1","age_years":50,"sex":"female","weight_kg":70,"opioid_analgesia_required":false,"medications":[{"name":"Duloxetine 60 mg","status":"active"}],"conditions":[{"system":"icd10","code":"M79.7","status":"active"}]}' >"$tmp/small.json"
export LDN_BODY="$tmp/small.json"
taskset -c 1 "$ldn" serve --port 0 --db "$db" --threads 1 --quiet \
	--max-connections 1024 --as-of 2026-11-25 --cds-url https://ldn.bench \
	--cds-issuer "https://sandbox.cds-hooks.org=tests/data/cds-hooks/keys/jwks.json" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
echo "== baseline: GET /healthz (server on core 1, wrk on core 0)"
taskset -c 0 wrk -t1 -c16 -d"${secs}s" --latency -s /dev/null "$base/healthz" |
	grep -E "Requests/sec|99%"
echo "== POST /api/v1/plan, a small native patient ($(wc -c <"$tmp/small.json") bytes)"
taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/plan.lua "$base"
echo "== POST /cds-services/ldn-patient-view, Suzi's 230 KB prefetch, one token each"
build-rel/bench/bench_jwt . mint $((secs * 3000)) \
	https://ldn.bench/cds-services/ldn-patient-view >"$tmp/tokens"
LDN_TOKENS="$tmp/tokens" LDN_BODY=tests/data/cds-hooks/requests/Suzi_Bechtelar__patient-view.json \
	LDN_PATH=/cds-services/ldn-patient-view \
	taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/hook.lua "$base"
echo "== memory: RSS before and after a ${soak}s soak of plans"
before=$(rss)
taskset -c 0 wrk -t1 -c16 -d"${soak}s" -s bench/plan.lua "$base" >/dev/null
after=$(rss)
echo "RSS ${before} kB before, ${after} kB after"
kill -TERM "$pid"
wait "$pid" || true

echo "== the whole machine: two worker threads, wrk unpinned"
"$ldn" serve --port 0 --db "$db" --threads 2 --quiet \
	--max-connections 1024 --as-of 2026-11-25 --cds-url https://ldn.bench \
	--cds-issuer "https://sandbox.cds-hooks.org=tests/data/cds-hooks/keys/jwks.json" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"
echo "== baseline: GET /healthz, 8 connections"
wrk -t1 -c8 -d"${secs}s" --latency -s /dev/null "$base/healthz" |
	grep -E "Requests/sec|99%"
echo "== POST /api/v1/plan, 8 connections"
wrk -t1 -c8 -d"${secs}s" -s bench/plan.lua "$base"
echo "== POST /cds-services/ldn-patient-view, 4 connections"
build-rel/bench/bench_jwt . mint $((secs * 3000)) \
	https://ldn.bench/cds-services/ldn-patient-view >"$tmp/tokens2"
LDN_TOKENS="$tmp/tokens2" LDN_BODY=tests/data/cds-hooks/requests/Suzi_Bechtelar__patient-view.json \
	LDN_PATH=/cds-services/ldn-patient-view \
	wrk -t1 -c4 -d"${secs}s" -s bench/hook.lua "$base"
kill -TERM "$pid"
wait "$pid" || true
