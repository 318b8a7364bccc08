#!/bin/sh
# Two builds of `ldn serve` against each other, interleaved, on the same
# machine in the same run: an A/B that a noisy machine cannot fake as well
# as two separate runs can.  Both servers are started once with the flags
# of bench/run_server.sh (one worker pinned to core 1, wrk with one thread
# and 16 connections on core 0), and only one is loaded at a time: each
# round measures A then B, or B then A (ABBA...), so that a burst of other
# work on the machine falls on both alike.  Each measurement is POST
# /api/v1/plan with the small native patient, then the CDS Hooks
# patient-view with the 230 KB prefetch and a fresh ES384 token per call.  THREADS=2 gives each server two workers and leaves both
# it and wrk unpinned (run_server.sh's "whole machine" part, 8 plan and 4
# hook connections).  Compare the ratio B/A within each round, and its
# median over the rounds.  Each binary reads its own built-in knowledge base
# unless LDN_KB is set.
#   sh bench/ab_server.sh OLD_LDN NEW_LDN [SECONDS [ROUNDS]]  (default 3, 8)
# Prints one line per measurement (round, A or B, route, req/s, p50, p99),
# then per route the median of the rounds' B/A ratios of req/s.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || {
	echo "usage: sh bench/ab_server.sh OLD_LDN NEW_LDN [SECONDS [ROUNDS]]" >&2
	exit 64
}
old=$1
new=$2
secs=${3:-3}
rounds=${4:-8}
threads=${THREADS:-1}
jwt=${BENCH_JWT:-build-rel/bench/bench_jwt}
dpkg -s wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null
[ -x "$jwt" ] || sh scripts/setup.sh build-rel
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
printf '%s' '{"id":"b-1","age_years":50,"sex":"female","weight_kg":70,"opioid_analgesia_required":false,"medications":[{"name":"Duloxetine 60 mg","status":"active"}],"conditions":[{"system":"icd10","code":"M79.7","status":"active"}]}' >"$tmp/small.json"
hook=tests/data/cds-hooks/requests/Suzi_Bechtelar__patient-view.json
if [ "$threads" = 1 ]; then
	srv="taskset -c 1"
	cli="taskset -c 0"
	pc=16
	hc=16
else
	srv=
	cli=
	pc=8
	hc=4
fi

# start LABEL BINARY: a server with its own store; sets port_LABEL
start() {
	db="sqlite:$tmp/$1.db"
	"$2" token add bench --role clinician --db "$db" >"$tmp/tok_$1"
	$srv "$2" serve --port 0 --db "$db" --threads "$threads" --quiet \
		--max-connections 1024 --as-of 2026-11-25 \
		--cds-url https://ldn.bench --cds-issuer \
		"https://sandbox.cds-hooks.org=tests/data/cds-hooks/keys/jwks.json" \
		>"$tmp/out_$1" 2>"$tmp/err_$1" &
	pids="$pids $!"
	sleep 1
	eval "port_$1=\$(sed -n 's/.*127\\.0\\.0\\.1:\\([0-9]*\\).*/\\1/p' \"\$tmp/out_\$1\")"
}

# measure ROUND LABEL: plans, then hooks with the round's own tokens (each
# server accepts a token once; the two servers' replay caches are apart)
measure() {
	eval "base=http://127.0.0.1:\$port_$2"
	r=$(LDN_TOKEN=$(cat "$tmp/tok_$2") LDN_BODY="$tmp/small.json" $cli \
		wrk -t1 -c$pc -d"${secs}s" -s bench/plan.lua "$base" |
		grep '^wrk:')
	echo "$1 $2 plan ${r#wrk: }"
	r=$(LDN_TOKENS="$tmp/tokens.$1" LDN_BODY=$hook \
		LDN_PATH=/cds-services/ldn-patient-view $cli wrk -t1 -c$hc \
		-d"${secs}s" -s bench/hook.lua "$base" | grep '^wrk:')
	echo "$1 $2 hook ${r#wrk: }"
}

echo "A: $old"
echo "B: $new"
echo "threads $threads, ${secs}s a measurement, $rounds rounds (ABBA...)"
# a token a call at up to 2,000 calls/s: a token used twice is refused (401)
per=$((secs * 2000))
"$jwt" . mint $((per * rounds)) \
	https://ldn.bench/cds-services/ldn-patient-view >"$tmp/tokens"
i=1
while [ "$i" -le "$rounds" ]; do
	sed -n "$(((i - 1) * per + 1)),$((i * per))p" "$tmp/tokens" \
		>"$tmp/tokens.$i"
	i=$((i + 1))
done
pids=
start A "$old"
start B "$new"
i=1
while [ "$i" -le "$rounds" ]; do
	if [ $((i % 2)) = 1 ]; then
		measure "$i" A
		measure "$i" B
	else
		measure "$i" B
		measure "$i" A
	fi
	i=$((i + 1))
done | tee "$tmp/results"
# the median B/A ratio per route (rounds sorted by their ratio)
for route in plan hook; do
	awk -v r="$route" '$3 == r { v[$1 " " $2] = $4 }
		END { for (k in v) { split(k, p, " ")
			if (p[2] == "A" && (p[1] " B") in v)
				print v[p[1] " B"] / v[k] } }' "$tmp/results" |
		sort -n | awk -v r="$route" '{ x[NR] = $1 }
		END { if (NR) printf "%s: B/A median %.2f (rounds %.2f to %.2f)\n",
			r, NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2,
			x[1], x[NR] }'
done
