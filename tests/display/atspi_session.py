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
