#!/usr/bin/python3
"""scikit-learn on one benchmark case, on the case's lambda grid file.

    /usr/bin/python3 tools/bench/peers/sklearn.py --data DIR --family gaussian|binomial \
        --alpha 1 --lambda DIR/lambda_a1.txt --out PATH.csv [--reps 3] [--budget 60]

gaussian: sklearn.linear_model.enet_path (lasso_path when alpha = 1) with l1_ratio = alpha
  and alphas = the lambda grid, tol = 1e-7, on X centred and scaled to unit 1/n standard
  deviation and y centred.  sklearn minimises
      1/(2n) ||y - X w||^2 + a * l1_ratio * |w|_1 + a/2 * (1 - l1_ratio) * ||w||^2,
  which on standardized X is exactly glmnet's standardize=TRUE objective with lambda = a and
  glmnet's alpha = l1_ratio (the benchmark's y has 1/n sd 1, so glmnet's internal y scaling
  is a no-op).  The intercept is ybar - mean(X) . w.  Dense designs with n > p use the
  precomputed Gram matrix (precompute=True); sparse designs are scaled but not centred and
  pass X_offset so that sklearn centres implicitly.
binomial: LogisticRegression(penalty='l1', solver='liblinear', C = 1/(n lambda)) fitted at
  every lambda (liblinear has no warm start) on centred, standardized X:
  liblinear minimises |w|_1 + C sum_i log-loss_i, i.e. lambda |w|_1 + mean log-loss.
  liblinear also penalises its intercept (as lambda |b| / intercept_scaling); X is centred
  and intercept_scaling = 1000, which keeps the resulting suboptimality near 1e-7 (100 gives
  ~1e-5; 1e4 makes liblinear less accurate on wide data).

Timed region (per fit): standardization + the whole path + the back-transform to the
original scale, i.e. what glmnet does inside glmnet().  Each fit runs in a forked child
process; a fit that is still running after --budget seconds is killed and the tool is
reported as skipped for the case ('SKIPPED' line, no path file).  Repetitions stop early
once their total time exceeds --budget.
Prints "sklearn fit_seconds=<median> runs=<...> nlambda=<K>" or "sklearn SKIPPED ...".
"""
import argparse
import os
import pickle
import signal
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy
import scipy.sparse as sp

# This file is called sklearn.py: drop its own folder from the module path so that
# 'import sklearn' finds scikit-learn, not this script.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [d for d in sys.path if os.path.abspath(d or ".") != _here]
sys.path.insert(0, os.path.dirname(_here))
import pathio  # noqa: E402

import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression, enet_path, lasso_path  # noqa: E402


def standardize(X):
    """-> (Xs, mean, sd).  Dense: new Fortran-ordered, centred and scaled copy.
    Sparse: scaled CSC copy (never densified)."""
    n = X.shape[0]
    if sp.issparse(X):
        m = np.asarray(X.mean(axis=0)).ravel()
        sd = np.sqrt(np.maximum(np.asarray(X.multiply(X).sum(axis=0)).ravel() / n - m * m, 0.0))
        sd[sd == 0] = 1.0
        return (X @ sp.diags(1.0 / sd)).tocsc(), m, sd
    m = X.mean(axis=0)
    Xs = np.asfortranarray(X - m)
    sd = np.sqrt(np.einsum("ij,ij->j", Xs, Xs) / n)
    sd[sd == 0] = 1.0
    Xs /= sd
    return Xs, m, sd


def fit_gaussian(X, y, lam, alpha, tol, max_iter):
    n, p = X.shape
    Xs, m, sd = standardize(X)
    ybar = y.mean()
    yc = y - ybar
    kw = dict(alphas=lam, tol=tol, max_iter=max_iter, copy_X=False)
    if sp.issparse(Xs):
        kw.update(precompute=False, X_offset=m / sd, X_scale=np.ones(p))
    else:
        kw.update(precompute=bool(n > p))
    if alpha == 1.0:
        _, coefs, gaps = lasso_path(Xs, yc, **kw)
    else:
        _, coefs, gaps = enet_path(Xs, yc, l1_ratio=alpha, **kw)
    W = coefs / sd[:, None]
    return W, ybar - m @ W, dict(max_dual_gap=float(np.max(gaps)))


def fit_binomial(X, y, lam, alpha, tol, max_iter, intercept_scaling):
    if alpha != 1.0:
        raise SystemExit("sklearn.py: liblinear handles the lasso only (alpha = 1)")
    n, p = X.shape
    Xs, m, sd = standardize(X)
    W = np.zeros((p, len(lam)))
    b = np.zeros(len(lam))
    for k, l in enumerate(lam):
        model = LogisticRegression(penalty="l1", solver="liblinear", C=1.0 / (n * l), tol=tol,
                                   max_iter=max_iter, intercept_scaling=intercept_scaling)
        model.fit(Xs, y)
        W[:, k] = model.coef_.ravel()
        b[k] = model.intercept_[0]
    W /= sd[:, None]
    return W, b - m @ W, {}


def run_forked(fit, budget):
    """Runs fit() in a forked child; returns (seconds, W, b, info, n_warnings) or None if the
    child was still running after 'budget' seconds."""
    fd, result_file = tempfile.mkstemp(prefix="sklearn-fit-", suffix=".pkl")
    os.close(fd)
    pid = os.fork()
    if pid == 0:                                   # child
        code = 0
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                t0 = time.perf_counter()
                W, b, info = fit()
                seconds = time.perf_counter() - t0
            nwarn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
            with open(result_file, "wb") as f:
                pickle.dump((seconds, W, b, info, nwarn), f, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - reported by the parent
            with open(result_file, "wb") as f:
                pickle.dump(("error", repr(e)), f)
            code = 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + budget
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.unlink(result_file)
        return None
    with open(result_file, "rb") as f:
        result = pickle.load(f)
    os.unlink(result_file)
    if result[0] == "error":
        raise SystemExit("sklearn.py: the fit failed: %s" % result[1])
    return result


def main():
    ap = argparse.ArgumentParser(description="scikit-learn peer of the sparsepath benchmarks")
    ap.add_argument("--data", required=True)
    ap.add_argument("--family", required=True, choices=["gaussian", "binomial"])
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--lambda", dest="lambda_file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds one fit may take before sklearn is skipped on the case")
    ap.add_argument("--tol", type=float, default=1e-7)
    ap.add_argument("--max-iter", type=int, default=None,
                    help="default 100000 (coordinate descent epochs) / 1000 (liblinear)")
    ap.add_argument("--intercept-scaling", type=float, default=1000.0)
    a = ap.parse_args()

    meta = pathio.load_meta(a.data)
    X = pathio.load_X(a.data, meta)
    if not sp.issparse(X):
        X = np.asfortranarray(X)          # into memory (load_X memory-maps)
    y = pathio.load_y(a.data)
    lam = pathio.load_lambdas(a.lambda_file)
    if a.family == "gaussian":
        max_iter = a.max_iter or 100000
        fit = lambda: fit_gaussian(X, y, lam, a.alpha, a.tol, max_iter)  # noqa: E731
        method = "lasso_path" if a.alpha == 1.0 else "enet_path"
    else:
        max_iter = a.max_iter or 1000
        fit = lambda: fit_binomial(X, y, lam, a.alpha, a.tol, max_iter,  # noqa: E731
                                   a.intercept_scaling)
        method = "LogisticRegression(liblinear)"

    times = []
    result = None
    for _ in range(max(1, a.reps)):
        r = run_forked(fit, a.budget)
        if r is None:
            print("sklearn SKIPPED: one fit (%s) took more than %g s; killed" % (method, a.budget))
            return
        result = r
        times.append(r[0])
        if sum(times) > a.budget:
            break
    seconds, W, b, info, nwarn = result
    med = float(np.median(times))
    extra = {"max_dual_gap": "%.3g" % info["max_dual_gap"]} if "max_dual_gap" in info else {}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    pathio.write_path(a.out, lam, b, W, dict(
        tool="sklearn", method=method,
        tool_version="scikit-learn %s, numpy %s, scipy %s" % (
            sklearn.__version__, np.__version__, scipy.__version__),
        family=a.family, alpha="%g" % a.alpha, standardize="true", tol="%g" % a.tol,
        max_iter=max_iter, n=X.shape[0], p=X.shape[1], nlambda=len(lam),
        convergence_warnings=nwarn, fit_seconds="%.6f" % med,
        fit_seconds_runs=";".join("%.6f" % t for t in times), **extra))
    print("sklearn fit_seconds=%.6f runs=%s nlambda=%d method=%s convergence_warnings=%d" % (
        med, ";".join("%.4f" % t for t in times), len(lam), method, nwarn))


if __name__ == "__main__":
    main()
