#!/usr/bin/env Rscript
# Reference regularization paths from R glmnet for sparsepath's regression tests.
#
# Run by developers when the references must be regenerated -- NOT part of CI.
#
#   Rscript tools/reference/glmnet_reference.R [<data_dir> [<out_dir>]]
#
#   data_dir  directory holding diabetes.csv and breast_cancer.csv (header row,
#             target column `y` last). Default: <repo>/configs/data if it holds
#             those files, else <repo>/../shared/data.
#   out_dir   where the files are written. Default: <repo>/tests/regression/reference.
#
# For every case it writes
#   <case>.path.csv       benchpath-v1 path (see /work/shared/bench/FORMAT.md) of the
#                         tight fit (thresh=1e-14, maxit=1e7), coefficients on the
#                         original scale of the data;
#   <case>.objective.csv  per lambda: objective of the tight fit and of a fit at
#                         glmnet's default thresh (1e-7) on the same lambda grid,
#                         plus df and dev.ratio of the tight fit.
#
# Objective (glmnet's scale, data term averaged over the n samples):
#   F(a0, b) = L(a0, b) + lambda * sum_j [ alpha*|s_j b_j| + (1-alpha)/2 * (s_j b_j)^2 ]
#   gaussian  L = 1/(2n) * sum_i (y_i - a0 - x_i.b)^2
#   binomial  L = -(1/n) * sum_i [ y_i*eta_i - log(1 + exp(eta_i)) ],  eta = a0 + X b
#   s_j = sqrt(mean((x_j - mean(x_j))^2))   (1/n standard deviation)
#
# Gaussian with alpha < 1: glmnet divides y by s_y (1/n sd of y) before fitting and
# reports lambda on y's original scale. That is exact for the lasso, but the ridge
# part then comes out divided by s_y: on the original scale glmnet(alpha=a, lambda=l)
# minimises  L + l*a*sum|s b| + l*(1-a)/2 * sum (s b)^2 / s_y.
# To get the minimiser of F above at lambda (the problem sparsepath and
# bench/compare.py define), the gaussian alpha<1 fits call glmnet with
#   alpha_glmnet  = alpha / (alpha + (1 - alpha) * s_y)
#   lambda_glmnet = lambda * (alpha + (1 - alpha) * s_y)
# (so lambda_glmnet*alpha_glmnet = lambda*alpha and
#  lambda_glmnet*(1-alpha_glmnet)/s_y = lambda*(1-alpha)), on the lambda grid of
# glmnet's own default call with the requested alpha. The path file records
# lambda and alpha of F; the glmnet values are in its metadata. The KKT check
# below verifies the result (glmnet's plain call fails it by a factor ~ s_y).
#
# Checks printed per case: per-lambda (F_tight - F_default)/|F_default| (must be
# <= 1e-12), its max |.|, and the largest KKT violation of the tight fit
# (relative to lambda*s_j). Exit status 1 if the objective check fails.

suppressPackageStartupMessages(library(glmnet))

THRESH_TIGHT <- 1e-14
MAXIT_TIGHT <- 1e7
THRESH_DEFAULT <- 1e-7   # glmnet's default
NLAMBDA <- 100L
CHECK_TOL <- 1e-12

cases <- list(
  list(name = "diabetes_lasso",         file = "diabetes.csv",      family = "gaussian", alpha = 1),
  list(name = "diabetes_enet",          file = "diabetes.csv",      family = "gaussian", alpha = 0.5),
  list(name = "breast_cancer_logistic", file = "breast_cancer.csv", family = "binomial", alpha = 1),
  list(name = "breast_cancer_enet",     file = "breast_cancer.csv", family = "binomial", alpha = 0.5)
)
data_files <- unique(vapply(cases, `[[`, "", "file"))

# ---- arguments ---------------------------------------------------------------
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
})
repo_root <- normalizePath(file.path(script_dir, "..", ".."), mustWork = FALSE)
if (!file.exists(file.path(repo_root, "CMakeLists.txt"))) repo_root <- getwd()

args <- commandArgs(trailingOnly = TRUE)
has_data <- function(d) dir.exists(d) && all(file.exists(file.path(d, data_files)))
data_dir <- if (length(args) >= 1L) args[[1]] else {
  cfg <- file.path(repo_root, "configs", "data")
  if (has_data(cfg)) cfg else file.path(repo_root, "..", "shared", "data")
}
out_dir <- if (length(args) >= 2L) args[[2]] else file.path(repo_root, "tests", "regression", "reference")
if (!has_data(data_dir))
  stop("data directory ", data_dir, " lacks ", paste(data_files, collapse = ", "))
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
data_dir <- normalizePath(data_dir); out_dir <- normalizePath(out_dir)
glmnet_version <- as.character(packageVersion("glmnet"))
cat(sprintf("glmnet %s, %s\ndata: %s\nout:  %s\n", glmnet_version, R.version.string,
            data_dir, out_dir))

num <- function(x) sprintf("%.17g", x)

# ---- helpers -------------------------------------------------------------------
read_case_data <- function(path) {
  d <- read.csv(path, check.names = FALSE)
  if (names(d)[ncol(d)] != "y") stop(path, ": last column is not 'y'")
  X <- as.matrix(d[, -ncol(d), drop = FALSE]); storage.mode(X) <- "double"
  list(X = X, y = as.numeric(d[[ncol(d)]]), names = colnames(X))
}

sd_n <- function(v) sqrt(mean((v - mean(v))^2))

# Coefficients (original scale) as a dense (p+1) x K matrix, row 1 = intercept.
coef_matrix <- function(fit) as.matrix(coef(fit))

# F(a0, b) per lambda for a coefficient matrix B.
objective <- function(B, lambda, X, y, s, family, alpha) {
  n <- nrow(X)
  eta <- sweep(X %*% B[-1, , drop = FALSE], 2, B[1, ], `+`)
  data_term <- if (family == "gaussian") {
    colSums((y - eta)^2) / (2 * n)
  } else {
    # log(1 + exp(eta)) computed stably
    softplus <- pmax(eta, 0) + log1p(exp(-abs(eta)))
    -colSums(y * eta - softplus) / n
  }
  bs <- B[-1, , drop = FALSE] * s
  data_term + lambda * (alpha * colSums(abs(bs)) + (1 - alpha) / 2 * colSums(bs^2))
}

# Largest KKT (stationarity) violation of F per lambda, relative to lambda*s_j.
kkt_violation <- function(B, lambda, X, y, s, family, alpha) {
  n <- nrow(X)
  vapply(seq_along(lambda), function(k) {
    b <- B[-1, k]; eta <- B[1, k] + drop(X %*% b)
    mu <- if (family == "gaussian") eta else 1 / (1 + exp(-eta))
    g <- drop(crossprod(X, mu - y)) / n + lambda[k] * (1 - alpha) * s^2 * b
    l1 <- lambda[k] * alpha * s
    v <- ifelse(b != 0, abs(g + l1 * sign(b)), pmax(abs(g) - l1, 0))
    max(v / (lambda[k] * s))
  }, 0.0)
}

write_path_csv <- function(fn, meta, lambda, B, fnames) {
  lines <- c("# format=benchpath-v1", sprintf("# %s=%s", names(meta), unlist(meta)),
             "lambda_index,lambda,intercept,feature,coef")
  for (k in seq_along(lambda)) {
    b <- B[-1, k]; nz <- which(b != 0)
    lines <- c(lines, sprintf("%d,%s,%s,,", k - 1L, num(lambda[k]), num(B[1, k])))
    if (length(nz))
      lines <- c(lines, sprintf("%d,%s,%s,%s,%s", k - 1L, num(lambda[k]), num(B[1, k]),
                                fnames[nz], num(b[nz])))
  }
  tmp <- paste0(fn, ".tmp"); writeLines(lines, tmp); invisible(file.rename(tmp, fn))
}

# ---- main ----------------------------------------------------------------------
all_ok <- TRUE
summary_rows <- list()
for (cs in cases) {
  D <- read_case_data(file.path(data_dir, cs$file))
  X <- D$X; y <- D$y; n <- nrow(X); p <- ncol(X); alpha <- cs$alpha
  s <- apply(X, 2, sd_n)
  yfit <- if (cs$family == "binomial") factor(y, levels = c(0, 1)) else y

  # glmnet's own call with the requested alpha: its default grid (may stop early).
  fit0 <- glmnet(X, yfit, family = cs$family, alpha = alpha, nlambda = NLAMBDA,
                 standardize = TRUE, intercept = TRUE, thresh = THRESH_TIGHT,
                 maxit = MAXIT_TIGHT)
  lambda <- fit0$lambda; K <- length(lambda)

  rescale <- cs$family == "gaussian" && alpha < 1
  if (rescale) {
    sy <- sd_n(y)
    fac <- alpha + (1 - alpha) * sy
    alpha_g <- alpha / fac
    fit_g <- function(thresh, maxit)
      glmnet(X, yfit, family = cs$family, alpha = alpha_g, lambda = lambda * fac,
             standardize = TRUE, intercept = TRUE, thresh = thresh, maxit = maxit)
    fit_t <- fit_g(THRESH_TIGHT, MAXIT_TIGHT)
    fit_d <- fit_g(THRESH_DEFAULT, 1e5)
  } else {
    fac <- 1; alpha_g <- alpha
    fit_t <- fit0
    fit_d <- glmnet(X, yfit, family = cs$family, alpha = alpha, lambda = lambda,
                    standardize = TRUE, intercept = TRUE, thresh = THRESH_DEFAULT)
  }
  if (length(fit_t$lambda) != K || length(fit_d$lambda) != K)
    stop(cs$name, ": refit returned ", length(fit_t$lambda), "/", length(fit_d$lambda),
         " lambdas, expected ", K)
  Bt <- coef_matrix(fit_t); Bd <- coef_matrix(fit_d)
  obj_t <- objective(Bt, lambda, X, y, s, cs$family, alpha)
  obj_d <- objective(Bd, lambda, X, y, s, cs$family, alpha)
  rel <- (obj_t - obj_d) / abs(obj_d)
  kkt_t <- kkt_violation(Bt, lambda, X, y, s, cs$family, alpha)
  kkt_d <- kkt_violation(Bd, lambda, X, y, s, cs$family, alpha)
  if (rescale) {   # what glmnet's plain call would have given (for the record)
    kkt_plain <- kkt_violation(coef_matrix(fit0), lambda, X, y, s, cs$family, alpha)
    cat(sprintf("%s: glmnet's plain alpha=%g call violates KKT of F by up to %.3g (rel); using alpha_glmnet=%.17g, lambda_glmnet=lambda*%.17g\n",
                cs$name, alpha, max(kkt_plain), alpha_g, fac))
  }
  ok <- all(rel <= CHECK_TOL)
  all_ok <- all_ok && ok

  meta <- list(tool = "glmnet", tool_version = glmnet_version, case = cs$name,
               data = cs$file, family = cs$family, penalty = "enet",
               alpha = format(alpha), standardize = "TRUE", intercept = "TRUE",
               thresh = format(THRESH_TIGHT), maxit = format(MAXIT_TIGHT),
               n = n, p = p, nlambda = K, lambda_min_ratio = "glmnet_default",
               weights = "unit")
  if (rescale) meta <- c(meta, list(glmnet_alpha = num(alpha_g), glmnet_lambda_factor = num(fac)))
  meta <- c(meta, list(objective = "mean_over_samples"))
  write_path_csv(file.path(out_dir, paste0(cs$name, ".path.csv")), meta, lambda, Bt, D$names)

  obj_lines <- c("lambda_index,lambda,objective_tight,objective_default,df,dev_ratio",
                 sprintf("%d,%s,%s,%s,%d,%s", seq_len(K) - 1L, num(lambda), num(obj_t),
                         num(obj_d), as.integer(fit_t$df), num(fit_t$dev.ratio)))
  writeLines(obj_lines, file.path(out_dir, paste0(cs$name, ".objective.csv")))

  cat(sprintf("%-24s n=%d p=%d lambdas=%d  max|rel obj diff(1e-7 vs 1e-14)|=%.3g  max rel (tight-default)=%.3g  %s  kkt_tight=%.3g kkt_default=%.3g\n",
              cs$name, n, p, K, max(abs(rel)), max(rel), if (ok) "OK" else "FAIL",
              max(kkt_t), max(kkt_d)))
  if (!ok) cat("  tight > default at lambda_index:", which(rel > CHECK_TOL) - 1L, "\n")
  summary_rows[[cs$name]] <- c(K, max(abs(rel)))
}
if (!all_ok) { cat("objective check FAILED\n"); quit(status = 1) }
cat("all checks passed\n")
