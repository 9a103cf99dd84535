#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: run-fuzzer.sh FUZZER WORKDIR INPUTDIR…
# Runs a libFuzzer program for FUZZ_SECONDS (default 30) on a fresh copy of
# its seeds and regressions in WORKDIR/corpus (the source tree is never
# written to), and prints libFuzzer's final statistics, executions among
# them. A crash, leak or timeout leaves its input in WORKDIR/artifacts and
# fails the test: copy it to tests/fuzz/regressions/NAME once fixed.
set -eu
fuzzer=$1
work=$2
shift 2

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
for dir in "$@"; do
  cp "$dir"/* "$work/corpus/"
done

# Undefined behaviour is a finding, like a crash.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# And so is a GLib critical, as in every other suite.
export G_DEBUG="${G_DEBUG:-fatal-warnings}"
# The resize target decodes on a thread under the worker's system call
# allow-list, from which libFuzzer cannot open a crash's artifact file;
# the input it was decoding stays in WORKDIR/tmp/fuzz-resize-*/input.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"

# libFuzzer ends a crash with status 77 by default, which meson reads as
# a skipped test: a crash must fail it.
exec "$fuzzer" -max_total_time="${FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus"
