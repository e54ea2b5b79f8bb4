// The framework-owned path solver: lambda grid, warm starts, screening with the mandatory KKT
// re-check for unsafe rules, working sets, and a duality-gap certificate at every point.
#pragma once

#include "sparsepath/core/interfaces.hpp"
#include "sparsepath/path/path_result.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <vector>

namespace sparsepath {

// An interrupted path to continue: its finished points, kept as they are (their lambdas must be
// the grid's first ones), and the fitted-scale state of the last one, the warm start of the next
// lambda (PathResult::resume_*).
struct PathResume {
  std::vector<PathPoint> points;
  std::vector<std::pair<Index, double>> coefficients;
  double intercept = 0.0;
};

struct PathOptions {
  std::vector<double> lambdas;         // user grid (used as given, sorted decreasing); else geometric
  Index n_lambda = 100;
  double lambda_min_ratio = -1.0;      // < 0: glmnet's default (1e-4 if n > p else 1e-2)
  double tolerance = 1e-7;             // duality gap relative to the null objective
  long long max_nonzeros = -1;         // stop once the support reaches this size (< 0: off)
  double min_deviance_change = 1e-5;   // glmnet's fdev (0: off)
  double max_deviance_ratio = 0.999;   // glmnet's devmax (>= 1: off)
  double time_budget_seconds = -1.0;   // stop the path after this long (< 0: off)
  long long max_passes = 100000;       // coordinate passes per path point
  // First coordinate-change tolerance of the optimizer, relative to the gap tolerance; the
  // optimizer stops earlier anyway as soon as the working-set gap certifies.
  double inner_tolerance_ratio = 1e-9;
  int max_refinements = 30;            // tolerance tightenings before "not converged"
  enum class Gram { automatic, always, never } gram = Gram::automatic;  // covariance mode
  // Full gradient checks recompute only the correlations that a bound from the last exact pass
  // cannot place strictly inside the zero subdifferential (see PathSolver::correlate_all).
  bool bounded_correlations = true;
  // Start each point from the line through the two previous solutions (exact for a least-squares
  // lasso whose support does not change), when that lowers the new objective.
  bool extrapolate_warm_start = true;
  // Continue an interrupted path (see PathResume).
  std::optional<PathResume> resume;
  bool is_valid(std::string* why) const;
};

// Back-transform from the internal (standardized) coordinates, per design feature: beta_j =
// w_j / scale_j, intercept = b - sum_j beta_j center_j. A product feature (origins[j] a product of
// data columns i and k, each standardized as (x - m) / s) expands on the original scale into
// w_j / (s_i s_k) x_i x_k - that m_k x_i - that m_i x_k + that m_i m_k: its scale is s_i s_k, and
// the main-effect features of i and k (main_of_column) and the intercept absorb the rest.
struct Standardization {
  Vector center;
  Vector scale;
  std::vector<char> excluded;  // constant columns, kept at zero
  std::vector<FeatureOrigin> origins;  // empty: feature j is data column j
  Vector data_center;                  // m per data column (products only)
  std::vector<Index> main_of_column;   // the feature that is data column i itself, or -1
};

using ProgressCallback = std::function<void(const PathPoint&, Index index, Index total)>;

class PathSolver {
 public:
  PathSolver(const Problem& problem, Optimizer& optimizer,
             std::vector<const ScreeningRule*> rules, PathOptions options,
             const Standardization& standardization, std::vector<std::string> feature_names);
  PathResult run(const std::atomic<bool>* interrupt = nullptr,
                 const ProgressCallback& progress = nullptr);

  // An allocator whose resize leaves new elements uninitialized (default-initialized): the
  // lists below are sized to p and then filled, once per evaluation.
  template <class T>
  struct UninitializedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = UninitializedAllocator<U>;
    };
    UninitializedAllocator() = default;
    template <class U>
    UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* where) noexcept {
      ::new (static_cast<void*>(where)) U;
    }
    template <class U, class... Args>
    void construct(U* where, Args&&... args) {
      ::new (static_cast<void*>(where)) U(std::forward<Args>(args)...);
    }
  };
  template <class T>
  using FillList = std::vector<T, UninitializedAllocator<T>>;
  // The certificate of a point (exposed for tests): gap and the dual point.
  struct Evaluation {
    double primal = 0.0, dual = 0.0, gap = 0.0, loss = 0.0;
    double scaling = 1.0;
    double unpenalized_violation = 0.0;  // max |x_j^T rho| over unpenalized features
    bool unpenalized_certified = true;   // see PathSolver::evaluate
    Vector rho;                 // -grad F(z), repaired for the intercept (and projected)
    Vector correlation;         // X^T rho (rho repaired for the intercept)
    Vector scaled_correlation;  // X^T q, q = scaling * rho (the feasible dual point)
    double gram_cross = 0.0;    // covariance mode: sum_i h_i r_i (y_i - b)
    double gram_square = 0.0;   // covariance mode: sum_i h_i r_i^2
    // Correlations not recomputed: correlation[j] holds the value at a reference dual point and
    // |true - held| <= stale_distance * column_norm_j; stale_bound[k] bounds |true| for stale[k].
    // Every such bound lies strictly inside the zero subdifferential, where the conjugate is 0 and
    // the dual scaling is not constrained, so the gap is exact (see PathSolver::correlate_all).
    FillList<Index> stale;
    FillList<double> stale_bound;
    double stale_distance = 0.0;
  };
  Evaluation evaluate(const SolverState& state) const;
  // The same into an existing evaluation, reusing its vectors (no allocation once sized).
  void evaluate_into(const SolverState& state, Evaluation& result) const;
  // The same with correlations computed on the working set only (zero elsewhere): the gap of the
  // subproblem, O(n |working set|) instead of O(n p). The result lives until the next call.
  // correlate, when given, computes the working set's correlations from rho
  // (SolveControl::certified_with) instead of the design's column dot products.
  const Evaluation& evaluate_working_set(const SolverState& state, std::span<const Index> working_set,
                                         const SolveControl::Correlate* correlate = nullptr) const;
  // Recomputes the lambda-dependent parts (after set_lambda) of an evaluation of the same state.
  void rescale(const SolverState& state, Evaluation& at) const;
  // Gap-safe radius in rho scale, sqrt(2 L_f max_i v_i G), with G padded by its rounding error.
  double safe_radius(const Evaluation& at) const;
  // The radius for sphere tests on at.scaled_correlation: safe_radius widened by the error of
  // the stale correlations.
  double screening_radius(const Evaluation& at) const;
  // Exact correlations computed and full passes made by evaluate() (for tests and profiling).
  Index exact_correlations() const { return exact_correlations_; }
  Index full_correlation_passes() const { return full_correlation_passes_; }
  double lambda_max() const { return lambda_max_; }
  double null_objective() const { return null_objective_; }
  // The model at lambda >= lambda_max: intercept and unpenalized features fitted, the rest zero.
  SolverState null_state() const { return null_state_; }

 private:
  Problem problem_;  // a copy: the path solver may attach the Gram matrix
  Optimizer& optimizer_;
  std::vector<const ScreeningRule*> rules_;
  PathOptions options_;
  const Standardization& standardization_;
  std::vector<std::string> names_;
  Vector column_norms_;
  Vector rho0_correlation_;
  double intercept0_ = 0.0;
  double lambda_max_ = 0.0;
  double null_objective_ = 0.0;
  double weight_max_ = 0.0;
  void residual_and_correlation(const SolverState& state, const std::span<const Index>* working_set,
                                Evaluation& result, const SolveControl::Correlate* correlate = nullptr) const;
  void finish_evaluation(const SolverState& state, Evaluation& result,
                         const std::span<const Index>* subset) const;
  std::vector<Index> excluded_indices_;
  Vector column_sums_;  // with an intercept: bounds the part of a change along the ones vector
  Vector stored_norms_;  // ||x_j|| as stored (uncentred)
  Vector stored_sq_norms_;  // design.col_sq_norm(j): Problem::column_sq_norms
  void correlate_all(const SolverState& state, Evaluation& result) const;
  // Whether [-bound, bound] lies strictly inside intervals_[j] (refresh_intervals() first).
  bool correlation_is_quiet(Index j, double bound) const {
    const Interval& allowed = intervals_[static_cast<std::size_t>(j)];
    return allowed.strictly_contains(-bound) && allowed.strictly_contains(bound);
  }
  // intervals_[j] = d h_j(0) at the penalty's current lambda (recomputed when lambda changed).
  void refresh_intervals() const;
  // intervals_ for the screening rules when they hold d h_j(0) (not quiet intervals), else empty.
  std::span<const Interval> zero_interval_table() const;
  mutable std::vector<Interval> intervals_;
  mutable double interval_lambda_ = -1.0;
  void refresh_stale(Evaluation& at) const;
  Index block_violations(const SolverState& state, const Evaluation& evaluation,
                         const std::vector<char>& keep_safe, std::vector<char>& in_working_set,
                         std::vector<Index>& working_set) const;
  mutable std::vector<Index> block_members_;
  std::vector<Index> penalty_additions_;
  mutable Vector block_correlation_;
  // The dual points of the latest full passes with their exact correlations X^T rho_k (oldest
  // first): the bounded correlations hold sum_k gamma_k c_k for the gamma that leaves the
  // shortest difference rho - sum_k gamma_k rho_k (correlate_all).
  struct CorrelationReference {
    Vector rho, correlation;
    double norm = 0.0;
  };
  // Two: with renewal beyond a third, a second reference cut the pass-equivalents of b, c, d2
  // and b-enet by 8-29% (b 32.0 -> 27.8, c 42.5 -> 30.1); a third moved them by under 2%.
  static constexpr std::size_t max_references = 2;
  mutable std::vector<CorrelationReference> references_;
  mutable Vector difference_, held_correlation_;
  mutable FillList<Index> exact_scratch_;
  mutable std::vector<double> dots_;
  mutable std::vector<Index> outside_;
  // The primal objective of a state at the current lambda (O(n), or O(p |support|) in
  // covariance mode).
  double primal_value(const SolverState& state) const;
  // The full evaluation of the state whose working-set evaluation working_scratch_ holds: the
  // working set's correlations are kept and only the other features' computed.
  void evaluate_beyond_working_set(const SolverState& state, const std::vector<char>& in_working_set,
                                   Evaluation& result) const;
  mutable Vector supplied_correlation_;  // filled by a SolveControl::Correlate
  mutable Index exact_correlations_ = 0, full_correlation_passes_ = 0;
  // Work estimates (floating-point operations): the certificates' (per point) and the setup's.
  double design_nonzeros_ = 0.0;
  double setup_flops_ = 0.0;
  mutable double evaluation_flops_ = 0.0;
  double column_flops() const { return 2.0 * design_nonzeros_ / static_cast<double>(std::max<Index>(1, problem_.design.cols())); }
  mutable Vector scaled_rho_;
  Vector dynamic_scaled_;  // scratch of the dynamic screening callback
  mutable Evaluation working_scratch_;
  // Covariance mode (see Problem::gram).
  bool gram_mode_ = false;
  Matrix gram_;
  Vector gram_xty_;
  double gram_yy_ = 0.0;  // sum_i h_i (y_i - b)^2
  mutable Vector gram_w_, gram_w_of_;  // G w, and the w it was formed for
  void gram_product(const Vector& w) const;  // gram_w_ = G w (kept while w is unchanged)
  void gram_residual_and_correlation(const SolverState& state, Evaluation& result) const;
  void setup_gram();
  SolverState null_state_;
  std::vector<Index> unpenalized_;
  Vector unpenalized_curvature_;  // L_f sum_i v_i x_ij^2 per unpenalized feature
  Matrix unpenalized_basis_;      // orthonormal basis of span{x_j (unpenalized), 1}
};

}  // namespace sparsepath
