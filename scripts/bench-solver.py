#!/usr/bin/python3
"""Times scikit-learn's LogisticRegression(penalty=None, solver='lbfgs') on the design that
`mqlcal fit --dump-design PREFIX` wrote, encoded the same way (one indicator per non-reference
level), and prints: seconds (median of RUNS fits, the fit call only), and the largest absolute
difference of its coefficients from mqlcal's (read from the store).
Usage: bench-solver.py PREFIX STORE RUNS
"""
import csv, sqlite3, statistics, sys, time

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

prefix, store, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
levels = {}
with open(prefix + "-levels.csv", newline="") as f:
    for row in csv.DictReader(f):
        levels.setdefault(row["attribute"], {})[int(row["level"])] = int(row["column"])
p = 1 + sum(1 for a in levels.values() for c in a.values() if c > 0)
data = np.loadtxt(prefix + ".csv", delimiter=",", skiprows=1, dtype=np.int32)
with open(prefix + ".csv", newline="") as f:
    names = next(csv.reader(f))[2:]
train = data[:, 1] == 0
y = data[train, 0]
codes = data[train, 2:]
rows, cols = [], []
for j, name in enumerate(names):
    colmap = np.array([levels[name].get(l, -1) for l in range(max(levels[name]) + 1)])
    c = colmap[codes[:, j]]
    keep = c > 0
    rows.append(np.nonzero(keep)[0])
    cols.append(c[keep] - 1)
rows, cols = np.concatenate(rows), np.concatenate(cols)
X = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(y), p - 1)).toarray()

times = []
for _ in range(runs):
    model = LogisticRegression(penalty=None, solver="lbfgs", max_iter=10000)
    t0 = time.perf_counter()
    model.fit(X, y)
    times.append(time.perf_counter() - t0)
db = sqlite3.connect(store)
fit_id = db.execute("SELECT max(fit_id) FROM fits").fetchone()[0]
ours = np.zeros(p)
ours[0] = db.execute("SELECT intercept FROM fits WHERE fit_id = ?", (fit_id,)).fetchone()[0]
for c, b in db.execute(
        "SELECT design_column, coef FROM fit_levels WHERE fit_id = ? AND design_column > 0",
        (fit_id,)):
    ours[c] = b if b is not None else 0.0
theirs = np.concatenate([model.intercept_, model.coef_[0]])
print(f"{statistics.median(times):.3f} {np.max(np.abs(theirs - ours)):.2e} {model.n_iter_[0]}")
