#!/usr/bin/env Rscript
# Cross-validation references from R glmnet's cv.glmnet for sparsepath's `cv` command.
#
# Run by developers when the references must be regenerated -- NOT part of CI.
#
#   Rscript tools/reference/cv_glmnet_reference.R [<data_dir> [<out_dir>]]
#
#   data_dir  holds diabetes.csv and breast_cancer.csv (target `y` last); default configs/data.
#   out_dir   default tests/regression/reference.
#
# For each case it writes
#   <case>.lambda.txt   the lambda grid (glmnet's own default grid for the full data), given to
#                       both cv.glmnet and sparsepath so the grids are identical;
#   <case>.foldid.txt   the fold of each row, 1-based (sample(rep(1:10, length = n)), seed 20261122);
#   <case>.cv.csv       lambda_index (0-based), lambda, measure, mean (cvm), se (cvsd), and
#                       lambda_min / lambda_1se flags, for each measure.
# cv.glmnet is run with the fold ids and lambda given, standardize = TRUE, thresh = 1e-12.
suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
repo <- normalizePath(file.path(script_dir, "..", ".."))
data_dir <- if (length(args) >= 1) args[1] else file.path(repo, "configs", "data")
out_dir <- if (length(args) >= 2) args[2] else file.path(repo, "tests", "regression", "reference")

run_case <- function(name, file, family, measures) {
  data <- read.csv(file.path(data_dir, file))
  x <- as.matrix(data[, setdiff(names(data), "y")])
  y <- data$y
  set.seed(20261122)
  foldid <- sample(rep(1:10, length.out = nrow(x)))
  lambda <- glmnet(x, y, family = family, standardize = TRUE)$lambda
  writeLines(sprintf("%.17g", lambda), file.path(out_dir, paste0(name, ".lambda.txt")))
  writeLines(as.character(foldid), file.path(out_dir, paste0(name, ".foldid.txt")))
  rows <- list()
  for (measure in measures) {
    fit <- cv.glmnet(x, y, family = family, lambda = lambda, foldid = foldid, type.measure = measure,
                     standardize = TRUE, thresh = 1e-12, maxit = 1e7)
    rows[[measure]] <- data.frame(
      lambda_index = seq_along(fit$lambda) - 1, lambda = sprintf("%.17g", fit$lambda), measure = measure,
      mean = sprintf("%.17g", fit$cvm), se = sprintf("%.17g", fit$cvsd),
      lambda_min = as.integer(fit$lambda == fit$lambda.min), lambda_1se = as.integer(fit$lambda == fit$lambda.1se))
  }
  write.csv(do.call(rbind, rows), file.path(out_dir, paste0(name, ".cv.csv")), row.names = FALSE, quote = FALSE)
  cat(name, ": ", length(lambda), " lambdas, n = ", nrow(x), "\n", sep = "")
}

run_case("diabetes_cv", "diabetes.csv", "gaussian", c("mse", "mae"))
run_case("breast_cancer_cv", "breast_cancer.csv", "binomial", c("deviance", "auc", "class"))
