#!/usr/bin/env python3
"""Count TAP subtests across meson test logs; print "N passed, N failed".

A test that printed no TAP lines counts as one test, by its exit status;
a TAP test that failed without a failing subtest (a crash after its plan,
a sanitizer report at exit) adds one failure."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        failed += 1
        print(f"tally: {path}: missing", file=sys.stderr)
        continue
    for line in lines:
        t = json.loads(line)
        out = t.get("stdout") or ""
        ok = len(re.findall(r"(?m)^ok \d+", out))
        bad = len(re.findall(r"(?m)^not ok \d+", out))
        good_exit = t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
        if ok + bad == 0:
            ok, bad = (1, 0) if good_exit else (0, 1)
        elif not good_exit and bad == 0:
            bad = 1
        passed += ok
        failed += bad
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
