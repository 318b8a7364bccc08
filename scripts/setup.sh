#!/bin/sh
# Install what ldn needs on Debian 12 (as root) and build it.  Safe to run
# again: it installs only what is missing and rebuilds only what changed.
# postgresql is the server the store's PostgreSQL tests start (scripts/pg.sh).
#   scripts/setup.sh [BUILD_DIR]     (default build: ASan + UBSan, as tested)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}

need=""
for p in meson ninja-build pkg-config gcc g++ libjansson-dev libsimdjson-dev \
	libfyaml-dev libsqlite3-dev libpq-dev postgresql libmicrohttpd-dev libcurl4-openssl-dev \
	libssl-dev nettle-dev libgmp-dev python3 openssl clang libclang-rt-14-dev \
	clang-format sqlite3 \
	chromium; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	echo "setup: installing$need" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >&2
fi
# The browser tests' driver (tests/web): playwright-core, pinned by
# package-lock.json; it drives Debian's chromium and downloads no browser.
if ! command -v npm >/dev/null 2>&1; then
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends nodejs npm >&2
fi
if [ ! tests/web/node_modules/.package-lock.json -nt \
	tests/web/package-lock.json ]; then
	(cd tests/web && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
if [ ! -f "$build/build.ninja" ]; then
	case "$build" in
	build-rel) meson setup "$build" -Dbuildtype=release -Db_ndebug=false >&2 ;;
	*) meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false >&2 ;;
	esac
fi
ninja -C "$build" >&2
