// What a path run produces: one certified point per lambda, plus what writers need to know.
#pragma once

#include "sparsepath/core/types.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sparsepath {

struct ScreeningStats {
  Index safe_screened = 0;     // features removed by safe rules at the end of the point
  Index strong_discarded = 0;  // features left out by unsafe rules at the start
  Index kkt_violations = 0;    // discarded features the KKT re-check had to add back
  Index dynamic_screened = 0;  // features safe rules removed inside the optimizer's solves
  Index working_set = 0;       // size of the final working set
};

struct PathPoint {
  double lambda = 0.0;
  double intercept = 0.0;                           // original scale
  std::vector<std::pair<Index, double>> coefficients;  // original scale, nonzeros only
  double objective = 0.0;       // internal (standardised) objective, glmnet's scale
  double dual_objective = 0.0;
  double duality_gap = 0.0;
  double gap_tolerance = 0.0;
  double max_kkt_violation = 0.0;  // over unpenalised coordinates and the intercept
  bool converged = false;
  Status status = Status::ok;
  std::string message;
  long long passes = 0;
  long long outer_iterations = 0;
  double flops = 0.0;              // optimizer and certificate work, estimated (see PathSolver)
  double seconds = 0.0;
  double deviance_ratio = 0.0;     // 1 - F(w) / F(0), glmnet's dev.ratio
  ScreeningStats screening;
  // Designs with interaction features: nonzero interactions (on the fitted scale) with a main
  // effect at zero, i.e. that break strong hierarchy (-1: the design has no interactions). The
  // original-scale coefficients always list both main effects, so they cannot show it.
  Index hierarchy_violations = -1;
};

struct PathResult {
  std::vector<std::string> feature_names;
  Index samples = 0;
  Index features = 0;
  double lambda_max = 0.0;
  double null_objective = 0.0;
  std::vector<PathPoint> points;
  std::string stop_reason;   // "grid exhausted", "max_nonzeros reached", ...
  bool complete = true;      // false if interrupted
  double setup_flops = 0.0;  // lambda_max, Gram matrix: work before the first point (estimated)
  // The fitted-scale coefficients (nonzeros) and intercept of the last point that finished, and
  // how many points had finished then: where `sparsepath fit --resume` restarts an interrupted run.
  std::vector<std::pair<Index, double>> resume_coefficients;
  double resume_intercept = 0.0;
  Index resume_points = 0;
};

// Metadata the writers record next to the path.
struct RunInfo {
  std::string experiment;
  std::string loss;
  std::string penalty;
  std::string optimizer;
  std::map<std::string, std::string> metadata;  // key=value lines (family, alpha, n, p, ...)
  double fit_seconds = 0.0;
};

}  // namespace sparsepath
