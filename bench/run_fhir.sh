#!/bin/sh
# FHIR bundles: ldn against FHIRPath.js on the same bundles, in one run.
#   sh bench/run_fhir.sh [DIR [SECONDS]]
#     DIR      directory of FHIR R4 Bundles (*.json); default
#              tests/data/synthea from the repository's root
#     SECONDS  per timed loop (default 3, rounded up to whole passes)
# 1. bench_fhir: ldn_plan_build + ldn_plan_free on every bundle, round-robin.
# 2. bench/fhirpath/bench.js: JSON.parse + one FHIRPath expression (the
#    RxNorm codes of the MedicationRequests) on the same bundles, compiled
#    once and evaluated afresh; the faster is the peer's figure.
# Both pinned to the same core (taskset -c 0), one after the other.  Prints
# the ratio ldn MB/s / fhirpath MB/s against the goal of 5.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${1:-$root/tests/data/synthea}
secs=${2:-3}
[ -d "$dir" ] || { echo "run_fhir: no directory $dir" >&2; exit 66; }
dir=$(cd "$dir" && pwd)

# Node and npm: Debian's own packages if there is no node at all.  fhirpath
# 5 asks for Node 20 or later (Debian 12 ships 18); say so, and go on.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "run_fhir: installing nodejs npm" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends nodejs npm >&2
fi
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] ||
	echo "run_fhir: node $(node --version) is older than fhirpath wants (20)" >&2
# The pinned fhirpath, exactly as package-lock.json has it.
(cd bench/fhirpath && npm ci --no-audit --no-fund --loglevel=error >&2)
sh scripts/setup.sh build-rel

# Each bench into its own file first, so that a refused bundle or a failed
# check stops the run here (set -e) instead of vanishing in a pipe.
ldn_out=$(mktemp)
fp_out=$(mktemp)
trap 'rm -f "$ldn_out" "$fp_out"' EXIT
fp_version=$(node -p 'require("./bench/fhirpath/node_modules/fhirpath/package.json").version')
echo "== ldn (bench_fhir, taskset -c 0)"
taskset -c 0 build-rel/bench/bench_fhir "$dir" "$secs" >"$ldn_out"
cat "$ldn_out"
echo
echo "== FHIRPath.js $fp_version on node $(node --version) (taskset -c 0)"
taskset -c 0 node bench/fhirpath/bench.js "$dir" "$secs" >"$fp_out"
cat "$fp_out"
echo
# MB/s is the field before "MB/s"; the peer's figure is its faster loop.
awk '
	/^ldn /      { for (i = 2; i <= NF; i++) if ($i == "MB/s") ldn = $(i - 1) }
	/^fhirpath / { for (i = 2; i <= NF; i++) if ($i == "MB/s" && $(i - 1) > fp) fp = $(i - 1) }
	END {
		if (ldn == "" || fp == "") { print "run_fhir: a bench printed no MB/s"; exit 1 }
		r = ldn / fp
		printf "ratio ldn / fhirpath: %.2f MB/s / %.2f MB/s = %.2fx (goal 5x: %s)\n", \
		    ldn, fp, r, (r >= 5 ? "met" : "not met")
	}' "$ldn_out" "$fp_out"
