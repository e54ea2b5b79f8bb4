"""Shared helpers of the benchmark harness: case loading and benchpath-v1 path files.

benchpath-v1 (also sparsepath's path.csv): '# key=value' metadata lines, then the header
'lambda_index,lambda,intercept,feature,coef'; per lambda one marker row with empty
feature/coef, then one row per nonzero coefficient (original scale).  Feature names are
column names (x17 in the CSV data of the benchmarks) or 0-based column indices (17).
"""
import json
import os
import re

import numpy as np
import scipy.sparse as sp

HEADER = "lambda_index,lambda,intercept,feature,coef"


def load_meta(case_dir):
    with open(os.path.join(case_dir, "meta.json")) as f:
        return json.load(f)


def load_X(case_dir, meta=None):
    """Dense: (n, p) float64 Fortran-ordered view of X.f64 (memory-mapped).
    Sparse: scipy CSC matrix."""
    meta = meta or load_meta(case_dir)
    if meta["storage"] == "dense":
        raw = np.fromfile(os.path.join(case_dir, "X.f64"), dtype="<f8")
        return raw.reshape(meta["p"], meta["n"]).T       # column-major (n, p)
    X = sp.load_npz(os.path.join(case_dir, "X.npz")).tocsc()
    X.sort_indices()
    return X


def load_y(case_dir):
    return np.loadtxt(os.path.join(case_dir, "y.txt"), dtype=np.float64)


def load_lambdas(path):
    return np.loadtxt(path, comments="#", dtype=np.float64, ndmin=1)


_name = re.compile(r"^x?(\d+)$")


def feature_index(name):
    m = _name.match(name)
    if not m:
        raise ValueError("cannot map feature name '%s' to a column index" % name)
    return int(m.group(1))


def read_path(path):
    """-> dict(meta, lambdas (K,), intercepts (K,), coefs: list of {column index: value})."""
    meta = {}
    lam, icpt, coefs = [], [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                kv = line[1:].strip()
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    meta[k.strip()] = v.strip()
                continue
            if not line or line == HEADER:
                continue
            k, l, b, feat, c = line.split(",", 4)
            k = int(k)
            if k == len(lam):
                lam.append(float(l))
                icpt.append(float(b))
                coefs.append({})
            elif k != len(lam) - 1:
                raise ValueError("%s: lambda_index %d out of order" % (path, k))
            if feat in ("", "-1"):
                continue
            v = float(c)
            if v != 0.0:
                coefs[k][feature_index(feat)] = v
    return dict(meta=meta, lambdas=np.array(lam), intercepts=np.array(icpt), coefs=coefs)


def write_path(path, lambdas, intercepts, W, meta):
    """W: (p, K) dense array of original-scale coefficients; zeros are not written."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# format=benchpath-v1\n")
        for k, v in meta.items():
            f.write("# %s=%s\n" % (k, v))
        f.write(HEADER + "\n")
        for k in range(len(lambdas)):
            f.write("%d,%.17g,%.17g,,\n" % (k, lambdas[k], intercepts[k]))
            for j in np.flatnonzero(W[:, k]):
                f.write("%d,%.17g,%.17g,%d,%.17g\n" % (k, lambdas[k], intercepts[k], j, W[j, k]))
    os.replace(tmp, path)


def column_sd(X):
    """1/n standard deviation of every column (dense or sparse)."""
    n = X.shape[0]
    if sp.issparse(X):
        m = np.asarray(X.mean(axis=0)).ravel()
        m2 = np.asarray(X.multiply(X).sum(axis=0)).ravel() / n
        return np.sqrt(np.maximum(m2 - m * m, 0.0))
    return X.std(axis=0)     # numpy's std divides by n
