# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP output for the display tests, on the fd run-under-display.sh keeps
for it (the session bus's services chatter on stdout)."""

import os
import traceback


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        fd = int(os.environ.get("FORKYARD_TAP_FD", "1"))
        self.out = os.fdopen(os.dup(fd), "w")

    def check(self, ok, description, detail=""):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {description}", file=self.out, flush=True)
        if not ok:
            self.failed += 1
            if detail:
                print(f"# {detail}", file=self.out, flush=True)
        return ok

    def run(self, description, fn):
        """Runs one step; a failed step is reported and the rest go on."""
        try:
            detail = fn()
            self.check(True, description)
            return detail
        except Exception as error:
            self.check(False, description, f"{type(error).__name__}: {error}")
            if os.environ.get("FORKYARD_TEST_VERBOSE"):
                traceback.print_exc()
            return None

    def finish(self):
        print(f"1..{self.n}", file=self.out, flush=True)
        return 1 if self.failed else 0
