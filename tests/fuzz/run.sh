#!/bin/sh
# Fuzz the patient parser for a while and keep what it finds in the corpus.
#   tests/fuzz/run.sh [SECONDS]      (default 300)
# Needs clang and libclang-rt-14-dev; builds into build-fuzz/.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-300}
[ -d build-fuzz ] || CC=clang CXX=clang++ meson setup build-fuzz \
	-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-fuzz tests/fuzz_patient >/dev/null
exec build-fuzz/tests/fuzz_patient -max_total_time="$secs" -max_len=4096 \
	-timeout=10 -dict=tests/fuzz/patient.dict tests/fuzz/corpus/patient
