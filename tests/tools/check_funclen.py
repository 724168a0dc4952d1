#!/usr/bin/env python3
"""No function in src/ is longer than 120 lines (the house rule: split it along its steps).

A function is counted from its opening brace in column 0 to its closing brace in column 0, as
clang-format lays them out (make check-style checks the formatting first). Prints every
function over the limit as file:line name (lines) and exits 1 when there is any.
"""
import glob
import os
import sys

LIMIT = 120
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
src = sys.argv[sys.argv.index('--src') + 1] if '--src' in sys.argv else os.path.join(root, 'src')
over = 0
count = 0
for f in sorted(glob.glob(os.path.join(src, '*.c')) + glob.glob(os.path.join(src, 'cli', '*.c'))):
    lines = open(f).read().split('\n')
    start = None
    for i, line in enumerate(lines):
        if line.startswith('{') and start is None:
            start = i
            j = i - 1
            while j >= 0 and '(' not in lines[j]:
                j -= 1
            name = lines[j].split('(')[0].split()[-1].lstrip('*') if j >= 0 else '?'
        elif line.startswith('}') and start is not None:
            n = i - start + 1
            count += 1
            if n > LIMIT:
                print('%s:%d: %s is %d lines (at most %d)' % (os.path.relpath(f, src), start + 1,
                                                             name, n, LIMIT))
                over += 1
            start = None
print('check_funclen: %d functions, %d over %d lines' % (count, over, LIMIT))
sys.exit(1 if over else 0)
