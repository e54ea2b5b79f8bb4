#!/usr/bin/python3
"""Accuracy of path files against a reference path, on glmnet's objective.

    /usr/bin/python3 tools/bench/compare.py --data CASE_DIR --family gaussian --alpha 1 \
        --ref tight/path.csv  NAME=path.csv [NAME=path.csv ...]  [--json out.json]

Every path (the reference included) is evaluated the same way, in Python, from its
original-scale coefficients and the case's data:

  F(b, beta) = L(b, beta) + lambda * sum_j [ alpha |beta_j s_j| + (1 - alpha)/2 (beta_j s_j)^2 ]
  gaussian   L = 1/(2n) ||y - b - X beta||^2
  binomial   L = (1/n) sum_i [ log(1 + exp(eta_i)) - y_i eta_i ],  eta = b + X beta

with s_j the 1/n standard deviation of column j (glmnet's standardize=TRUE problem written
on the original scale).  Per tool and lambda index k (over the lambdas both paths have):

  subopt_k   = (F_tool,k - F_ref,k) / |F_ref,k|        -> worst = max_k (signed: a value
               below 0 means the tool is below the reference, i.e. reference noise)
  jaccard_k  = |S_tool & S_ref| / |S_tool | S_ref|   (1 when both are empty) -> min_k
               S = { j : |beta_j| s_j > 1e-12 }: a standardized coefficient below 1e-12
               counts as zero (glmnet leaves ~1e-16 values at lambda_max, for example)
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pathio  # noqa: E402

ZERO = 1e-12


class Case:
    def __init__(self, case_dir):
        self.meta = pathio.load_meta(case_dir)
        self.X = pathio.load_X(case_dir, self.meta)
        self.y = pathio.load_y(case_dir)
        self.n, self.p = self.X.shape
        self.sd = pathio.column_sd(self.X)

    def objectives(self, P, family, alpha, K):
        """F_k for k < K of path P (dict from pathio.read_path)."""
        cols = sorted({j for c in P["coefs"][:K] for j in c})
        W = np.zeros((len(cols), K))
        pos = {j: t for t, j in enumerate(cols)}
        for k, c in enumerate(P["coefs"][:K]):
            for j, v in c.items():
                W[pos[j], k] = v
        if cols:
            C = self.X[:, cols]
            eta = np.asarray(C @ W) if sp.issparse(C) else np.asfortranarray(C) @ W
        else:
            eta = np.zeros((self.n, K))
        eta += P["intercepts"][None, :K]
        if family == "gaussian":
            loss = 0.5 * np.mean((self.y[:, None] - eta) ** 2, axis=0)
        else:
            loss = np.mean(np.logaddexp(0.0, eta) - self.y[:, None] * eta, axis=0)
        sw = W * self.sd[cols][:, None] if cols else W
        pen = alpha * np.abs(sw).sum(axis=0) + 0.5 * (1.0 - alpha) * (sw ** 2).sum(axis=0)
        return loss + P["lambdas"][:K] * pen

    def support(self, coefs):
        return {j for j, v in coefs.items() if abs(v) * self.sd[j] > ZERO}


def compare(case, family, alpha, ref, tools):
    """ref: path dict; tools: {name: path dict}.  -> {name: metrics}."""
    out = {}
    for name, P in tools.items():
        K = min(len(P["lambdas"]), len(ref["lambdas"]))
        if K == 0:
            out[name] = dict(lambdas=len(P["lambdas"]), compared=0)
            continue
        lam_dev = float(np.max(np.abs(P["lambdas"][:K] - ref["lambdas"][:K]) / ref["lambdas"][:K]))
        Fr = case.objectives(ref, family, alpha, K)
        Ft = case.objectives(P, family, alpha, K)
        rel = (Ft - Fr) / np.abs(Fr)
        jac = []
        for k in range(K):
            a, b = case.support(P["coefs"][k]), case.support(ref["coefs"][k])
            u = len(a | b)
            jac.append(1.0 if u == 0 else len(a & b) / u)
        jac = np.array(jac)
        out[name] = dict(
            lambdas=len(P["lambdas"]), compared=K, lambda_grid_max_rel_dev=lam_dev,
            worst_subopt=float(rel.max()), worst_subopt_at=int(rel.argmax()),
            best_subopt=float(rel.min()), median_subopt=float(np.median(rel)),
            min_jaccard=float(jac.min()), min_jaccard_at=int(jac.argmin()),
            lambdas_same_support=int(np.sum(jac == 1.0)),
            max_support=int(max(len(case.support(c)) for c in P["coefs"][:K])),
            subopt=[float(v) for v in rel], jaccard=[float(v) for v in jac],
            objective=[float(v) for v in Ft], ref_objective=[float(v) for v in Fr])
    return out


def main():
    ap = argparse.ArgumentParser(description="objective-based accuracy of path files")
    ap.add_argument("--data", required=True)
    ap.add_argument("--family", choices=["gaussian", "binomial"])
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--ref", required=True, help="reference path (e.g. sparsepath at 1e-12)")
    ap.add_argument("tools", nargs="+", help="NAME=path.csv")
    ap.add_argument("--json")
    a = ap.parse_args()
    case = Case(a.data)
    family = a.family or case.meta["family"]
    ref = pathio.read_path(a.ref)
    tools = {}
    for t in a.tools:
        name, _, fn = t.partition("=")
        tools[name] = pathio.read_path(fn or name)
    res = compare(case, family, a.alpha, ref, tools)
    print("%-24s %8s %12s %12s %10s %8s" % ("tool", "lambdas", "worst subopt", "median", "min Jacc",
                                            "lam dev"))
    for name, r in res.items():
        if not r.get("compared"):
            print("%-24s %8d (nothing to compare)" % (name, r["lambdas"]))
            continue
        print("%-24s %8d %12.2e %12.2e %10.3f %8.1e" % (name, r["lambdas"], r["worst_subopt"],
                                                        r["median_subopt"], r["min_jaccard"],
                                                        r["lambda_grid_max_rel_dev"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
