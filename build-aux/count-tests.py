#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints "N passed, N failed" over one or more meson testlog.json files
(one JSON object per test per line); exits non-zero if any failed or none
ran. A log that is missing (its build failed before any test ran) counts as
one failure, named on stderr. Each failed test is named, with the end of
its output, just above the closing line, so that a log cut to its last
screens still says what failed and why."""

import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}
TAIL_LINES = 40

passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        log = open(path, encoding="utf-8")
    except FileNotFoundError:
        print(f"{path}: missing, counted as a failure", file=sys.stderr)
        failed += 1
        continue
    with log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test["result"]
            if result in PASSED:
                passed += 1
            elif result in SKIPPED:
                skipped += 1
            else:
                failed += 1
                failures.append((path, test))

for path, test in failures:
    print(f"--- {test['name']}: {test['result']} after "
          f"{test.get('duration', 0):.1f} s ({path})")
    lines = (test.get("stdout") or "").splitlines()
    lines += (test.get("stderr") or "").splitlines()
    for text in lines[-TAIL_LINES:]:
        print(f"    {text}")
if failures:
    print("--- failed: " + ", ".join(t["name"] for _, t in failures))

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed or passed == 0 else 0)
