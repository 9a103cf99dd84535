# SPDX-License-Identifier: GPL-3.0-or-later
"""The graphs' cost: frame times and the app's idle CPU on a virtual display.

There is no Python counterpart to a GTK frame, so the "python" column holds
the same figure for GNOME System Monitor where one exists (its Resources
tab, idle, at a 1 s graph interval like ours) and NaN otherwise.

ui_graphs_monitor_frame: the Monitor page with 256 scripted cores and a
600-sample history, a new sample every frame (bench/fy-bench-ui.c); the
figure is the median paint phase of a frame (snapshot + GSK rendering);
the heatmap's own snapshot time is reported beside it.
ui_graphs_timeline_frame: the task timeline with 100 000 finished tasks
on 8 lanes, scrolled 40 px every frame.
ui_graphs_idle_cpu: the real app showing its Monitor page at 1 s sampling
of this machine, CPU % of one core over 20 s (target < 1 %), with GNOME
System Monitor's Resources tab measured in the same run when installed
(apt-get install gnome-system-monitor). A virtual display has no GPU, so
GTK's default GL renderer runs on Mesa's software rasteriser and repaints
the window at every sample; the same run is repeated with
GSK_RENDERER=cairo and reported beside it (forkyard_cairo_renderer).
Two pages where nothing moves are measured after it with the default
renderer: the Run page once a short run (FORKYARD_AUTORUN's default
Fibonacci batch) has finished, its pool still alive (run_page_after_run),
and the Playground with no scenario running (playground_idle).

`bench/run ui_graphs` runs all three.
"""

import json
import math
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

from benchlib import Benchmark, result

XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24 -nolisten tcp"]


def display_env(ctx, extra=None):
    env = dict(os.environ)
    env.update({
        "GSETTINGS_SCHEMA_DIR": str(ctx.build_dir / "data"),
        "GSETTINGS_BACKEND": "memory",
        "GTK_A11Y": "none",
        "NO_AT_BRIDGE": "1",
    })
    env.update(extra or {})
    return env


def run_frames(ctx, which, renderer=None):
    frames = 60 if ctx.quick else 240
    env = display_env(ctx, {"GSK_RENDERER": renderer} if renderer else None)
    out = subprocess.run(XVFB + [str(ctx.program("fy-bench-ui")), which, str(frames)],
                         env=env, check=True, capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def frame_bench(ctx, which):
    # GTK's default renderer (GL, on the software rasteriser here), then
    # the cairo renderer for comparison.
    gl = run_frames(ctx, which)
    cairo = run_frames(ctx, which, "cairo")
    return result(gl["median_ms"], math.nan, "ms",
                  target="smooth: under 16.7 ms a frame",
                  p95_ms=gl["p95_ms"], mean_ms=gl["mean_ms"],
                  snapshot_median_ms=gl["snapshot_median_ms"],
                  snapshot_p95_ms=gl["snapshot_p95_ms"],
                  frames=gl["frames"], renderer=gl["renderer"],
                  cairo_median_ms=cairo["median_ms"], cairo_p95_ms=cairo["p95_ms"])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


IDLE_SCRIPT = r"""
import json, os, subprocess, sys, time
app, seconds, gsm, config = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]

def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def measure(renderer, with_gsm, key="alt+2", extra=None):
    env = dict(os.environ)
    if renderer:
        env["GSK_RENDERER"] = renderer
    env.update(extra or {})
    procs = {"forkyard": subprocess.Popen([app], env=env)}
    if with_gsm:
        genv = dict(os.environ, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config)
        procs["gsm"] = subprocess.Popen([gsm, "--show-resources-tab"], env=genv,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)
    # The page: Alt+1 Run, Alt+2 Monitor, Alt+3 Playground, to our window.
    # There is no window manager to activate a window, and GNOME System
    # Monitor opens on top of ours: give ours the keyboard focus directly,
    # or the keys land in the other window and our page never changes.
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Forkyard$",
                    "windowfocus", "--sync"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    subprocess.run(["xdotool", "key", key], timeout=20)
    time.sleep(3)
    start = {k: cpu(p.pid) for k, p in procs.items()}
    t0 = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    out = {k: 100 * (cpu(p.pid) - start[k]) / wall for k, p in procs.items()}
    for p in procs.values():
        p.terminate()
        p.wait(timeout=20)
    return out

# The default is the app's own choice: cairo where GL is rasterised on
# the CPU, as on this display; GL forced and cairo forced beside it.
first = measure(None, bool(gsm))
cairo = measure("cairo", False)
gl = measure("gl", False)
# Nothing moves on these two: a finished run's Run page (its pool still
# alive) and the Playground with no scenario running.
after_run = measure(None, False, "alt+1", {"FORKYARD_AUTORUN": "1"})
playground = measure(None, False, "alt+3")
print(json.dumps({"forkyard": first["forkyard"], "gsm": first.get("gsm"),
                  "forkyard_cairo": cairo["forkyard"], "forkyard_gl": gl["forkyard"],
                  "run_page_after_run": after_run["forkyard"],
                  "playground": playground["forkyard"]}))
"""

def run_idle(ctx):
    seconds = 10 if ctx.quick else 20
    gsm = shutil.which("gnome-system-monitor") or ""
    with tempfile.TemporaryDirectory(prefix="forkyard-bench-") as config:
        # GNOME System Monitor graphs every 100 ms by default; 1 s as ours.
        settings = pathlib.Path(config) / "glib-2.0" / "settings"
        settings.mkdir(parents=True)
        (settings / "keyfile").write_text(
            "[org/gnome/gnome-system-monitor]\ngraph-update-interval=1000\n"
            "current-tab='resources'\n")
        out = subprocess.run(
            ["dbus-run-session", "--"] + XVFB
            + ["/usr/bin/python3", "-c", IDLE_SCRIPT,
               str(ctx.build_dir / "src" / "app" / "forkyard"), str(seconds), gsm, config],
            env=display_env(ctx), check=True, capture_output=True, text=True, timeout=300)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    gsm_figure = figures.get("gsm")
    return result(figures["forkyard"], math.nan if gsm_figure is None else gsm_figure, "%cpu",
                  target="< 1 % of one core",
                  forkyard_cairo_renderer=figures["forkyard_cairo"],
                  forkyard_gl_renderer_forced=figures["forkyard_gl"],
                  run_page_after_run=figures["run_page_after_run"],
                  playground_idle=figures["playground"],
                  gnome_system_monitor="measured" if gsm else "not installed")


def benchmarks(ctx):
    return [
        Benchmark("ui_graphs_monitor_frame",
                  "Monitor page frame, 256 cores × 600 samples (ms)",
                  lambda c: frame_bench(c, "monitor")),
        Benchmark("ui_graphs_timeline_frame",
                  "timeline frame, 100 000 tasks, scrolling (ms)",
                  lambda c: frame_bench(c, "timeline")),
        Benchmark("ui_graphs_idle_cpu",
                  "app idle on the Monitor page, 1 s sampling (% of a core)",
                  run_idle),
    ]
