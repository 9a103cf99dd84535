#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real app on a virtual display, checked through its accessibility tree.

usage: test-app-shell.py APP OUTDIR [--language de]

Speaks TAP. Saves OUTDIR/forkyard-main-window.png (and -de for German).
"""

import argparse
import configparser
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import time

# The app runs with the test suite's fatal warnings; this driver must not,
# since libatspi warns about objects that vanish while it walks the tree.
APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pyatspi  # noqa: E402

from atspi_session import (App, app_env, find, find_all, is_selected,  # noqa: E402
                           is_showing, press, screenshot, wait_for)
from tap import Tap  # noqa: E402

# What a screen reader user must find, per language.
WORDS = {
    "en": {
        "pages": ["Run", "Monitor", "Playground"],
        "page_titles": ["Run a Workload", "Watch Every Core", "Classic Examples"],
        "menu": ["Preferences", "Keyboard Shortcuts", "About Forkyard", "Quit"],
        "main_menu": "Main Menu",
        "preferences": "Preferences",
        "pref_controls": ["Workers", "Sample Interval"],
    },
    "de": {
        "pages": ["Ausführen", "Monitor", "Spielwiese"],
        "page_titles": ["Eine Arbeitslast ausführen", "Jeden Kern beobachten",
                        "Klassische Beispiele"],
        "menu": ["Einstellungen", "Tastenkürzel", "Info zu Forkyard", "Beenden"],
        "main_menu": "Hauptmenü",
        "preferences": "Einstellungen",
        "pref_controls": ["Arbeitsprozesse", "Messintervall"],
    },
}

# Roles a keyboard or screen reader user operates; each needs a name.
CONTROL_ROLES = {"push button", "toggle button", "spin button", "combo box",
                 "check box", "menu item", "page tab", "entry", "switch",
                 "radio button", "slider"}


def saved_setting(config_home, key):
    keyfile = pathlib.Path(config_home) / "glib-2.0" / "settings" / "keyfile"
    if not keyfile.exists():
        return None
    parser = configparser.ConfigParser()
    parser.read(keyfile)
    return parser.get("io/github/forkyard/Forkyard", key, fallback=None)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def unnamed_controls(app):
    bad = []
    for frame in app.frames():
        for node in find_all(frame, showing=True):
            try:
                if node.getRoleName() not in CONTROL_ROLES:
                    continue
                # Widgets with no area (a disabled search bar's entry) are
                # not something a user can reach.
                extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
                if extents.width <= 0 or extents.height <= 0:
                    continue
                # Without a name of its own, GTK falls back to the class name.
                name = node.name.strip()
            except Exception:
                continue  # it vanished while we looked
            if not name or name.startswith(("Gtk", "Adw")):
                bad.append(f"{node.getRoleName()} {name!r}")
    return bad


def close_secondary_windows(app):
    # The main window is the app's first; the others are dialogs, closed the
    # way the window manager would close them.
    for frame in app.frames()[1:]:
        action = frame.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        assert "window.close" in names, f"{frame.name!r} cannot be closed"
        action.doAction(names.index("window.close"))
    wait_for(lambda: len(app.frames()) == 1, "dialogs to close")


def open_menu_item(app, words, label):
    # GtkMenuButton wraps an inner button of the same name that carries the
    # click action.
    buttons = [b for b in find_all(app.window, "push button", words["main_menu"])
               if b.queryAction().nActions]
    assert buttons, "no main menu button that can be pressed"
    press(buttons[0])
    item = wait_for(lambda: find(app.node, "menu item", label, showing=True),
                    f"menu item {label!r}")
    return item


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    parser.add_argument("--language", default="en", choices=sorted(WORDS))
    args = parser.parse_args()
    words = WORDS[args.language]
    tap = Tap()

    config_home = tempfile.mkdtemp(prefix="forkyard-test-")
    # A keyfile backend in a private config dir shows what persists.
    env = app_env(APP_G_DEBUG, config_home,
                  LANGUAGE=args.language if args.language != "en" else "")

    app = App(args.app, env)
    try:
        tap.check(app.window.name == "Forkyard",
                  "the main window is named Forkyard", f"got {app.window.name!r}")

        def pages_present():
            for name in words["pages"]:
                assert find(app.window, "page tab", name, showing=True), f"no page tab {name!r}"
        tap.run("the view switcher shows the three pages", pages_present)

        def selected_pages():
            # Only the window's own switcher: the Run page has one of its
            # own (Workers, Timeline, Results).
            return [n.name for n in find_all(app.window, "page tab")
                    if n.name in words["pages"] and is_selected(n)]

        def run_page_first():
            assert find(app.window, "panel", words["page_titles"][0]), "no Run page"
            assert set(selected_pages()) == {words["pages"][0]}, f"selected: {selected_pages()}"
        tap.run("the Run page is the one selected at start", run_page_first)

        suffix = "" if args.language == "en" else f"-{args.language}"
        shot = pathlib.Path(args.outdir) / f"forkyard-main-window{suffix}.png"

        def take_screenshot():
            time.sleep(0.5)  # let the first frame settle
            screenshot(shot)
            width, height = png_size(shot)
            assert (width, height) == (1280, 860), f"screenshot is {width}×{height}"
            assert shot.stat().st_size > 8000, "screenshot looks empty"
        tap.run(f"a screenshot is saved as {shot.name}", take_screenshot)

        def switch_pages():
            for name, title in zip(words["pages"], words["page_titles"]):
                assert find(app.window, "panel", title), f"no page {title!r}"
                press(find(app.window, "page tab", name, showing=True))
                wait_for(lambda n=name: set(selected_pages()) == {n}, f"page {name!r} selected")
            press(find(app.window, "page tab", words["pages"][0], showing=True))
        tap.run("pressing each page tab shows its page", switch_pages)

        def menu_items():
            open_menu_item(app, words, words["menu"][0])
            for label in words["menu"]:
                assert find(app.node, "menu item", label, showing=True), f"no menu item {label!r}"
        tap.run("the main menu holds Preferences, Keyboard Shortcuts, About and Quit", menu_items)

        def preferences():
            press(find(app.node, "menu item", words["menu"][0], showing=True))
            prefs = wait_for(lambda: [f for f in app.frames()
                                      if f.name == words["preferences"] and is_showing(f)],
                             "the preferences window")[0]
            for label in words["pref_controls"]:
                wait_for(lambda l=label: find(prefs, "spin button", l), f"spin button {label!r}")
            bad = unnamed_controls(app)
            assert not bad, f"controls without a name: {bad}"
            close_secondary_windows(app)
        tap.run("Preferences opens a window whose controls all have names", preferences)

        def shortcuts():
            item = open_menu_item(app, words, words["menu"][1])
            press(item)
            wait_for(lambda: len(app.frames()) == 2, "the shortcuts window")
        tap.run("Keyboard Shortcuts opens the shortcuts window", shortcuts)

        def about():
            close_secondary_windows(app)
            press(open_menu_item(app, words, words["menu"][2]))
            wait_for(lambda: len(app.frames()) == 2, "the about window")
            about_window = app.frames()[1]
            wait_for(lambda: find(about_window, "label", "0.1.0"), "the version in the about window")
            assert find(about_window, "label", "Forkyard"), "no application name"
        tap.run("About shows the application's name and version", about)

        def resize():
            # There is no window manager on the virtual display, so the
            # resize comes from X itself, as a user's drag would end.
            subprocess.run(["xdotool", "search", "--sync", "--name", "^Forkyard$",
                            "windowsize", "%@", "900", "640"], check=True, timeout=20)
            wait_for(lambda: saved_setting(config_home, "window-width") == "900"
                     and saved_setting(config_home, "window-height") == "640",
                     "window-width=900 and window-height=640 in the settings")
        tap.run("resizing the window is saved in GSettings", resize)

        def quit_from_menu():
            close_secondary_windows(app)
            item = open_menu_item(app, words, words["menu"][3])
            try:
                press(item)
            except Exception as error:
                # The app may leave the bus before it answers the press
                # that ended it; its exit status is what counts.
                if "disconnected" not in str(error) and "reply" not in str(error):
                    raise
            assert app.wait_exit() == 0, "the app did not exit cleanly"
        tap.run("Quit in the menu ends the app with status 0", quit_from_menu)
    finally:
        app.close()

    def restored():
        again = App(args.app, env)
        try:
            extents = again.window.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
            # The frame's extents leave out the client-side decorations' edge.
            assert abs(extents.width - 900) <= 16 and abs(extents.height - 640) <= 16, \
                f"window came back at {extents.width}×{extents.height}"
        finally:
            again.close()
    tap.run("the next start restores the saved window size", restored)

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
