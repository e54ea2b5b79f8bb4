#!/usr/bin/env Rscript
# glmnet on one benchmark case, on the case's lambda grid file.
#
#   Rscript tools/bench/peers/glmnet.R data=DIR family=gaussian|binomial alpha=1 \
#       lambda=DIR/lambda_a1.txt out=PATH.csv [reps=3] [thresh=1e-7]
#
# Reads X (X.f64: raw float64 column-major, or X.mtx: Matrix Market -> dgCMatrix) and y.txt
# from the case directory produced by tools/bench/gen_data.py. Fits
#   glmnet(X, y, family, alpha, lambda = grid, standardize = TRUE, intercept = TRUE, thresh)
# 'reps' times; only the glmnet() call is timed (elapsed). Writes the last fit as a
# benchpath-v1 path file (coefficients on the original scale; '# fit_seconds=' is the median)
# and prints one line "glmnet fit_seconds=<median> runs=<t1;t2;...> nlambda=<K>".
suppressPackageStartupMessages({
  library(glmnet)
  library(Matrix)
})

opt <- list(data = NA, family = "gaussian", alpha = "1", lambda = NA, out = NA,
            reps = "3", thresh = "1e-7")
for (arg in commandArgs(trailingOnly = TRUE)) {
  eq <- regexpr("=", arg, fixed = TRUE)
  if (eq < 1) stop("arguments are key=value; got '", arg, "'")
  opt[[substr(arg, 1, eq - 1)]] <- substr(arg, eq + 1, nchar(arg))
}
for (key in c("data", "lambda", "out")) if (is.na(opt[[key]])) stop("missing ", key, "=...")
alpha <- as.numeric(opt$alpha)
reps <- max(1L, as.integer(opt$reps))
thresh <- as.numeric(opt$thresh)

meta <- paste(readLines(file.path(opt$data, "meta.json"), warn = FALSE), collapse = " ")
meta_int <- function(key) as.integer(sub(sprintf('.*"%s": ([0-9]+).*', key), "\\1", meta))
n <- meta_int("n")
p <- meta_int("p")

if (file.exists(file.path(opt$data, "X.f64"))) {
  con <- file(file.path(opt$data, "X.f64"), "rb")
  X <- matrix(readBin(con, "double", n * p, size = 8, endian = "little"), n, p)
  close(con)
} else {
  X <- as(readMM(file.path(opt$data, "X.mtx")), "CsparseMatrix")   # dgCMatrix
}
stopifnot(nrow(X) == n, ncol(X) == p)
y <- scan(file.path(opt$data, "y.txt"), quiet = TRUE)
grid <- scan(opt$lambda, comment.char = "#", quiet = TRUE)

times <- numeric(reps)
for (r in seq_len(reps)) {
  invisible(gc())
  times[r] <- system.time(
    fit <- glmnet(X, y, family = opt$family, alpha = alpha, lambda = grid,
                  standardize = TRUE, intercept = TRUE, thresh = thresh)
  )[["elapsed"]]
}
median_seconds <- median(times)

B <- coef(fit)                                   # (p + 1) x K, row 1 = intercept
K <- ncol(B)
b0 <- as.numeric(B[1, ])
W <- as(B[-1, , drop = FALSE], "CsparseMatrix")
lines <- c("# format=benchpath-v1", "# tool=glmnet",
           sprintf("# tool_version=glmnet %s (%s)", packageVersion("glmnet"), R.version.string),
           sprintf("# family=%s", opt$family), sprintf("# alpha=%s", format(alpha)),
           "# standardize=true", sprintf("# thresh=%g", thresh), sprintf("# n=%d", n),
           sprintf("# p=%d", p), sprintf("# nlambda=%d", K), sprintf("# npasses=%d", fit$npasses),
           sprintf("# jerr=%d", fit$jerr), sprintf("# fit_seconds=%.6f", median_seconds),
           sprintf("# fit_seconds_runs=%s", paste(sprintf("%.6f", times), collapse = ";")),
           "lambda_index,lambda,intercept,feature,coef")
body <- vector("list", K)
for (k in seq_len(K)) {
  lo <- W@p[k] + 1L
  hi <- W@p[k + 1L]
  rows <- sprintf("%d,%.17g,%.17g,,", k - 1L, fit$lambda[k], b0[k])
  if (hi >= lo) {
    j <- W@i[lo:hi]
    v <- W@x[lo:hi]
    keep <- v != 0
    rows <- c(rows, sprintf("%d,%.17g,%.17g,%d,%.17g", k - 1L, fit$lambda[k], b0[k],
                            j[keep], v[keep]))
  }
  body[[k]] <- rows
}
dir.create(dirname(opt$out), showWarnings = FALSE, recursive = TRUE)
tmp <- paste0(opt$out, ".tmp")
writeLines(c(lines, unlist(body)), tmp)
invisible(file.rename(tmp, opt$out))
cat(sprintf("glmnet fit_seconds=%.6f runs=%s nlambda=%d\n", median_seconds,
            paste(sprintf("%.4f", times), collapse = ";"), K))
