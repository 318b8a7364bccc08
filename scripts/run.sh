#!/bin/sh
# The main job: set up, then serve ldn on 127.0.0.1:8080 with the embedded
# SQLite store (./ldn.db, or $LDN_DB), after printing a clinician's token
# and a first request to try.  Ctrl-C (or SIGTERM) stops it.
#   scripts/run.sh [ldn serve options...]
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build-rel
ldn=build-rel/cli/ldn
db=${LDN_DB:-sqlite:ldn.db}
token=$("$ldn" token add "demo-$(date +%Y%m%d%H%M%S)-$$" --role clinician \
	--db "$db")
cat <<MSG
ldn: serving the REST API with the store $db.
A clinician's token (kept only as a hash; make more with ldn token add):

    $token

Open the web page (the token travels in the fragment, which the browser
never sends; the page keeps it for this tab only):

    http://127.0.0.1:8080/#token=$token

Or try, from another terminal:

    curl -s -H 'Authorization: Bearer $token' --data-binary @examples/fibromyalgia.json \\
        'http://127.0.0.1:8080/api/v1/plan?as_of=2026-11-25&format=text'

Routes: curl -s http://127.0.0.1:8080/api/v1/openapi.json  (README: The server)
MSG
exec "$ldn" serve --db "$db" "$@"
