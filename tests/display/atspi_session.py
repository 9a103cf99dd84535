# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives the running app through its accessibility tree, as a screen reader
user would: find by role and name, press, read."""

import os
import subprocess
import time

import pyatspi

TIMEOUT = 20.0


def wait_for(predicate, what, timeout=TIMEOUT):
    """Polls @predicate until it returns something true. A predicate that
    trips over a node vanishing under it is simply asked again."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as error:
            value, last_error = None, error
        if value:
            return value
        time.sleep(0.1)
    detail = f" (last error: {last_error})" if last_error else ""
    raise AssertionError(f"timed out waiting for {what}{detail}")


def walk_children(node):
    try:
        return [child for child in node if child is not None]
    except Exception:
        return []


def walk(node):
    """Every node below @node. Widgets come and go while a test walks (a
    closing popover takes its items with it): a node that vanished between
    two reads is skipped, not an error."""
    yield node
    for child in walk_children(node):
        yield from walk(child)


def is_showing(node):
    # GTK 4.8 sets "showing" on windows only; "visible" is what it keeps
    # up to date on widgets.
    states = node.getState()
    return states.contains(pyatspi.STATE_SHOWING) or states.contains(pyatspi.STATE_VISIBLE)


def is_selected(node):
    return node.getState().contains(pyatspi.STATE_SELECTED)


def matches(root, role=None, name=None, showing=False):
    # Every property read is a round trip on the bus: test the cheap,
    # selective ones first and stop as soon as the caller has enough.
    for node in walk(root):
        try:
            if role is not None and node.getRoleName() != role:
                continue
            if name is not None and node.name != name:
                continue
            if showing and not is_showing(node):
                continue
        except Exception:
            continue  # it vanished while we looked
        yield node


def find_all(root, role=None, name=None, showing=False):
    return list(matches(root, role, name, showing))


def find(root, role=None, name=None, showing=False):
    return next(matches(root, role, name, showing), None)


def press(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "press", "activate"):
            action.doAction(i)
            return
    raise AssertionError(f"{node.getRoleName()} {node.name!r} cannot be pressed")


def click(node):
    """A left click in the middle of @node, through X as a pointer would,
    in the app's main window ("Forkyard")."""
    extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Forkyard$"],
                            check=True, capture_output=True, text=True, timeout=20).stdout.split()[0]
    subprocess.run(["xdotool", "mousemove", "--window", window,
                    str(extents.x + extents.width // 2), str(extents.y + extents.height // 2),
                    "click", "1"], check=True, timeout=20)


def key(*names):
    subprocess.run(["xdotool", "key", *names], check=True, timeout=20)


def _popup_items(combo):
    """The item texts of @combo's open list, or None while it is closed: a
    combo row's list lives in a popover below it."""
    for node in walk(combo):
        if node.getRoleName() == "filler" and node.name == "GtkPopover" and is_showing(node):
            items = find(node, "list")
            if items is None:
                return None
            texts = []
            for item in walk_children(items):
                if item.getRoleName() == "list item":
                    label = find(item, "label")
                    texts.append(label.name if label is not None else None)
            return texts or None
    return None


def choose(root, name, item):
    """Picks @item in the drop-down list named @name as a keyboard user
    does: opens its list, goes to the top (Home), down to the item and
    presses Return. The row's accessible description is its choice: it
    must then read @item."""
    combo = wait_for(lambda: find(root, "combo box", name, showing=True), f"the {name!r} list")
    if combo.description == item:
        return combo
    click(combo)
    texts = wait_for(lambda: _popup_items(combo), f"the {name!r} list to open")
    assert item in texts, f"{item!r} is not among the choices of {name!r}: {texts}"
    key("Home", *(["Down"] * texts.index(item)), "Return")
    wait_for(lambda: combo.description == item, f"{name!r} to read {item!r}")
    return combo


def app_env(g_debug, config_home=None, **extra):
    """The app's environment under test: the accessibility bridge on, the C
    locale, the given G_DEBUG, and the settings in CONFIG_HOME's keyfile (in
    memory without one); EXTRA on top."""
    env = {"GTK_A11Y": "atspi", "G_DEBUG": g_debug,
           "LANGUAGE": "", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    if config_home is None:
        env["GSETTINGS_BACKEND"] = "memory"
    else:
        env.update(GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=str(config_home))
    env.update(extra)
    return env


def screenshot(path):
    subprocess.run(f"xwd -root -silent | convert xwd:- png:'{path}'",
                   shell=True, check=True)


class App:
    """The app under test, started in this display and bus."""

    def __init__(self, program, env=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.process = subprocess.Popen([program], env=full_env)
        self.node = wait_for(self._lookup, "the app on the accessibility bus")
        self.window = wait_for(lambda: find(self.node, "frame", showing=True),
                               "the main window")

    def _lookup(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == "forkyard" and app.childCount > 0:
                return app
        return None

    def frames(self):
        """The app's windows on screen; hidden ones (a closed shortcuts
        window is only hidden) stay in the tree but are left out."""
        frames = []
        for child in walk_children(self.node):
            try:
                if (child.getRoleName() in ("frame", "dialog")
                        and child.getState().contains(pyatspi.STATE_VISIBLE)):
                    frames.append(child)
            except Exception:
                continue  # a window that went away while we looked
        return frames

    def wait_exit(self, timeout=TIMEOUT):
        return self.process.wait(timeout=timeout)

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=TIMEOUT)
