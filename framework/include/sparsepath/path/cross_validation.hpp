// K-fold cross-validation over a path, the cv.glmnet way: the full data's fit gives the lambda
// grid (and is the refit reported at the chosen lambdas), every fold is fitted on the other folds
// at that grid with no early stops, its held-out rows are predicted at every lambda, and each
// metric's per-fold (weighted) means give a mean and standard error per lambda. lambda_min is
// the largest lambda at the best mean; lambda_1se the largest whose mean is within one standard
// error of it (glmnet's 1-SE rule).
#pragma once

#include "sparsepath/path/experiment.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sparsepath {

// Metrics by loss: squared: mse, mae; logistic: deviance, auc, accuracy, log_loss.
std::vector<std::string> metrics_of_loss(const std::string& loss);
// cv.glmnet's default: mse for squared, deviance for logistic.
std::string default_measure(const std::string& loss);
// auc and accuracy are maximised; the others minimised.
bool metric_is_maximized(const std::string& metric);

// Per-row values of a metric that averages over rows (every metric but auc), for targets y in
// the loss's internal coding (logistic: 0/1) and predictions on the link scale.
double row_metric(const std::string& metric, double y, double link);
// The weighted AUC (Mann-Whitney; ties count one half) of scores against 0/1 labels; NaN when
// one class is missing.
double weighted_auc(const Vector& y, const Vector& scores, const Vector& weights);
// A metric over rows: the weighted mean of row_metric, or weighted_auc.
double metric_value(const std::string& metric, const Vector& y, const Vector& link, const Vector& weights);

// The target in the loss's internal coding (logistic: -1 becomes 0), checked as the loss would;
// `file` names it in the message.
Vector internal_target(const std::string& loss, const Vector& y, const std::filesystem::path& file);

// Fold ids 1..folds, one per row: rows shuffled with the seed (a generator whose sequence is
// fixed by the seed alone, on every platform) and dealt out in turn; with `stratify` (binary
// targets, 0/1) each class is shuffled and dealt out on its own, so every fold gets its share.
std::vector<int> make_fold_ids(const Vector& y, Index folds, bool stratify, std::uint64_t seed);
// One integer per line, one line per data row, 1-based (glmnet's foldid). Throws Error naming the
// file and line for a missing or extra line, a value that is not an integer >= 1, or a fold
// between 1 and the largest id with no rows.
std::vector<int> read_fold_ids(const std::filesystem::path& file, Index rows);

struct CrossValidationOptions {
  Index folds = 10;                                // ignored when fold_ids_file is given
  std::optional<std::filesystem::path> fold_ids_file;
  std::uint64_t seed = 1;
  std::string measure;                              // empty: default_measure(loss)
  std::filesystem::path output_directory;
  bool overwrite = false;
  const std::atomic<bool>* interrupt = nullptr;
  std::ostream* warnings = nullptr;
  std::function<void(const std::string& stage)> progress;  // "full data", "fold 3/10", ...
  // Several processes (MPI ranks) sharing the output's filesystem: every rank calls
  // run_cross_validation with its rank; rank 0 fits the full data and writes the outputs, fold f
  // is fitted by rank (f - 1) mod ranks. barrier() must synchronise all ranks.
  int rank = 0, ranks = 1;
  std::function<void()> barrier;
};

struct MetricCurve {
  std::vector<double> mean, se;  // per lambda; NaN where no fold has the point
};

struct CrossValidationResult {
  std::string loss, measure;
  std::vector<double> lambdas;                   // the full data's grid
  std::vector<Index> nonzeros;                   // of the full data's fit, per lambda
  std::map<std::string, MetricCurve> curves;     // every metric of the loss
  Index index_min = 0, index_1se = 0;
  double lambda_min = 0.0, lambda_1se = 0.0;
  std::vector<int> fold_ids;
  std::filesystem::path output_directory;
};

// The selection rules on one curve (maximize: auc, accuracy): returns {index_min, index_1se}.
std::pair<Index, Index> select_lambdas(const std::vector<double>& lambdas, const MetricCurve& curve, bool maximize);

// Writes DIR/full (the fit on all data), DIR/fold-K (each fold's fit), DIR/fold_ids.txt, DIR/cv.csv
// (lambda_index,lambda,metric,mean,se) and DIR/cv.json (measure, lambda_min, lambda_1se, the
// curves, and the refit's coefficients at both lambdas), all staged and renamed into place.
CrossValidationResult run_cross_validation(const RunSpec& spec, PluginManager& plugins,
                                           const CrossValidationOptions& options);

}  // namespace sparsepath
