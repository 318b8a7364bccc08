#!/bin/sh
# Every test: set up, build with ASan and UBSan, run the suite (unit, golden,
# property, CLI, store on SQLite and on a throwaway PostgreSQL server, fuzz
# corpus, format), then a short libFuzzer session in a clang build, and close
# with one line: "N passed, N failed" (TAP subtests).
set -u
cd "$(dirname "$0")/.."
sh scripts/setup.sh build || { echo "0 passed, 1 failed"; exit 1; }
status=0
# under /tmp, which the server's user (postgres) can reach wherever the
# checkout is
pgdir=$(mktemp -d /tmp/ldn-pg-XXXXXX)
trap 'sh scripts/pg.sh stop "$pgdir"' EXIT
trap 'exit 130' INT TERM
if LDN_TEST_PG=$(sh scripts/pg.sh start "$pgdir"); then
	export LDN_TEST_PG
else
	# store-pg must fail, not skip: point it at a port nothing serves
	echo "test.sh: the PostgreSQL server did not start" >&2
	export LDN_TEST_PG=postgresql://postgres@127.0.0.1:1/postgres
	status=1
fi
meson test -C build --print-errorlogs --num-processes 2 || status=1
sh scripts/pg.sh stop "$pgdir"
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		status=1
fi
if ninja -C build-fuzz >/dev/null; then
	# The session may add inputs; they land in a scratch copy, so the
	# committed corpus only changes when someone reviews and adds them.
	rm -rf build-fuzz/corpus build-fuzz/corpus-*
	cp -r tests/fuzz/corpus/patient build-fuzz/corpus
	for c in fhir jwt cds server ask dispense p384; do
		cp -r "tests/fuzz/corpus/$c" "build-fuzz/corpus-$c"
	done
	meson test -C build-fuzz --print-errorlogs --num-processes 2 fuzz-run \
		fuzz-run-fhir fuzz-run-jwt fuzz-run-cds fuzz-run-server fuzz-run-ask \
		fuzz-run-dispense fuzz-run-p384 ||
		status=1
else
	status=1
fi
# The README's first command builds the release configuration: -O3 finds
# warnings (errors here) that the test build does not.
sh scripts/setup.sh build-rel >/dev/null 2>&1 || {
	echo "test.sh: the release build (build-rel) failed" >&2
	status=1
}
python3 scripts/tally.py build/meson-logs/testlog.json \
	build-fuzz/meson-logs/testlog.json || status=1
exit $status
