#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: test-include-ladder.py SOURCE_ROOT DIR...

The include graph is a ladder: no two files of the named source folders
need each other, directly or through others. A file's module is its name
without ".c", ".h" or "-private.h"; module A needs module B when a file of
A includes a header of B. Any loop of needs fails, however long, and is
printed as the chain that closes it. Prints TAP: one line per folder.
"""

import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def module_of(path):
    return path.parent / re.sub(r'(-private)?\.[ch]$', '', path.name)


def needs(root, folder):
    graph = {}
    for path in sorted((root / folder).glob('*.[ch]')):
        module = module_of(path.relative_to(root))
        for name in INCLUDE.findall(path.read_text(errors='replace')):
            # "core/fy-x.h" names a folder under src/; a bare name is a sibling.
            target = pathlib.Path('src') / name if '/' in name else pathlib.Path(folder) / name
            if not (root / target).exists():
                continue
            other = module_of(target)
            if other != module:
                graph.setdefault(module, set()).add(other)
    return graph


def loops(graph):
    """One chain of needs per loop found, each closed by its first module:
    a depth-first walk reports every edge back onto its own path."""
    found = []
    state = {}
    path = []

    def walk(module):
        state[module] = 'open'
        path.append(module)
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 'open':
                chain = path[path.index(other):] + [other]
                found.append([str(m) for m in chain])
            elif other not in state:
                walk(other)
        path.pop()
        state[module] = 'done'

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    folders = sys.argv[2:]
    failed = False
    for n, folder in enumerate(folders, 1):
        graph = needs(root, folder)
        cycles = loops(graph)
        if cycles:
            failed = True
            print(f'not ok {n} - {folder}: no two files need each other')
            for chain in cycles:
                if len(chain) == 3:
                    print(f'# {chain[0]} and {chain[1]} include each other\'s headers')
                else:
                    print('# a loop of includes: ' + ' -> '.join(chain))
        else:
            print(f'ok {n} - {folder}: no two files need each other')
    print(f'1..{len(folders)}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
