#!/bin/sh
# Runs every test: the full build under Xvfb (GUI tests need a display),
# then the core suites of the sanitizer build. Ends with one summary line
# "N passed, N failed" and a non-zero exit on any failure.
set -u

build=$1
asan_build=$2
status=0

xvfb-run -a -s "-screen 0 1600x1000x24" \
  meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
meson test -C "$asan_build" --print-errorlogs --num-processes 2 || status=1

summarize() {
  python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for log in sys.argv[1:]:
    try:
        lines = open(log).read().splitlines()
    except OSError:
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}
summarize "$build/meson-logs/testlog.json" "$asan_build/meson-logs/testlog.json"
exit $status
