// Cyclic coordinate descent for separable penalties (capability prox_1d).
//  - quadratic losses: exact coordinate minimisation on the residual, glmnet-style active-set
//    iterations (sweep the working set, then iterate on the nonzeros until they settle);
//  - other losses: proximal Newton (glmnet's IRLS outer loop) whose weighted least-squares
//    subproblems run the same kernel, with a backtracking line search on the true objective;
//    on tall dense designs the subproblems are solved in p x p space with a metric X^T H X
//    reused across steps and lambdas (solve_newton_metric);
//  - on a settled support, Newton steps with a Cholesky factor kept up to date across calls
//    (support_newton.hpp) replace the slow tail of coordinate passes (uniform weights).
#pragma once

#include "sparsepath/core/registry.hpp"

#include "support_newton.hpp"

namespace sparsepath::plugins {

enum class GramMode { automatic, always, never };

// The working set's columns of a sparse design copied next to each other (in working-set order)
// with their per-column constants: a pass then streams through one array instead of visiting
// columns scattered over the whole matrix (on the benchmark case c, 5 000-10 000 working columns
// of ~20 entries out of 50 000). The buffers are reused across calls: they only grow.
struct PackedSparseColumns {
  std::vector<Index> begin;              // position k: entries begin[k] .. begin[k + 1]
  std::vector<SparseMatrix::StorageIndex> row;
  std::vector<double> value;
  std::vector<double> mean, weighted_sum, curvature;  // per position
  std::vector<Index> positions;          // scratch: the active positions
  bool filled = false;  // row and value hold this solve's columns (reset by each solve)
};

struct CoordinateDescentOptions {
  long long max_newton_iterations = 200;
  GramMode gram = GramMode::automatic;
  int anderson_depth = 5;                   // 0: no Anderson acceleration
  double gram_memory_mb = 2048.0;           // cap on the cached Gram columns
  double min_curvature_probability = 1e-5;  // glmnet's pmin: IRLS weights floor
  bool support_newton = true;               // Newton steps on a settled support
  bool newton_metric = true;                // p x p proximal Newton for tall dense designs
  bool single_precision_metric = true;      // metric formed in single precision (BLAS-3 in half the time)
  bool is_valid(std::string* why) const;
};

class CoordinateDescent final : public Optimizer {
 public:
  explicit CoordinateDescent(const Params& params);
  static Schema schema();
  Capability required_penalty_capabilities() const override { return Capability::prox_1d; }
  Capability required_loss_capabilities() const override { return Capability::hessian_diag; }
  Outcome solve(const Problem& problem, std::span<const Index> working_set, SolverState& state,
                const SolveControl& control, SolveStats& stats) override;

 private:
  Outcome solve_quadratic(const Problem& problem, std::span<const Index> working_set,
                          SolverState& state, const SolveControl& control, SolveStats& stats);
  Outcome solve_gram(const Problem& problem, std::span<const Index> working_set,
                     SolverState& state, const SolveControl& control, SolveStats& stats);
  bool use_gram(const Problem& problem, std::span<const Index> working_set) const;
  Eigen::Ref<const Vector> gram_column(const Problem& problem, Index j);
  Outcome solve_newton(const Problem& problem, std::span<const Index> working_set,
                       SolverState& state, const SolveControl& control, SolveStats& stats);
  // Tall dense designs, non-quadratic loss: proximal Newton in p x p space with a metric kept
  // across iterations and lambdas (see solve_newton_metric).
  bool use_metric(const Problem& problem, std::span<const Index> working_set) const;
  Outcome solve_newton_metric(const Problem& problem, std::span<const Index> working_set,
                              SolverState& state, const SolveControl& control, SolveStats& stats);
  // Builds the metric at z over `needed` (the working set and the nonzero coefficients; all
  // features when they are most of them, or in double precision); extend_metric adds the needed
  // features it lacks, at the weights of the build.
  void build_metric(const Problem& problem, const Vector& z, std::span<const Index> needed);
  double extend_metric(const Problem& problem, std::span<const Index> needed);
  void irls_curvature(const Problem& problem, const Vector& z);  // into curvature_
  // With a working set, target differs from previous_w_ only on it, and the penalty outside it
  // is the constant outside_penalty: the trial points and their penalty cost O(|working set|).
  std::pair<double, double> line_search(const Problem& problem, const Vector& z, const Vector& dz,
                                        double shift, const Vector& target,
                                        double previous_objective, SolveStats& stats,
                                        const std::span<const Index>* working_set = nullptr,
                                        double outside_penalty = 0.0);
  CoordinateDescentOptions options_;
  // Scratch buffers reused across calls (no allocation in the hot loop).
  Vector residual_, weighted_residual_, curvature_, column_curvature_, start_residual_;
  // Proximal Newton on a dense design: h o x_j for the working set's columns (column
  // weighted_slot_[j]), formed once per Newton step; each coordinate update is then one axpy.
  Matrix weighted_columns_;
  std::vector<Index> weighted_slot_;
  Vector previous_w_, candidate_z_, trial_w_, step_z_;
  std::vector<Index> active_;
  // Covariance ("Gram") mode: cached columns X^T (h o x_j) for coordinates that have moved.
  std::vector<Vector> gram_columns_;
  const Design* gram_design_ = nullptr;
  Vector gram_weights_;
  Vector gradient_, column_sums_, start_w_;
  Vector start_product_;  // G w at the start of solve_gram when the host has not formed it
  Vector metric_start_product_;  // M w at the start of a proximal Newton step
  std::vector<double> moved_step_;  // the step of each moved_ coordinate
  std::vector<Index> moved_;
  SupportNewton support_newton_;
  PackedSparseColumns packed_;  // sparse designs with an intercept
  // The metric: X^T H X with the intercept eliminated (X^T H X - a a^T / sum h, a = X^T h), at
  // the weights H of the point it was built at; its generation keys the Newton factor cache.
  Matrix metric_;
  Vector metric_sums_, metric_target_, metric_direction_, metric_product_, metric_step_, gradient_full_;
  double metric_h_sum_ = 0.0;
  double metric_generation_ = 0.0;
  bool metric_valid_ = false;
  // The metric was just built in single precision; a step it proposes that the line search cuts
  // back turns single precision off for this optimizer's later builds.
  bool metric_fresh_single_ = false, single_refused_ = false;
  std::vector<float> metric_scratch_;
  Vector metric_centre_;
  // The features the metric covers (in scratch slot order) and feature -> slot (-1: not covered;
  // its rows and columns of metric_ are zero); the weights it was built with.
  std::vector<Index> metric_members_;
  std::vector<Index> metric_slot_;
  Vector metric_weights_;
  std::vector<Index> metric_needed_, metric_fresh_;
  std::vector<char> metric_mark_;
  const Design* metric_design_ = nullptr;
  // gradient_full_ over every column, as computed at the linear predictor gradient_z_ with the
  // targets gradient_y_ and weights gradient_v_ on gradient_design_: the next solve starts from
  // the state the last one certified, so its first Newton step reuses that pass over the data.
  Vector gradient_z_, gradient_y_, gradient_v_;
  const Design* gradient_design_ = nullptr;
  bool gradient_cached_ = false;
  SolverState metric_state_;
  SupportNewton* newton() { return options_.support_newton ? &support_newton_ : nullptr; }
};

}  // namespace sparsepath::plugins
