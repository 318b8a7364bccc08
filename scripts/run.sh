#!/bin/sh
# The main job: set up, then write the plan for the example patient.
#   scripts/run.sh [ldn plan options...]
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build-rel
exec build-rel/cli/ldn plan --as-of 2026-11-25 "$@" examples/fibromyalgia.json
