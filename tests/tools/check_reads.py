#!/usr/bin/env python3
"""Every column a stage reads back from the store by name must be one the schema declares.

Reads src/schema.c for the declared columns (and the aliases the stages' own queries give
with AS), then every read by a literal name in src/: store_table_num/_text/_col(t, [row,]
"name"), the report's N()/S() and the rule writer's SET_TEXT/SET_INT. Prints each read of an
undeclared name as file:line and exits 1 when there is any; with --list, prints the names read.
The runtime check (store.h: store_table_check) catches the same at the first run of the code;
this one also covers code that no test reaches.
"""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
src = sys.argv[sys.argv.index('--src') + 1] if '--src' in sys.argv else os.path.join(root, 'src')
schema = open(os.path.join(src, 'schema.c')).read()
declared = set(re.findall(r'\{"(\w+)", S_(?:INT|REAL|TEXT|BLOB|ANY),', schema))
if len(declared) < 100:
    sys.exit('check_reads: src/schema.c declares only %d columns: its layout changed?' % len(declared))
# names given by the stages' own queries ("count(*) AS leads") and by SQLite's pragmas
aliases = set()
for f in glob.glob(os.path.join(src, '*.c')):
    aliases |= set(re.findall(r'\bAS (\w+)', open(f).read()))
pragma = {'name', 'type', 'notnull', 'dflt_value', 'pk', 'cid'}
known = declared | aliases | pragma

reads = [
    re.compile(r'store_table_(?:num|text)\(\s*[^,()]+,\s*[^,()]+,\s*"(\w+)"'),
    re.compile(r'store_table_col\(\s*[^,()]+,\s*"(\w+)"'),
    re.compile(r'\b(?:page_num|page_text|[NS])\(\s*[^,()]+,\s*[^,()]+,\s*"(\w+)"'),
    re.compile(r'\bSET_(?:TEXT|INT)\(\s*\w+,\s*"[^"]*",\s*\w+,\s*"(\w+)"'),
]
bad = 0
names = set()
nreads = 0
for f in sorted(glob.glob(os.path.join(src, '*.c')) + glob.glob(os.path.join(src, 'cli', '*.c'))):
    text = open(f).read()
    for rx in reads:
        for m in rx.finditer(text):
            names.add(m.group(1))
            nreads += 1
            if m.group(1) not in known:
                line = text.count('\n', 0, m.start()) + 1
                print('%s:%d: reads column "%s", which src/schema.c does not declare'
                      % (os.path.relpath(f, src), line, m.group(1)))
                bad += 1
if '--list' in sys.argv:
    print('\n'.join(sorted(names)))
print('check_reads: %d reads by name of %d columns, %d undeclared' % (nreads, len(names), bad))
sys.exit(1 if bad else 0)
