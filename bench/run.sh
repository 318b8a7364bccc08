#!/bin/sh
# Benchmarks, all in one run so the ratios compare like with like.
#   sh bench/run.sh [SECONDS]   (default 3 per in-process loop)
# 1. In process, one core: plans per second for the example patient, beside
#    jansson parsing the same file (the baseline) and jansson re-writing the
#    same plan JSON.
# 2. Whole command: `ldn plan` wall time with hyperfine, beside `jq empty` on
#    the same file (a public C tool that also starts, reads and parses JSON),
#    and its peak memory with /usr/bin/time.
# 3. CDS Hooks bearer tokens (ES384, RS384) verified per second on one core,
#    beside OpenSSL verifying the bare signature, and `openssl speed`.
# 4. A CDS Hooks patient-view call in process (Suzi's 230 KB prefetch),
#    beside jansson parsing the same request.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-3}
sh scripts/setup.sh build-rel
for p in hyperfine jq time; do
	dpkg -s "$p" >/dev/null 2>&1 || apt-get install -y -qq "$p" >/dev/null
done
ex=examples/fibromyalgia.json
ldn=build-rel/cli/ldn
echo "== in process, one core (taskset -c 0)"
taskset -c 0 build-rel/bench/bench_plan "$ex" "$secs"
echo
echo "== whole command (hyperfine)"
hyperfine -N --warmup 20 --min-runs 200 \
	"jq empty $ex" \
	"$ldn plan --as-of 2026-11-25 --format json $ex" \
	"$ldn plan --as-of 2026-11-25 $ex" \
	"$ldn kb check"
echo
echo "== peak memory of ldn plan (/usr/bin/time)"
/usr/bin/time -f "max RSS %M KB, %e s" "$ldn" plan --as-of 2026-11-25 "$ex" >/dev/null
echo
echo "== CDS Hooks bearer tokens verified, one core (taskset -c 0)"
taskset -c 0 build-rel/bench/bench_jwt . "$secs"
echo "baseline: openssl speed (verify/s is the column to compare)"
taskset -c 0 openssl speed -seconds "$secs" ecdsap384 rsa2048 2>/dev/null |
	grep -E "sign/s|nistp384|^rsa 2048"
echo
echo "== CDS Hooks patient-view in process, one core (taskset -c 0)"
taskset -c 0 build-rel/bench/bench_cds ldn-patient-view \
	tests/data/cds-hooks/requests/Suzi_Bechtelar__patient-view.json "$secs"
