#!/bin/sh
# Fuzz a parser for a while; new inputs go to a scratch directory, and
# libFuzzer's merge keeps those that add coverage, to review and commit.
#   tests/fuzz/run.sh [patient|fhir|jwt|cds|ask|p384] [SECONDS]     (default patient, 300)
# Needs clang and libclang-rt-14-dev; builds into build-fuzz/.
set -eu
cd "$(dirname "$0")/../.."
target=${1:-patient}
secs=${2:-300}
case "$target" in
patient | fhir | jwt | cds | ask | p384) ;;
*) echo "usage: tests/fuzz/run.sh [patient|fhir|jwt|cds|ask|p384] [SECONDS]" >&2; exit 64 ;;
esac
[ -d build-fuzz ] || CC=clang CXX=clang++ meson setup build-fuzz \
	-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-fuzz "tests/fuzz_$target" >/dev/null
scratch=$(mktemp -d)
merged=$(mktemp -d)
build-fuzz/tests/"fuzz_$target" -max_total_time="$secs" -max_len=8192 \
	-timeout=10 "$scratch" "tests/fuzz/corpus/$target"
build-fuzz/tests/"fuzz_$target" -merge=1 "$merged" \
	"tests/fuzz/corpus/$target" "$scratch"
echo "inputs that add coverage: $merged (copy them into tests/fuzz/corpus/$target)"
