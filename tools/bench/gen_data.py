#!/usr/bin/python3
"""Deterministic data for the sparsepath benchmarks (numpy PCG64, one fixed seed per case).

    /usr/bin/python3 tools/bench/gen_data.py [--quick] [--cases a,b,c,d1,d2] [--root DIR]

prints one line per case: "<case> <directory>".  A case directory is
<root>/<full|quick>/<case>-<hash>/ where <hash> is a SHA-256 prefix of
GENERATOR_VERSION and the case's parameters, so a changed recipe lands in a new
directory and an unchanged one is reused (the directory is only created, atomically,
once everything in it has been written).

Files in a case directory:

  meta.json        n, p, family, storage, parameters, SHA-256 of X/y, lambda grid summary
  y.txt            response, one value per line (%.17g); binomial: 0/1
  dense cases
    X.f64          X as raw little-endian float64, column-major (column j contiguous)
    data.csv       header x0,...,x{p-1},y then n rows, shortest round-trip decimals
                   (parse back to exactly the doubles in X.f64); for sparsepath
  sparse case
    X.mtx          Matrix Market 'coordinate real general', entries column by column
                   (%.17g); for sparsepath ([data] type = matrix_market) and R
    X.npz          the same matrix as scipy CSC (scipy.sparse.save_npz), for Python
  lambda_a<alpha>.txt   the lambda grid every tool uses for this elastic-net mixing
                   parameter: one value per line ('#' comment lines first), decreasing
  beta_true.csv    feature,coef (feature -1 is the intercept), original scale
  groups.txt       grouped case only: one group label per feature (g0, g0, ..., g199)

Lambda grid = glmnet's default for (family, alpha, standardize=TRUE, intercept=TRUE):
lambda_max = max_j |<x_j - mean_j, y - mean(y)>| / (n s_j) / max(alpha, 1e-3), s_j the
1/n standard deviation of column j (for the binomial family y - mean(y) is the residual
of the null model), then 100 values geometric down to lambda_max * lambda_min_ratio with
lambda_min_ratio = 1e-4 if n >= p else 1e-2 (glmnet: nobs < nvars -> 1e-2).

Gaussian responses are rescaled to a 1/n standard deviation of exactly 1: glmnet
standardizes y internally and for alpha < 1 its lambda then refers to y/sd(y); with
sd(y) = 1 that scaling is a no-op and every tool solves the same problem.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pathio import column_sd  # noqa: E402  (one definition of glmnet's 1/n sd)

GENERATOR_VERSION = 1
N_LAMBDA = 100
ALPHAS = (1.0, 0.5)

# Full-size cases.  kind: dense_gauss | dense_logit | sparse_gauss | group_gauss | interact_gauss
CASES = {
    "a": dict(kind="dense_gauss", n=10000, p=1000, k=20, rho=0.5, snr=3.0, seed=71001,
              what="dense, n=10000 p=1000, AR(1) rho=0.5, shifted/scaled columns, "
                   "20 true nonzeros, gaussian SNR 3"),
    "b": dict(kind="dense_gauss", n=500, p=20000, k=20, rho=0.5, snr=3.0, seed=71002,
              what="dense wide, n=500 p=20000, AR(1) rho=0.5, shifted/scaled columns, "
                   "20 true nonzeros, gaussian SNR 3"),
    "c": dict(kind="sparse_gauss", n=20000, p=50000, k=20, density=0.001, snr=3.0, seed=71003,
              what="sparse, n=20000 p=50000 density 0.001 (lognormal values), "
                   "20 true nonzeros, gaussian SNR 3"),
    "d1": dict(kind="dense_logit", n=10000, p=1000, k=20, rho=0.5, eta_sd=2.0, b0=0.3,
               seed=71004, what="dense logistic, n=10000 p=1000, AR(1) rho=0.5, "
                                "shifted/scaled columns, 20 true nonzeros, sd(eta)=2"),
    "d2": dict(kind="dense_logit", n=500, p=20000, k=20, rho=0.5, eta_sd=2.0, b0=0.3,
               seed=71005, what="dense logistic wide, n=500 p=20000, AR(1) rho=0.5, "
                                "shifted/scaled columns, 20 true nonzeros, sd(eta)=2"),
    "e": dict(kind="interact_gauss", n=1000, p=200, k_main=6, k_int=4, snr=3.0, main_range=(1.0, 2.0), pair_range=(0.5, 1.5), seed=71007,
              what="interactions, n=1000 p=200 iid N(0,1), 6 main effects and 4 of their pairwise "
                   "products (strong hierarchy), gaussian SNR 3 (the shape of "
                   "../shared/bench/gen_data.py case e)"),
    "e1000": dict(kind="interact_gauss", n=1000, p=1000, k_main=6, k_int=4, snr=3.0, main_range=(1.0, 2.0), pair_range=(0.5, 1.5), seed=71008,
                  what="as e with p=1000 (about 500 000 pairs)"),
    "e2000": dict(kind="interact_gauss", n=1000, p=2000, k_main=6, k_int=4, snr=3.0, main_range=(1.0, 2.0), pair_range=(0.5, 1.5), seed=71009,
                  what="as e with p=2000 (about 2 million pairs)"),
    "f": dict(kind="group_gauss", n=2000, groups=200, group_size=10, rho=0.5, active_groups=5,
              active_within=5, snr=3.0, seed=71006,
              what="grouped, n=2000 p=2000 = 200 groups of 10 (within-group equicorrelation "
                   "0.5), 5 active groups with 5 nonzeros each, gaussian SNR 3 (the shape of "
                   "../shared/bench/gen_data.py case f)"),
}


def case_params(name, quick):
    """Parameters of a case; --quick divides n and p by 10 (the sparse case keeps
    its expected 20 nonzeros per column, so its density goes up tenfold)."""
    c = dict(CASES[name])
    if quick and c["kind"] == "interact_gauss":  # p/10 would leave too few columns: n/2 only
        c["n"] //= 2
        c["seed"] += 500
        c["what"] = "quick (n/2) version of: " + c["what"]
        return c
    if quick and c["kind"] == "group_gauss":  # keep the groups of 10: fewer groups instead
        c["n"] //= 10
        c["groups"] //= 10
        c["seed"] += 500
        c["what"] = "quick (n/10, groups/10) version of: " + c["what"]
        return c
    if quick:
        c["n"] //= 10
        c["p"] //= 10
        if "density" in c:
            c["density"] *= 10
        c["seed"] += 500
        c["what"] = "quick (n/10, p/10) version of: " + c["what"]
    return c


def case_hash(name, params):
    blob = json.dumps(dict(generator_version=GENERATOR_VERSION, case=name, params=params),
                      sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


# ------------------------------------------------------------------ designs and responses
def ar1_columns(rng, n, p, rho):
    """Columns z_j = rho z_{j-1} + sqrt(1 - rho^2) e_j: unit variance, corr rho^|j-k|."""
    Z = np.empty((n, p), order="F")
    Z[:, 0] = rng.standard_normal(n)
    innov = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        Z[:, j] = rho * Z[:, j - 1] + innov * rng.standard_normal(n)
    return Z


def shift_and_scale(rng, Z):
    """x_j = m_j + s_j z_j with m_j ~ N(0, 2^2) and log s_j ~ U(log 1/4, log 4), so that
    centring, standardization and the intercept all matter."""
    p = Z.shape[1]
    m = 2.0 * rng.standard_normal(p)
    s = np.exp(rng.uniform(np.log(0.25), np.log(4.0), p))
    Z *= s
    Z += m
    return Z, m, s


def effects(rng, k):
    """k effects of size U(0.5, 2) with random signs (per standard deviation of x_j)."""
    return rng.choice(np.array([-1.0, 1.0]), size=k) * rng.uniform(0.5, 2.0, size=k)


def unit_sd(y):
    sd = np.sqrt(np.mean((y - y.mean()) ** 2))
    return y / sd, 1.0 / sd


def make_dense(rng, c):
    n, p, k = c["n"], c["p"], c["k"]
    Z = ar1_columns(rng, n, p, c["rho"])
    X, m, s = shift_and_scale(rng, Z)
    support = np.sort(rng.choice(p, size=k, replace=False))
    beta = effects(rng, k) / s[support]                 # original scale
    centred = X[:, support] @ beta - m[support] @ beta  # mean-zero linear predictor
    if c["kind"] == "dense_gauss":
        noise_sd = np.sqrt(np.var(centred) / c["snr"])
        y = 2.0 + centred + noise_sd * rng.standard_normal(n)
        y, f = unit_sd(y)
        beta = beta * f
        b0 = f * 2.0 - m[support] @ beta
        family = "gaussian"
    else:
        f = c["eta_sd"] / np.std(centred)
        beta = beta * f
        eta = c["b0"] + f * centred
        y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
        b0 = c["b0"] - m[support] @ beta
        family = "binomial"
    return X, y, family, b0, support, beta


def make_sparse(rng, c):
    n, p, k = c["n"], c["p"], c["k"]
    nnz = int(round(n * p * c["density"]))
    # distinct uniformly random positions: draw with replacement, deduplicate, top up
    pos = np.unique(rng.integers(0, n * p, size=nnz + nnz // 20 + 16, dtype=np.int64))
    while pos.size < nnz:
        pos = np.unique(np.concatenate([pos, rng.integers(0, n * p, size=nnz // 10 + 16)]))
    pos = np.sort(rng.permutation(pos)[:nnz])          # column-major linear index
    cols, rows = pos // n, pos % n
    vals = rng.lognormal(0.0, 1.0, size=nnz)
    X = sp.csc_matrix((vals, (rows, cols)), shape=(n, p))
    X.sort_indices()
    per_col = np.diff(X.indptr)
    support = np.sort(rng.choice(np.flatnonzero(per_col >= 10), size=k, replace=False))
    xs = X[:, support].toarray()
    sd = xs.std(axis=0)
    beta = effects(rng, k) / sd
    centred = xs @ beta - xs.mean(axis=0) @ beta
    noise_sd = np.sqrt(np.var(centred) / c["snr"])
    y = 2.0 + centred + noise_sd * rng.standard_normal(n)
    y, f = unit_sd(y)
    beta = beta * f
    b0 = f * 2.0 - xs.mean(axis=0) @ beta
    return X, y, "gaussian", b0, support, beta


def make_interactions(rng, c):
    """iid N(0,1) columns; k_main main effects and k_int products of two of them (strong
    hierarchy); the response's 1/n standard deviation is rescaled to 1."""
    n, p = c["n"], c["p"]
    X = np.asfortranarray(rng.standard_normal((n, p)))
    mains = np.sort(rng.choice(p, size=c["k_main"], replace=False))
    candidates = [(int(mains[a]), int(mains[b])) for a in range(mains.size) for b in range(a + 1, mains.size)]
    chosen = sorted(candidates[t] for t in rng.choice(len(candidates), size=c["k_int"], replace=False))
    # Effect sizes as in the shared generator's case e: main effects U(1, 2), pairs U(0.5, 1.5),
    # random signs.
    main_effects = rng.choice(np.array([-1.0, 1.0]), size=mains.size) * rng.uniform(*c["main_range"], size=mains.size)
    pair_effects = rng.choice(np.array([-1.0, 1.0]), size=len(chosen)) * rng.uniform(*c["pair_range"], size=len(chosen))
    signal = X[:, mains] @ main_effects
    for (i, k), value in zip(chosen, pair_effects):
        signal = signal + value * X[:, i] * X[:, k]
    noise_sd = np.sqrt(np.var(signal) / c["snr"])
    y = 1.0 + signal + noise_sd * rng.standard_normal(n)
    y, f = unit_sd(y)
    support = [int(j) for j in mains]
    beta = list(main_effects * f)
    # beta_true.csv lists main effects by column and pairs as "i:k" (written by generate()).
    return X, y, "gaussian", f * 1.0, (support, chosen), (beta, list(pair_effects * f))


def make_grouped(rng, c):
    """Groups of equicorrelated columns: x = sqrt(rho) u_g + sqrt(1 - rho) e (unit variance,
    correlation rho inside a group, 0 across); a few active groups, a few effects in each."""
    n, groups, size, rho = c["n"], c["groups"], c["group_size"], c["rho"]
    p = groups * size
    X = np.empty((n, p), order="F")
    for g in range(groups):
        shared = rng.standard_normal(n)
        for t in range(size):
            X[:, g * size + t] = np.sqrt(rho) * shared + np.sqrt(1.0 - rho) * rng.standard_normal(n)
    active = np.sort(rng.choice(groups, size=c["active_groups"], replace=False))
    support = np.sort(np.concatenate([g * size + rng.choice(size, size=c["active_within"], replace=False)
                                      for g in active]))
    beta = effects(rng, support.size)
    centred = X[:, support] @ beta
    centred -= centred.mean()
    noise_sd = np.sqrt(np.var(centred) / c["snr"])
    y = 1.0 + centred + noise_sd * rng.standard_normal(n)
    y, f = unit_sd(y)
    beta = beta * f
    b0 = f * 1.0 - X[:, support].mean(axis=0) @ beta
    return X, y, "gaussian", b0, support, beta


# ------------------------------------------------------------------ lambda grid
def glmnet_grid(X, y, alpha):
    n, p = X.shape
    r = y - y.mean()                    # sum(r) = 0, so X^T r = (X - 1 mean^T)^T r
    g = np.abs(np.asarray(X.T @ r).ravel()) / n
    s = column_sd(X)
    g = np.where(s > 0, g / np.where(s > 0, s, 1.0), 0.0)
    lam_max = g.max() / max(alpha, 1e-3)
    ratio = 1e-2 if n < p else 1e-4
    return lam_max * ratio ** (np.arange(N_LAMBDA) / (N_LAMBDA - 1.0)), ratio


# ------------------------------------------------------------------ writers
def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def write_dense_csv(path, X, y):
    n, p = X.shape
    with open(path, "w") as f:
        f.write(",".join("x%d" % j for j in range(p)) + ",y\n")
        step = max(1, 2_000_000 // p)
        for s in range(0, n, step):
            block = np.column_stack([X[s:s + step], y[s:s + step]]).tolist()
            # repr() of a float is the shortest string that parses back to the same double
            f.write("".join(",".join(map(repr, row)) + "\n" for row in block))


def write_mtx(path, X):
    C = X.tocsc()
    C.sort_indices()
    cols = np.repeat(np.arange(C.shape[1]), np.diff(C.indptr))
    with open(path, "w") as f:
        f.write("%%MatrixMarket matrix coordinate real general\n")
        f.write("%d %d %d\n" % (C.shape[0], C.shape[1], C.nnz))
        step = 250_000
        for s in range(0, C.nnz, step):
            f.write("".join("%d %d %.17g\n" % t for t in
                            zip((C.indices[s:s + step] + 1).tolist(),
                                (cols[s:s + step] + 1).tolist(), C.data[s:s + step].tolist())))


def generate(name, quick, root):
    params = case_params(name, quick)
    final = os.path.join(root, "quick" if quick else "full", "%s-%s" % (name, case_hash(name, params)))
    if os.path.exists(os.path.join(final, "meta.json")):
        return final, False
    tmp = final + ".partial-%d" % os.getpid()
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    t0 = time.time()
    rng = np.random.Generator(np.random.PCG64(params["seed"]))
    if params["kind"] == "sparse_gauss":
        X, y, family, b0, support, beta = make_sparse(rng, params)
    elif params["kind"] == "group_gauss":
        X, y, family, b0, support, beta = make_grouped(rng, params)
    elif params["kind"] == "interact_gauss":
        X, y, family, b0, support, beta = make_interactions(rng, params)
    else:
        X, y, family, b0, support, beta = make_dense(rng, params)
    n, p = X.shape
    hashes = {}
    if sp.issparse(X):
        write_mtx(os.path.join(tmp, "X.mtx"), X)
        sp.save_npz(os.path.join(tmp, "X.npz"), X.tocsc(), compressed=False)
        hashes["X.mtx"] = sha256_file(os.path.join(tmp, "X.mtx"))
    else:
        np.asfortranarray(X).T.astype("<f8").tofile(os.path.join(tmp, "X.f64"))
        hashes["X.f64"] = sha256_file(os.path.join(tmp, "X.f64"))
        write_dense_csv(os.path.join(tmp, "data.csv"), X, y)
    if params["kind"] == "group_gauss":
        with open(os.path.join(tmp, "groups.txt"), "w") as f:
            f.writelines("g%d\n" % (j // params["group_size"]) for j in range(p))
    with open(os.path.join(tmp, "y.txt"), "w") as f:
        f.writelines("%.17g\n" % v for v in y)
    hashes["y.txt"] = sha256_file(os.path.join(tmp, "y.txt"))
    with open(os.path.join(tmp, "beta_true.csv"), "w") as f:
        f.write("feature,coef\n-1,%.17g\n" % b0)
        if params["kind"] == "interact_gauss":  # main effects by column, pairs as "i:k"
            (mains, pairs), (main_values, pair_values) = support, beta
            f.writelines("%d,%.17g\n" % (j, v) for j, v in zip(mains, main_values))
            f.writelines("%d:%d,%.17g\n" % (i, k, v) for (i, k), v in zip(pairs, pair_values))
        else:
            f.writelines("%d,%.17g\n" % (j, v) for j, v in zip(support, beta))
    grids = {}
    for alpha in ALPHAS:
        lam, ratio = glmnet_grid(X, y, alpha)
        fn = "lambda_a%g.txt" % alpha
        with open(os.path.join(tmp, fn), "w") as f:
            f.write("# glmnet default grid: family=%s alpha=%g standardize=TRUE nlambda=%d "
                    "lambda_min_ratio=%g\n" % (family, alpha, N_LAMBDA, ratio))
            f.writelines("%.17g\n" % v for v in lam)
        grids["%g" % alpha] = dict(file=fn, lambda_max=float(lam[0]), lambda_min=float(lam[-1]),
                                   lambda_min_ratio=ratio)
    meta = dict(case=name, quick=quick, generator_version=GENERATOR_VERSION,
                hash=case_hash(name, params), params=params, n=int(n), p=int(p), family=family,
                storage="sparse" if sp.issparse(X) else "dense",
                nnz=int(X.nnz) if sp.issparse(X) else int(n * p),
                numpy=np.__version__, sha256=hashes, lambda_grids=grids,
                seconds=round(time.time() - t0, 2))
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    if os.path.exists(final):          # a stale incomplete directory
        shutil.rmtree(final)
    os.rename(tmp, final)
    return final, True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        "build", "bench-data"))
    a = ap.parse_args()
    for name in [c.strip() for c in a.cases.split(",") if c.strip()]:
        if name not in CASES:
            sys.exit("gen_data.py: unknown case '%s' (known: %s)" % (name, ", ".join(CASES)))
        t0 = time.time()
        d, made = generate(name, a.quick, a.root)
        print("%s %s" % (name, d))
        print("[gen] %s: %s (%.1f s)" % (name, "generated" if made else "cached", time.time() - t0),
              file=sys.stderr)


if __name__ == "__main__":
    main()
