#!/bin/sh
# Every test: set up, build with ASan and UBSan, run the suite (unit, golden,
# property, CLI, fuzz corpus, format), then a short libFuzzer session in a
# clang build, and close with one line: "N passed, N failed" (TAP subtests).
set -u
cd "$(dirname "$0")/.."
sh scripts/setup.sh build || { echo "0 passed, 1 failed"; exit 1; }
status=0
meson test -C build --print-errorlogs --num-processes 2 || status=1
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		status=1
fi
if ninja -C build-fuzz >/dev/null; then
	# The session may add inputs; they land in a scratch copy, so the
	# committed corpus only changes when someone reviews and adds them.
	rm -rf build-fuzz/corpus build-fuzz/corpus-fhir
	cp -r tests/fuzz/corpus/patient build-fuzz/corpus
	cp -r tests/fuzz/corpus/fhir build-fuzz/corpus-fhir
	meson test -C build-fuzz --print-errorlogs fuzz-run fuzz-run-fhir ||
		status=1
else
	status=1
fi
python3 scripts/tally.py build/meson-logs/testlog.json \
	build-fuzz/meson-logs/testlog.json || status=1
exit $status
