#!/usr/bin/python3
"""Time of ONE gradient-sized product g = X^T r with numpy (OpenBLAS), per case.

    /usr/bin/python3 tools/bench/gemv.py CASE_DIR [CASE_DIR ...] [--reps 30] [--json out.json]

X is held as the solvers hold it: dense float64 column-major (n, p), so X^T r streams
all of X once (a BLAS dgemv, memory-bandwidth bound); sparse CSC, where X^T r is scipy's
single-threaded CSR matvec of the transpose.  For each BLAS thread count (1 and 2, set
with threadpoolctl) the median of --reps calls after 3 warm-up calls is reported.
A path solver's time divided by this is a rough "number of full gradient passes"
(a time ratio, not a count of what the solver actually does).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pathio  # noqa: E402


def median_time(fn, reps):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def blas_description():
    for d in threadpool_info():
        if d.get("user_api") == "blas":
            return "%s %s (%s, %s)" % (d.get("internal_api"), d.get("version"),
                                      d.get("architecture"), os.path.basename(d.get("filepath", "")))
    return "unknown"


def measure(case_dir, reps):
    meta = pathio.load_meta(case_dir)
    X = pathio.load_X(case_dir, meta)
    if not sp.issparse(X):
        X = np.asfortranarray(X)
    r = np.random.default_rng(1).standard_normal(X.shape[0])
    XT = X.T                       # dense: C-ordered view; sparse: CSR view
    out = dict(case=meta["case"], n=meta["n"], p=meta["p"], storage=meta["storage"])
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            out["xtr_seconds_%d" % threads] = median_time(lambda: XT @ r, reps)
    return out


def main():
    ap = argparse.ArgumentParser(description="time of one X^T r per case")
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--json")
    a = ap.parse_args()
    res = dict(blas=blas_description(), numpy=np.__version__, cases=[])
    for d in a.cases:
        m = measure(d, a.reps)
        res["cases"].append(m)
        print("%-3s n=%-6d p=%-6d %-6s X^T r: %.3f ms (1 thread)  %.3f ms (2 threads)" % (
            m["case"], m["n"], m["p"], m["storage"], 1e3 * m["xtr_seconds_1"],
            1e3 * m["xtr_seconds_2"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
