#include "sparsepath/path/path_solver.hpp"

#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/schema.hpp"

#include <algorithm>
#include <cmath>

namespace sparsepath {

bool PathOptions::is_valid(std::string* why) const {
  auto fail = [&](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  if (lambdas.empty() && n_lambda < 1) return fail("path.n_lambda = " + std::to_string(n_lambda) + " violates n_lambda >= 1");
  for (double lambda : lambdas) {
    if (!(lambda > 0.0) || !std::isfinite(lambda)) {
      return fail("lambda grid value " + format_real(lambda) + " violates 0 < lambda < inf");
    }
  }
  if (lambda_min_ratio >= 1.0 || lambda_min_ratio == 0.0) {
    return fail("path.lambda_min_ratio = " + format_real(lambda_min_ratio) + " violates 0 < lambda_min_ratio < 1");
  }
  if (!(tolerance > 0.0) || tolerance >= 1.0) {
    return fail("path.tolerance = " + format_real(tolerance) + " violates 0 < tolerance < 1");
  }
  return true;
}

PathSolver::PathSolver(const Problem& problem, Optimizer& optimizer,
                       std::vector<const ScreeningRule*> rules, PathOptions options,
                       const Standardization& standardization, std::vector<std::string> feature_names)
    : problem_(problem),
      optimizer_(optimizer),
      rules_(std::move(rules)),
      options_(std::move(options)),
      standardization_(standardization),
      names_(std::move(feature_names)) {
  std::string why;
  if (!options_.is_valid(&why)) throw Error(why);
  const Design& design = problem_.design;
  const Index n = design.rows(), p = design.cols();
  // Column norms for the sphere tests: centred when there is an intercept (both the current and
  // the optimal dual point are orthogonal to the all-ones vector).
  // Stored (uncentred) norms scale the rounding of dot products with the columns.
  column_norms_.resize(p);
  stored_norms_.resize(p);
  stored_sq_norms_.resize(p);
  if (problem_.fit_intercept) column_sums_.resize(p);
  for (Index j = 0; j < p; ++j) {
    double squared = design.col_sq_norm(j);
    stored_sq_norms_[j] = squared;
    stored_norms_[j] = std::sqrt(squared);
    if (problem_.fit_intercept) {
      const double sum = design.col_sum(j);
      column_sums_[j] = sum;
      squared = std::max(0.0, squared - sum * sum / static_cast<double>(n));
    }
    column_norms_[j] = std::sqrt(squared);
  }
  problem_.column_sq_norms = &stored_sq_norms_;  // the optimizer's curvatures, without a pass per solve
  // The bounds need a separable penalty: the zero subdifferential of one coordinate must say
  // everything about its conjugate and its share of the dual scaling.
  options_.bounded_correlations =
      options_.bounded_correlations && (has_all(problem_.penalty.capabilities(), Capability::prox_1d) ||
                                        has_all(problem_.penalty.capabilities(), Capability::quiet_intervals));
  weight_max_ = problem_.v.maxCoeff();
  for (Index j = 0; j < p; ++j) {
    if (!standardization_.excluded.empty() && standardization_.excluded[j]) excluded_indices_.push_back(j);
  }
  intercept0_ = problem_.fit_intercept ? problem_.loss.intercept_only(problem_.y, problem_.v) : 0.0;
  if (!std::isfinite(intercept0_)) {
    throw Error("the intercept-only model has no finite optimum (the target has one class only)");
  }
  null_state_.w = Vector::Zero(p);
  null_state_.b = intercept0_;
  null_state_.z = Vector::Constant(n, intercept0_);
  null_objective_ = problem_.loss.value(problem_.y, problem_.v, null_state_.z);
  for (Index j = 0; j < p; ++j) {
    const bool excluded = !standardization_.excluded.empty() && standardization_.excluded[j];
    if (!excluded && problem_.penalty.is_unpenalized(j)) unpenalized_.push_back(j);
  }
  if (!unpenalized_.empty()) {
    // Unpenalized features are part of the null model: fit them (with the intercept) first.
    unpenalized_curvature_.resize(static_cast<Index>(unpenalized_.size()));
    const Index m = static_cast<Index>(unpenalized_.size()) + (problem_.fit_intercept ? 1 : 0);
    Matrix basis = Matrix::Zero(n, m);
    for (std::size_t u = 0; u < unpenalized_.size(); ++u) {
      Vector column = Vector::Zero(n);
      design.col_axpy(unpenalized_[u], 1.0, column);
      unpenalized_curvature_[static_cast<Index>(u)] =
          problem_.loss.curvature_bound() * problem_.v.dot(column.cwiseAbs2());
      basis.col(static_cast<Index>(u)) = column;
    }
    if (problem_.fit_intercept) basis.col(m - 1).setOnes();
    Eigen::HouseholderQR<Matrix> qr(basis);
    unpenalized_basis_ = qr.householderQ() * Matrix::Identity(n, m);
    auto& penalty = const_cast<Penalty&>(problem_.penalty);
    penalty.set_lambda(1.0);  // the unpenalized coordinates do not depend on lambda
    SolveControl control;
    control.tolerance = 1e-13 * std::max(null_objective_, 1e-300);
    SolveStats stats;
    Outcome fitted = optimizer_.solve(problem_, unpenalized_, null_state_, control, stats);
    if (fitted.status == Status::numerical_issue) {
      throw Error("fitting the unpenalized features failed: " + fitted.message);
    }
  }
  Vector rho(n);
  problem_.loss.residual(problem_.y, problem_.v, null_state_.z, rho);
  if (problem_.fit_intercept) problem_.loss.repair_for_intercept(problem_.y, rho);
  if (const SparseMatrix* sparse = design.sparse_view()) design_nonzeros_ = static_cast<double>(sparse->nonZeros());
  else design_nonzeros_ = static_cast<double>(n) * static_cast<double>(p);
  rho0_correlation_.resize(p);
  design.gemv_t(rho, rho0_correlation_);
  setup_flops_ += 2.0 * design_nonzeros_ + 20.0 * static_cast<double>(n);
  for (Index j = 0; j < p; ++j) {
    if (!standardization_.excluded.empty() && standardization_.excluded[j]) rho0_correlation_[j] = 0.0;
  }
  for (Index j : unpenalized_) rho0_correlation_[j] = 0.0;
  lambda_max_ = problem_.penalty.lambda_max(rho0_correlation_);
  setup_gram();
  if (!(lambda_max_ > 0.0) || !std::isfinite(lambda_max_)) {
    throw Error("lambda_max is " + format_real(lambda_max_) +
                ": no penalized feature is correlated with the response (constant response, or "
                "every feature constant or unpenalized)");
  }
}

void PathSolver::setup_gram() {
  const Design& design = problem_.design;
  const Matrix* dense = design.dense_view();
  const Index n = design.rows(), p = design.cols();
  if (options_.gram == PathOptions::Gram::never || dense == nullptr || !problem_.loss.is_quadratic() ||
      !unpenalized_.empty() || n < p) {
    return;
  }
  if (options_.gram == PathOptions::Gram::automatic && p > 8000) return;  // 512 MB of Gram matrix
  Vector h(n);
  problem_.loss.curvature(problem_.y, problem_.v, null_state_.z, h);
  const double intercept = problem_.fit_intercept ? intercept0_ : 0.0;
  const Vector centred = problem_.y.array() - intercept;
  // The loss must be the weighted squared error 1/2 sum h (y - z)^2 (checked, not assumed)...
  const double expected = 0.5 * h.dot(centred.cwiseAbs2());
  const double actual = problem_.loss.value(problem_.y, problem_.v, null_state_.z);
  if (!(std::abs(expected - actual) <= 1e-12 * std::max(1.0, std::abs(actual)))) return;
  // ...and with an intercept the columns must be h-centred so that the intercept stays exact
  // (with uniform h, from the column sums and norms the constructor took: no pass over X).
  const bool uniform = (h.array() == h[0]).all();
  if (problem_.fit_intercept) {
    Vector column_sums(p), weighted_sq_norms(p);
    if (uniform) {
      column_sums = h[0] * column_sums_;
      weighted_sq_norms = h[0] * stored_sq_norms_;
    } else {
      blas::gemv_t(*dense, h.data(), column_sums.data());
      for (Index j = 0; j < p; ++j) weighted_sq_norms[j] = design.col_weighted_sq_norm(j, h);
    }
    const double h_sum = h.sum();
    for (Index j = 0; j < p; ++j) {
      if (std::abs(column_sums[j]) > 1e-10 * std::sqrt(h_sum * std::max(weighted_sq_norms[j], 1e-300))) return;
    }
  }
  blas::weighted_gram(*dense, uniform ? nullptr : &h, uniform ? h[0] : 1.0, gram_);
  setup_flops_ += static_cast<double>(n) * static_cast<double>(p) * static_cast<double>(p + 4);
  const Vector weighted = h.cwiseProduct(centred);
  gram_xty_.resize(p);
  blas::gemv_t(*dense, weighted.data(), gram_xty_.data());
  gram_yy_ = weighted.dot(centred);
  gram_mode_ = true;
  problem_.gram = &gram_;
  problem_.gram_xty = &gram_xty_;
  problem_.gram_product = &gram_w_;
  problem_.gram_product_of = &gram_w_of_;
}

void PathSolver::gram_product(const Vector& w) const {
  // A point is evaluated several times (working set, full, screening): G w once per w.
  if (gram_w_of_.size() == w.size() && gram_w_of_ == w) return;
  evaluation_flops_ += blas::symmetric_product(gram_, w, gram_w_);
  gram_w_of_ = w;
}

void PathSolver::gram_residual_and_correlation(const SolverState& state, Evaluation& result) const {
  const Index p = problem_.design.cols();
  gram_product(state.w);
  evaluation_flops_ += 6.0 * static_cast<double>(p);
  result.correlation = gram_xty_ - gram_w_;
  for (Index j : excluded_indices_) result.correlation[j] = 0.0;
  const double cross = state.w.dot(gram_xty_);
  result.gram_square = std::max(0.0, gram_yy_ - 2.0 * cross + state.w.dot(gram_w_));
  result.gram_cross = gram_yy_ - cross;
  result.loss = 0.5 * result.gram_square;
  result.rho.resize(0);
  result.unpenalized_violation = 0.0;
  result.unpenalized_certified = true;
}

PathSolver::Evaluation PathSolver::evaluate(const SolverState& state) const {
  Evaluation result;
  evaluate_into(state, result);
  return result;
}

void PathSolver::evaluate_into(const SolverState& state, Evaluation& result) const {
  residual_and_correlation(state, nullptr, result);  // reuses result's vectors
  finish_evaluation(state, result, nullptr);
}

const PathSolver::Evaluation& PathSolver::evaluate_working_set(const SolverState& state,
                                                               std::span<const Index> working_set,
                                                               const SolveControl::Correlate* correlate) const {
  // Called every few optimizer passes: its vectors are reused, not reallocated.
  residual_and_correlation(state, &working_set, working_scratch_, correlate);
  finish_evaluation(state, working_scratch_, &working_set);
  return working_scratch_;
}

void PathSolver::evaluate_beyond_working_set(const SolverState& state, const std::vector<char>& in_working_set,
                                             Evaluation& result) const {
  const Evaluation& known = working_scratch_;
  result.loss = known.loss;
  result.rho = known.rho;
  result.unpenalized_violation = known.unpenalized_violation;
  result.unpenalized_certified = known.unpenalized_certified;
  result.stale.clear();
  result.stale_bound.clear();
  result.stale_distance = 0.0;
  result.correlation = known.correlation;  // exact on the working set, zero elsewhere
  const Index p = problem_.design.cols();
  outside_.clear();
  for (Index j = 0; j < p; ++j) {
    if (!in_working_set[static_cast<std::size_t>(j)]) outside_.push_back(j);
  }
  dots_.resize(outside_.size());
  problem_.design.col_dots(result.rho, outside_, dots_.data());
  for (std::size_t k = 0; k < outside_.size(); ++k) result.correlation[outside_[k]] = dots_[k];
  exact_correlations_ += static_cast<Index>(outside_.size());
  evaluation_flops_ += column_flops() * static_cast<double>(outside_.size());
  for (Index j : excluded_indices_) result.correlation[j] = 0.0;
  for (Index j : unpenalized_) result.correlation[j] = 0.0;
  finish_evaluation(state, result, nullptr);
}

double PathSolver::primal_value(const SolverState& state) const {
  double loss = 0.0;
  if (gram_mode_) {
    gram_product(state.w);
    loss = 0.5 * std::max(0.0, gram_yy_ - 2.0 * state.w.dot(gram_xty_) + state.w.dot(gram_w_));
  } else {
    loss = problem_.loss.value(problem_.y, problem_.v, state.z);
  }
  return loss + problem_.penalty.value(state.w);
}

void PathSolver::rescale(const SolverState& state, Evaluation& at) const {
  refresh_stale(at);
  finish_evaluation(state, at, nullptr);
}

void PathSolver::residual_and_correlation(const SolverState& state,
                                          const std::span<const Index>* working_set,
                                          Evaluation& result, const SolveControl::Correlate* correlate) const {
  if (gram_mode_) {
    gram_residual_and_correlation(state, result);
    if (working_set != nullptr) {  // the subproblem's gap: correlations of the working set only
      Vector full = std::move(result.correlation);
      result.correlation.setZero(full.size());
      for (Index j : *working_set) result.correlation[j] = full[j];
    }
    return;
  }
  const Design& design = problem_.design;
  const Index p = design.cols();
  result.loss = problem_.loss.value(problem_.y, problem_.v, state.z);
  evaluation_flops_ += 30.0 * static_cast<double>(design.rows());  // loss, residual, repair, dual value
  result.rho.resize(design.rows());
  problem_.loss.residual(problem_.y, problem_.v, state.z, result.rho);
  if (problem_.fit_intercept) problem_.loss.repair_for_intercept(problem_.y, result.rho);
  result.stale.clear();
  result.stale_bound.clear();
  result.stale_distance = 0.0;
  result.unpenalized_violation = 0.0;
  result.unpenalized_certified = true;
  if (!unpenalized_.empty()) {
    double decrease_bound = 0.0;
    for (std::size_t u = 0; u < unpenalized_.size(); ++u) {
      const double c = design.col_dot(unpenalized_[u], result.rho);
      result.unpenalized_violation = std::max(result.unpenalized_violation, std::abs(c));
      decrease_bound += c * c / (2.0 * unpenalized_curvature_[static_cast<Index>(u)]);
    }
    if (problem_.loss.is_quadratic()) {
      // The dual needs X_U^T q = 0 (and 1^T q = 0): project rho onto that subspace. Any q is in
      // the domain of a quadratic loss, so the gap stays a rigorous certificate.
      result.rho.noalias() -= unpenalized_basis_ * (unpenalized_basis_.transpose() * result.rho);
    } else {
      // Other losses: the projection would leave the loss domain. The unpenalized coordinates
      // are held to a KKT test instead: the objective decrease a coordinate step could give,
      // estimated with the coordinate curvature bound, must be below a tenth of the tolerance.
      result.unpenalized_certified = decrease_bound <= 0.1 * options_.tolerance * null_objective_;
    }
  }
  if (working_set == nullptr) {
    correlate_all(state, result);
  } else {
    result.correlation.setZero(p);
    if (correlate != nullptr) {  // the optimizer's pass over the data computes them (and its own)
      supplied_correlation_.resize(p);
      (*correlate)(result.rho, supplied_correlation_);
      for (Index j : *working_set) result.correlation[j] = supplied_correlation_[j];
    } else {
      dots_.resize(working_set->size());
      design.col_dots(result.rho, *working_set, dots_.data());
      for (std::size_t k = 0; k < working_set->size(); ++k) result.correlation[(*working_set)[k]] = dots_[k];
      evaluation_flops_ += column_flops() * static_cast<double>(working_set->size());
    }
  }
  for (Index j : excluded_indices_) result.correlation[j] = 0.0;
  for (Index j : unpenalized_) result.correlation[j] = 0.0;
}

void PathSolver::refresh_intervals() const {
  const Penalty& penalty = problem_.penalty;
  const bool quiet = has_all(penalty.capabilities(), Capability::quiet_intervals);
  if (!quiet && !has_all(penalty.capabilities(), Capability::zero_subdifferential)) return;  // its own checks
  const Index p = problem_.design.cols();
  if (interval_lambda_ == penalty.lambda() && static_cast<Index>(intervals_.size()) == p) return;
  // Once per lambda: the intervals are read several times per point (bounds, KKT check).
  intervals_.resize(static_cast<std::size_t>(p));
  if (quiet) {
    for (Index k = 0; k < p; ++k) intervals_[static_cast<std::size_t>(k)] = penalty.quiet_interval(k);
  } else {
    penalty.zero_subdifferentials(intervals_);
  }
  interval_lambda_ = penalty.lambda();
}

std::span<const Interval> PathSolver::zero_interval_table() const {
  const Capability offered = problem_.penalty.capabilities();
  if (has_all(offered, Capability::quiet_intervals) || !has_all(offered, Capability::zero_subdifferential)) return {};
  refresh_intervals();  // this lambda's d h_j(0)
  return intervals_;
}

// X^T rho for every feature, or only for those that need it. With rho_k the dual points of the
// last full passes (c_k = X^T rho_k exact), any gamma, the held value h_j = sum_k gamma_k c_kj and
// d = rho - sum_k gamma_k rho_k = d_perp + m 1 (m the mean of d),
//   |x_j^T rho - h_j| <= ||x_j - mean(x_j)|| ||d_perp|| + |sum_i x_ij| |m|, so
//   |x_j^T rho| <= |h_j| + ||x_j - mean(x_j)|| ||d_perp|| + |sum_i x_ij| |m| =: bound_j,
// exactly (rounding is padded). A coordinate at zero whose bound lies strictly inside d h_j(0)
// keeps the held value h_j: its true correlation is inside that interval too, where a separable
// penalty's conjugate is 0 and the dual scaling is not constrained, so dual point and gap are
// those of the exact computation. Near the end of a path, or for a tall design, most bounds
// fail and the pass is a plain gemv; on wide designs most features sit far from the boundary.
void PathSolver::correlate_all(const SolverState& state, Evaluation& result) const {
  const Design& design = problem_.design;
  const Index p = design.cols();
  auto full_pass = [&]() {
    result.correlation.resize(p);
    design.gemv_t(result.rho, result.correlation);
    ++full_correlation_passes_;
    exact_correlations_ += p;
    evaluation_flops_ += 2.0 * design_nonzeros_;
    if (options_.bounded_correlations) {
      if (references_.size() == max_references) references_.erase(references_.begin());
      references_.push_back({result.rho, result.correlation, result.rho.norm()});
    }
  };
  if (!options_.bounded_correlations || references_.empty() || references_.front().rho.size() != result.rho.size()) {
    full_pass();
    return;
  }
  // Hold sum_k gamma_k c_k rather than c_0 (hierScale's gradient screening, MATH.md 5.6, with
  // several references): along a path the residual moves smoothly, mostly within the span of
  // the last few full passes' residuals, and the least-squares gamma leaves the shortest
  // difference d = rho - sum_k gamma_k rho_k to bound. Any gamma gives a valid bound, so an
  // ill-conditioned system only costs tightness; a gamma that would cancel large multiples of
  // the references (rounding) falls back to the newest reference alone.
  const std::size_t count = references_.size();
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0, max_references, 1> gamma(count), right(count);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, max_references, max_references> gram(count, count);
  for (std::size_t k = 0; k < count; ++k) {
    right[static_cast<Index>(k)] = references_[k].rho.dot(result.rho);
    for (std::size_t l = 0; l <= k; ++l) {
      gram(static_cast<Index>(k), static_cast<Index>(l)) = gram(static_cast<Index>(l), static_cast<Index>(k)) =
          references_[k].rho.dot(references_[l].rho);
    }
  }
  gamma = gram.ldlt().solve(right);
  double weight = 0.0;  // sum_k |gamma_k| |rho_k|
  for (std::size_t k = 0; k < count; ++k) weight += std::abs(gamma[static_cast<Index>(k)]) * references_[k].norm;
  const double rho_norm = result.rho.norm();
  if (!std::isfinite(weight) || weight > 10.0 * rho_norm + 1e-300) {
    const CorrelationReference& newest = references_.back();
    const double square = newest.norm * newest.norm;
    gamma.setZero();
    gamma[static_cast<Index>(count - 1)] = square > 0.0 ? newest.rho.dot(result.rho) / square : 1.0;
    weight = std::abs(gamma[static_cast<Index>(count - 1)]) * newest.norm;
  }
  difference_ = result.rho;
  held_correlation_.setZero(p);
  for (std::size_t k = 0; k < count; ++k) {
    const double g = gamma[static_cast<Index>(k)];
    if (g == 0.0) continue;
    difference_.noalias() -= g * references_[k].rho;
    held_correlation_.noalias() += g * references_[k].correlation;
  }
  double mean = 0.0;
  if (problem_.fit_intercept) {
    mean = difference_.mean();
    difference_.array() -= mean;
  }
  // Rounding: each held correlation is a dot product with error below ~n eps |x_j| |rho_k|, and
  // the sums over k and the difference add ~count eps per term.
  const double epsilon = std::numeric_limits<double>::epsilon();
  const double rounding = 4.0 * epsilon * static_cast<double>(design.rows() + static_cast<Index>(count)) *
                          (weight + rho_norm);
  const double distance = difference_.norm() * (1.0 + 1e-12);
  const double shift = std::abs(mean) * (1.0 + 1e-12);
  refresh_intervals();
  // One pass over p with the outputs sized up front (no push_back in the loop).
  exact_scratch_.resize(static_cast<std::size_t>(p));
  result.stale.resize(static_cast<std::size_t>(p));
  result.stale_bound.resize(static_cast<std::size_t>(p));
  std::size_t exact_count = 0, stale_count = 0, active_count = 0;
  double stale_distance = 0.0;
  const double* w = state.w.data();
  const double* norms = column_norms_.data();
  const double* stored = stored_norms_.data();
  const double* sums = problem_.fit_intercept ? column_sums_.data() : nullptr;
  const double* held = held_correlation_.data();
  Index* exact = exact_scratch_.data();
  Index* stale = result.stale.data();
  double* stale_bound = result.stale_bound.data();
  for (Index j = 0; j < p; ++j) {
    if (w[j] != 0.0) {
      exact[exact_count++] = j;
      ++active_count;
      continue;
    }
    const double norm = norms[j];
    const double along_ones = sums != nullptr ? std::abs(sums[j]) * shift : 0.0;
    // The dot products' rounding grows with the stored (uncentred) column's norm.
    const double slack = along_ones + stored[j] * rounding;
    const double bound = std::abs(held[j]) + norm * distance + slack;
    if (!correlation_is_quiet(j, bound)) {
      exact[exact_count++] = j;
      continue;
    }
    stale[stale_count] = j;
    stale_bound[stale_count++] = bound;
    if (norm > 0.0) stale_distance = std::max(stale_distance, distance + slack / norm);
  }
  exact_scratch_.resize(exact_count);
  result.stale.resize(stale_count);
  result.stale_bound.resize(stale_count);
  // Taking dot products one column at a time at half gemv's speed (the cost model), a third of
  // the columns costs as much as a full pass. But the failed bounds grow two- to threefold per
  // point after a renewal (traces of b, c, d2), and a full pass renews the references: renewing
  // once the columns at zero whose bounds failed exceed an eighth of p spends the fewest
  // pass-equivalents over those paths (math.md, bounded correlations; the active columns
  // need their dot products at any age of the references, so they do not count there). Below a
  // few hundred such columns the failures are mostly the same near-boundary features from point
  // to point, not the references' age: only the third applies.
  const Index failed = static_cast<Index>(exact_count - active_count);
  if (3 * static_cast<Index>(exact_count) > p || (failed > 256 && 8 * failed > p)) {
    result.stale.clear();
    result.stale_bound.clear();
    full_pass();
    return;
  }
  result.correlation = held_correlation_;
  dots_.resize(exact_scratch_.size());
  design.col_dots(result.rho, exact_scratch_, dots_.data());
  for (std::size_t k = 0; k < exact_scratch_.size(); ++k) result.correlation[exact_scratch_[k]] = dots_[k];
  evaluation_flops_ += column_flops() * static_cast<double>(exact_scratch_.size()) +
                       6.0 * static_cast<double>(p) + 4.0 * static_cast<double>(design.rows());
  exact_correlations_ += static_cast<Index>(exact_scratch_.size());
  result.stale_distance = result.stale.empty() ? 0.0 : stale_distance;
}

// After set_lambda: a held correlation whose bound no longer lies inside the (new) zero
// subdifferential is computed exactly from the stored rho.
void PathSolver::refresh_stale(Evaluation& at) const {
  if (at.stale.empty()) return;
  refresh_intervals();
  std::size_t kept = 0;
  for (std::size_t k = 0; k < at.stale.size(); ++k) {
    const Index j = at.stale[k];
    if (correlation_is_quiet(j, at.stale_bound[k])) {
      at.stale[kept] = j;
      at.stale_bound[kept] = at.stale_bound[k];
      ++kept;
    } else {
      at.correlation[j] = problem_.design.col_dot(j, at.rho);
      ++exact_correlations_;
      evaluation_flops_ += column_flops();
    }
  }
  at.stale.resize(kept);
  at.stale_bound.resize(kept);
  if (kept == 0) at.stale_distance = 0.0;
}

// The lambda-dependent part: penalty value, dual scaling, dual objective and gap. With a subset
// (the working set) everything is restricted to it and costs O(|subset|) besides the loss.
void PathSolver::finish_evaluation(const SolverState& state, Evaluation& result,
                                   const std::span<const Index>* subset) const {
  const Penalty& penalty = problem_.penalty;
  double conjugate = 0.0;
  evaluation_flops_ += 8.0 * static_cast<double>(subset == nullptr ? state.w.size() : static_cast<Index>(subset->size()));
  if (subset == nullptr) {
    result.primal = result.loss + penalty.value(state.w);
    result.scaling = penalty.dual_scaling(result.correlation);
    result.scaled_correlation = result.scaling * result.correlation;
    conjugate = penalty.conjugate(result.scaled_correlation);
  } else {
    result.primal = result.loss + penalty.value_on(state.w, *subset);
    result.scaling = penalty.dual_scaling_on(result.correlation, *subset);
    conjugate = penalty.conjugate_on(result.correlation, result.scaling, *subset);
  }
  if (gram_mode_) {
    // Squared loss: D(t rho) = t sum h r (y - b) - t^2/2 sum h r^2 (sum h r = 0 with an intercept).
    const double t = result.scaling;
    result.dual = t * result.gram_cross - 0.5 * t * t * result.gram_square - conjugate;
  } else {
    scaled_rho_ = result.scaling * result.rho;
    result.dual = problem_.loss.dual_value(problem_.y, problem_.v, scaled_rho_) - conjugate;
  }
  result.gap = result.primal - result.dual;
}

// The KKT re-check of a block penalty over the members outside the working set: in a block with a
// nonzero coordinate a zero coordinate is optimal iff its correlation lies in d h_j(0) (the
// feature-level interval); a block at zero is optimal iff its correlations (over the members no
// safe rule removed) have block_dual_norm <= lambda. Violating blocks enter whole.
Index PathSolver::block_violations(const SolverState& state, const Evaluation& evaluation,
                                   const std::vector<char>& keep_safe, std::vector<char>& in_working_set,
                                   std::vector<Index>& working_set) const {
  const Penalty& penalty = problem_.penalty;
  const BlockStructure& blocks = *penalty.blocks();
  const double lambda = penalty.lambda();
  Index violations = 0;
  for (Index g = 0; g < blocks.count(); ++g) {
    block_members_.clear();
    bool outside = false, nonzero = false;
    for (Index j : blocks.block(g)) {
      const bool is_excluded = !standardization_.excluded.empty() && standardization_.excluded[j];
      if (!keep_safe[j] || is_excluded) continue;
      block_members_.push_back(j);
      outside |= !in_working_set[j];
      nonzero |= state.w[j] != 0.0;
    }
    if (!outside) continue;
    bool violated = false;
    if (nonzero) {
      for (Index j : block_members_) {
        if (in_working_set[j]) continue;
        const Interval& allowed = intervals_[static_cast<std::size_t>(j)];
        const double slack = 1e-12 * std::max(std::abs(allowed.low) < HUGE_VAL ? std::abs(allowed.low) : 0.0,
                                              std::abs(allowed.high) < HUGE_VAL ? std::abs(allowed.high) : 0.0);
        const double c = evaluation.correlation[j];
        violated |= c < allowed.low - slack || c > allowed.high + slack;
      }
    } else {
      block_correlation_.resize(static_cast<Index>(block_members_.size()));
      for (std::size_t k = 0; k < block_members_.size(); ++k) {
        block_correlation_[static_cast<Index>(k)] = evaluation.correlation[block_members_[k]];
      }
      violated = penalty.block_dual_norm(g, block_members_, block_correlation_) > lambda * (1.0 + 1e-12);
    }
    if (!violated) continue;
    ++violations;
    for (Index j : block_members_) {
      if (in_working_set[j]) continue;
      working_set.push_back(j);
      in_working_set[j] = 1;
    }
  }
  return violations;
}

double PathSolver::safe_radius(const Evaluation& at) const {
  if (!std::isfinite(at.gap)) return std::numeric_limits<double>::infinity();
  // With unpenalized features and a non-quadratic loss the dual point is not exactly feasible
  // (X_U^T q = 0 cannot be enforced inside the loss domain), so no safe sphere exists.
  if (!unpenalized_.empty() && !problem_.loss.is_quadratic()) return std::numeric_limits<double>::infinity();
  // The computed gap carries rounding error of order eps (|P| + |D|); a radius from a gap
  // rounded down to zero would screen features whose correlation sits on the boundary.
  const double rounding =
      64.0 * std::numeric_limits<double>::epsilon() * (std::abs(at.primal) + std::abs(at.dual));
  return std::sqrt(2.0 * problem_.loss.curvature_bound() * weight_max_ *
                   (std::max(at.gap, 0.0) + rounding));
}

double PathSolver::screening_radius(const Evaluation& at) const {
  return safe_radius(at) + at.scaling * at.stale_distance;
}

PathResult PathSolver::run(const std::atomic<bool>* interrupt, const ProgressCallback& progress) {
  const Design& design = problem_.design;
  const Penalty& penalty_ref = problem_.penalty;
  auto& penalty = const_cast<Penalty&>(penalty_ref);
  const Index n = design.rows(), p = design.cols();
  PathResult result;
  result.samples = n;
  result.features = p;
  result.feature_names = names_;
  result.lambda_max = lambda_max_;
  result.null_objective = null_objective_;
  result.setup_flops = setup_flops_;

  std::vector<double> grid = options_.lambdas;
  if (grid.empty()) {
    const double ratio = options_.lambda_min_ratio > 0.0 ? options_.lambda_min_ratio
                                                          : (n > p ? 1e-4 : 1e-2);
    const Index count = options_.n_lambda;
    for (Index k = 0; k < count; ++k) {
      const double exponent = count == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(count - 1);
      grid.push_back(lambda_max_ * std::pow(ratio, exponent));
    }
  } else {
    std::sort(grid.begin(), grid.end(), std::greater<double>());
  }

  const double gap_tolerance = options_.tolerance * null_objective_;
  const double loss_curvature = problem_.loss.curvature_bound();
  const double start_time = steady_seconds();
  SolverState state = null_state();
  Vector previous_correlation = rho0_correlation_;
  double previous_lambda = std::max(lambda_max_, grid.front());
  std::vector<char> ever_active(p, 0), keep_safe(p), keep_strong(p), in_working_set(p), dynamic_removed(p);
  std::vector<Index> working_set;
  double previous_deviance_ratio = 0.0;
  Evaluation last_full_evaluation;
  bool have_full_evaluation = false;
  // The two latest certified solutions (grid indices latest_index, older_index), for the
  // extrapolated warm start.
  SolverState latest, older;
  double latest_lambda = 0.0, older_lambda = 0.0;
  std::size_t latest_index = static_cast<std::size_t>(-1), older_index = static_cast<std::size_t>(-1);
  const bool extrapolate = options_.extrapolate_warm_start &&
                           has_all(penalty.capabilities(), Capability::zero_subdifferential) && penalty.blocks() == nullptr;
  SolverState candidate;
  // state <- latest + t (latest - older), t = (lambda - latest_lambda) / (latest_lambda - older_lambda),
  // keeping every coordinate on its side of zero (one that would cross, or sits at zero, stays at
  // its latest value); taken when it lowers the objective at lambda (latest_primal there).
  auto extrapolate_warm_start = [&](double lambda, double latest_primal) {
    const double t = (lambda - latest_lambda) / (latest_lambda - older_lambda);
    if (!(t > 0.0 && t <= 10.0)) return;
    candidate.w = latest.w + t * (latest.w - older.w);
    candidate.b = latest.b + t * (latest.b - older.b);
    // In covariance mode the host does not need z, but an optimizer that ignores the Gram
    // matrix keeps it: it moves with w either way.
    const bool with_z = latest.z.size() == n && older.z.size() == n;
    if (with_z) candidate.z = latest.z + t * (latest.z - older.z);
    for (Index j = 0; j < p; ++j) {
      const double value = latest.w[j];
      const double moved = candidate.w[j];
      if (moved == value) continue;
      if (penalty.is_unpenalized(j) ? std::isfinite(moved) : value * moved > 0.0) continue;
      candidate.w[j] = value;  // held: z gets back the column's share of the linear move
      if (with_z) design.col_axpy(j, value - moved, candidate.z);
    }
    if (!(primal_value(candidate) < latest_primal)) return;
    std::swap(state.w, candidate.w);
    if (with_z) std::swap(state.z, candidate.z);
    state.b = candidate.b;
  };
  bool has_safe_dynamic = false;
  for (const ScreeningRule* rule : rules_) {
    has_safe_dynamic |= rule->is_safe() && rule->timing() == ScreeningTiming::every_gap_check;
  }
  auto excluded = [&](Index j) {
    return !standardization_.excluded.empty() && standardization_.excluded[j];
  };
  const BlockStructure* blocks = penalty.blocks();
  const bool grow_by_own_check = has_all(penalty.capabilities(), Capability::own_kkt_check);

  std::vector<std::pair<Index, double>> fitted_support;
  // An interrupted run continues from its last finished point, with that point's state.
  std::size_t first = 0;
  if (options_.resume) {
    const PathResume& resume = *options_.resume;
    first = resume.points.size();
    if (first > grid.size()) {
      throw Error("--resume: the interrupted run has " + std::to_string(first) + " points; this experiment's grid has " +
                  std::to_string(grid.size()));
    }
    for (std::size_t k = 0; k < first; ++k) {
      if (std::abs(resume.points[k].lambda - grid[k]) > 1e-12 * grid[k]) {
        throw Error("--resume: lambda #" + std::to_string(k) + " of the interrupted run is " + format_real(resume.points[k].lambda) +
                    ", this experiment's is " + format_real(grid[k]) + "; expected the same experiment and data");
      }
    }
    state.w.setZero(p);
    for (const auto& [j, value] : resume.coefficients) {
      if (j < 0 || j >= p) throw Error("--resume: coefficient index " + std::to_string(j) + " is outside the design's " + std::to_string(p) + " features");
      state.w[j] = value;
      ever_active[j] = 1;
    }
    state.b = resume.intercept;
    state.z = Vector::Constant(n, state.b);
    for (const auto& [j, value] : resume.coefficients) design.col_axpy(j, value, state.z);
    result.points = resume.points;
    result.resume_coefficients = resume.coefficients;
    result.resume_intercept = resume.intercept;
    result.resume_points = static_cast<Index>(first);
    if (first > 0) {
      previous_lambda = grid[first - 1];
      previous_deviance_ratio = resume.points.back().deviance_ratio;
      penalty.set_lambda(previous_lambda);
      evaluate_into(state, last_full_evaluation);
      previous_correlation = last_full_evaluation.correlation;
      have_full_evaluation = true;
    }
  }

  for (std::size_t k = first; k < grid.size(); ++k) {
    if (interrupt != nullptr && interrupt->load()) {
      result.complete = false;
      result.stop_reason = "interrupted";
      break;
    }
    const double point_start = steady_seconds();
    const double flops_at_start = evaluation_flops_;
    const double lambda = grid[k];
    penalty.set_lambda(lambda);
    PathPoint point;
    point.lambda = lambda;
    point.gap_tolerance = gap_tolerance;

    std::fill(keep_safe.begin(), keep_safe.end(), 1);
    for (Index j : excluded_indices_) keep_safe[j] = 0;
    // A penalty with its own KKT check grows the working set from the active features by that
    // check (hierScale's augmentation), instead of starting from every feature.
    if (grow_by_own_check) std::fill(keep_strong.begin(), keep_strong.end(), 0);
    else keep_strong = keep_safe;
    std::fill(dynamic_removed.begin(), dynamic_removed.end(), 0);
    // The previous point's final (full) evaluation is of this same state: only its
    // lambda-dependent parts change, so the warm start is certified without a pass over the data.
    Evaluation evaluation;
    if (have_full_evaluation) {
      evaluation = std::move(last_full_evaluation);
      rescale(state, evaluation);
    } else {
      evaluate_into(state, evaluation);
    }
    auto screening_context = [&](const Evaluation& at) {
      const double radius = screening_radius(at);
      return ScreeningContext{problem_, lambda, previous_lambda, at.scaled_correlation,
                              previous_correlation, radius, column_norms_, zero_interval_table()};
    };
    {
      ScreeningContext context = screening_context(evaluation);
      for (const ScreeningRule* rule : rules_) {
        rule->screen(context, rule->is_safe() ? std::span<char>(keep_safe) : std::span<char>(keep_strong));
      }
    }
    working_set.clear();
    std::fill(in_working_set.begin(), in_working_set.end(), 0);
    for (Index j = 0; j < p; ++j) {
      if (!keep_safe[j] || in_working_set[j]) continue;
      if (keep_strong[j] || ever_active[j] || state.w[j] != 0.0 || penalty.is_unpenalized(j)) {
        if (blocks != nullptr && !grow_by_own_check) {
          // Block penalties work on whole blocks: every member no safe rule removed comes along.
          for (Index member : blocks->block(blocks->block_of[static_cast<std::size_t>(j)])) {
            if (keep_safe[member] && !in_working_set[member]) {
              working_set.push_back(member);
              in_working_set[member] = 1;
            }
          }
        } else {
          working_set.push_back(j);
          in_working_set[j] = 1;
        }
      }
    }
    {
      Index discarded = 0;  // a branch-free count (it vectorizes)
      for (Index j = 0; j < p; ++j) discarded += keep_safe[j] & (in_working_set[j] ^ 1);
      point.screening.strong_discarded += discarded;
    }
    // Safe screening may remove coordinates that are currently nonzero: zero them. Once the first
    // call of a point (whole) has run, every nonzero coordinate is in the working set (solves
    // change only its members; it only grows until a later call prunes it), so the later calls
    // look at its members only.
    auto drop_screened = [&](bool whole) {
      bool changed = false;
      auto drop = [&](Index j) {
        if (!keep_safe[j] && state.w[j] != 0.0) {
          design.col_axpy(j, -state.w[j], state.z);
          state.w[j] = 0.0;
          changed = true;
        }
      };
      if (whole) {
        for (Index j = 0; j < p; ++j) drop(j);
      } else {
        for (Index j : working_set) drop(j);
      }
      if (changed) {
        std::vector<Index> kept;
        for (Index j : working_set) {
          if (keep_safe[j]) kept.push_back(j);
          else in_working_set[j] = 0;
        }
        working_set.swap(kept);
      }
      return changed;
    };
    if (drop_screened(true)) evaluate_into(state, evaluation);
    if (extrapolate && lambda < lambda_max_ && latest_index + 1 == k && older_index + 2 == k &&
        latest.w == state.w && latest.b == state.b) {
      extrapolate_warm_start(lambda, evaluation.primal);
    }

    SolveStats stats;
    SolveControl control;
    control.tolerance = options_.inner_tolerance_ratio * gap_tolerance;
    control.max_passes = options_.max_passes;
    control.interrupt = interrupt;
    // The state certified() last evaluated (its working-set coefficients and intercept), so that
    // the screening callback reuses that evaluation only for the very same state.
    Vector certified_w;
    double certified_b = 0.0;
    // The next check is due when the gap, falling geometrically per pass at the rate seen between
    // the last two checks, should meet the tolerance (2 to 20 passes on; 10 without a rate): no
    // passes wasted past convergence waiting for a fixed schedule, no checks wasted far from it.
    const int default_check_every = control.check_every;
    double last_check_gap = HUGE_VAL;
    long long last_check_passes = -1;
    auto schedule_next_check = [&](double gap) {
      const long long passes = stats.passes;
      int next = default_check_every;
      if (last_check_passes >= 0 && passes > last_check_passes && gap > gap_tolerance && gap < last_check_gap) {
        const double per_pass = std::log(gap / last_check_gap) / static_cast<double>(passes - last_check_passes);
        const double needed = std::log(gap_tolerance / gap) / per_pass;
        if (std::isfinite(needed)) next = static_cast<int>(std::clamp(std::ceil(needed), 2.0, 20.0));
      }
      control.check_every = next;
      last_check_gap = gap;
      last_check_passes = passes;
    };
    // The state and working set of the last such check (working_scratch_ holds its evaluation):
    // an optimizer that returns right after a successful check needs no second evaluation.
    Vector checked_z;
    std::vector<Index> checked_set;
    bool checked = false;
    auto working_set_certified = [&](const SolverState& at, const SolveControl::Correlate* correlate) {
      const Evaluation& restricted = evaluate_working_set(at, working_set, correlate);
      schedule_next_check(restricted.gap);
      checked = !gram_mode_ && &at == &state;
      if (has_safe_dynamic || checked) {
        certified_w.resize(static_cast<Index>(working_set.size()));
        for (std::size_t k = 0; k < working_set.size(); ++k) certified_w[static_cast<Index>(k)] = at.w[working_set[k]];
        certified_b = at.b;
      }
      if (checked) {
        checked_z = at.z;
        checked_set = working_set;
      }
      return restricted.gap <= gap_tolerance && restricted.unpenalized_certified;
    };
    // True when working_scratch_ still evaluates the current state on the current working set.
    auto check_is_current = [&]() {
      if (!checked || checked_set != working_set || checked_z != state.z || certified_b != state.b) return false;
      for (std::size_t k = 0; k < working_set.size(); ++k) {
        if (certified_w[static_cast<Index>(k)] != state.w[working_set[k]]) return false;
      }
      return true;
    };
    control.certified = [&](const SolverState& at) { return working_set_certified(at, nullptr); };
    control.certified_with = [&](const SolverState& at, const SolveControl::Correlate& correlate) {
      return working_set_certified(at, &correlate);
    };
    // Set before each solve: during it the working set is fixed and only the dynamic screening
    // clears keep_safe (of members), so the answer holds until it returns.
    bool working_set_holds_all_kept = false;
    if (has_safe_dynamic) {
      // Dynamic screening inside the solve (MATH.md 4.5). The working set's gap certifies the
      // (safely reduced) full problem only when every feature no safe rule removed is in the
      // working set (no strong-rule discards pending); features removed during this solve stay in
      // it at zero until the solve returns, which keeps that true.
      control.screen = [&](const SolverState& at, std::vector<Index>& removed) {
        removed.clear();
        if (!working_set_holds_all_kept) return;
        bool same = certified_w.size() == static_cast<Index>(working_set.size()) && certified_b == at.b;
        for (std::size_t k = 0; same && k < working_set.size(); ++k) same = certified_w[static_cast<Index>(k)] == at.w[working_set[k]];
        if (!same) checked = false;  // working_scratch_ now evaluates another state
        const Evaluation& restricted = same ? working_scratch_ : evaluate_working_set(at, working_set);
        if (!std::isfinite(restricted.gap)) return;
        dynamic_scaled_ = restricted.scaling * restricted.correlation;
        const ScreeningContext context{problem_, lambda, previous_lambda, dynamic_scaled_, previous_correlation,
                                       safe_radius(restricted), column_norms_, zero_interval_table()};
        for (const ScreeningRule* rule : rules_) {
          if (rule->is_safe() && rule->timing() == ScreeningTiming::every_gap_check) rule->screen(context, keep_safe);
        }
        for (Index j : working_set) {
          if (!keep_safe[j] && (at.w[j] != 0.0 || !dynamic_removed[j])) {
            removed.push_back(j);
            if (!dynamic_removed[j]) {
              dynamic_removed[j] = 1;
              ++point.screening.dynamic_screened;
            }
          }
        }
      };
    }
    if (options_.time_budget_seconds > 0.0) control.deadline_seconds = start_time + options_.time_budget_seconds;
    auto holds_all_kept = [&]() {
      for (Index j = 0; j < p; ++j) {
        if (keep_safe[j] && !in_working_set[j]) return false;
      }
      return true;
    };
    Outcome outcome;
    int refinements = 0;
    bool converged = false;
    bool skip_solve = false;
    if (lambda >= lambda_max_) {
      // At or above lambda_max the null model is optimal when every penalized correlation lies in
      // its zero subdifferential; then no solve is needed (and none can add rounding noise).
      state = null_state();
      working_set.clear();
      std::fill(in_working_set.begin(), in_working_set.end(), 0);
      skip_solve = true;
      for (Index j = 0; j < p; ++j) {
        if (excluded(j)) continue;
        if (penalty.is_unpenalized(j)) {
          working_set.push_back(j);
          in_working_set[j] = 1;
          continue;
        }
        if (blocks != nullptr || !has_all(penalty.capabilities(), Capability::zero_subdifferential)) continue;
        const Interval allowed = penalty.zero_subdifferential(j);
        if (rho0_correlation_[j] < allowed.low || rho0_correlation_[j] > allowed.high) skip_solve = false;
      }
      evaluate_into(state, evaluation);
    }
    bool full_is_current = skip_solve;  // the null state was just evaluated in full
    double penalty_violation = 0.0;     // the penalty's own KKT check (check_outside), if any
    for (int round = 0; round < 10000; ++round) {
      if (!skip_solve) {
        if (has_safe_dynamic) working_set_holds_all_kept = holds_all_kept();
        outcome = optimizer_.solve(problem_, working_set, state, control, stats);
        full_is_current = false;
        if (control.screen) {  // features the dynamic screening removed during the solve leave
          drop_screened(false);
          std::vector<Index> kept;
          for (Index j : working_set) {
            if (keep_safe[j]) kept.push_back(j);
            else in_working_set[j] = 0;
          }
          working_set.swap(kept);
        }
        if (outcome.status == Status::interrupted || outcome.status == Status::numerical_issue) break;
        // The gap of the subproblem is a lower bound of the full gap and costs O(n |working set|):
        // refine on it before paying for a full pass over the data.
        const Evaluation& restricted = check_is_current() ? working_scratch_ : evaluate_working_set(state, working_set);
        checked = false;
        if (!(restricted.gap <= gap_tolerance) && outcome.status == Status::ok &&
            refinements < options_.max_refinements) {
          ++refinements;
          control.tolerance *= 0.1;
          continue;
        }
      }
      // After a solve working_scratch_ evaluates this state on the working set: when that is most
      // of the features, only the others' correlations are missing.
      if (!skip_solve && !gram_mode_ && 2 * static_cast<Index>(working_set.size()) >= p) {
        evaluate_beyond_working_set(state, in_working_set, evaluation);
      } else {
        evaluate_into(state, evaluation);
      }
      full_is_current = true;
      if (has_safe_dynamic) {
        ScreeningContext context = screening_context(evaluation);
        for (const ScreeningRule* rule : rules_) {
          if (rule->is_safe() && rule->timing() == ScreeningTiming::every_gap_check) rule->screen(context, keep_safe);
        }
        const bool dropped = drop_screened(false);  // before the working set loses its screened members
        std::vector<Index> kept;
        for (Index j : working_set) {
          if (keep_safe[j]) kept.push_back(j);
          else in_working_set[j] = 0;
        }
        working_set.swap(kept);
        if (dropped) evaluate_into(state, evaluation);
      }
      // KKT re-check over every feature outside the working set that no safe rule removed.
      refresh_intervals();
      Index violations = 0;
      bool own_check = false;
      {
        penalty_additions_.clear();
        const double violation = penalty.check_outside(state.w, evaluation.correlation, in_working_set, penalty_additions_);
        if (violation >= 0.0) {
          own_check = true;
          penalty_violation = violation;
          for (Index j : penalty_additions_) {
            if (in_working_set[j] || !keep_safe[j]) continue;
            working_set.push_back(j);
            in_working_set[j] = 1;
            ++violations;
          }
        }
      }
      if (!own_check && blocks != nullptr) violations = block_violations(state, evaluation, keep_safe, in_working_set, working_set);
      for (Index j = 0; j < p && blocks == nullptr && !own_check; ++j) {
        if (!keep_safe[j] || in_working_set[j]) continue;
        const Interval& allowed = intervals_[static_cast<std::size_t>(j)];
        const double c = evaluation.correlation[j];
        // A relative slack of 1e-12 keeps rounding noise (a correlation computed two ways) from
        // reopening a coordinate sitting exactly on the boundary; the gap still certifies.
        const double slack = 1e-12 * std::max(std::abs(allowed.low) < HUGE_VAL ? std::abs(allowed.low) : 0.0,
                                              std::abs(allowed.high) < HUGE_VAL ? std::abs(allowed.high) : 0.0);
        if (c < allowed.low - slack || c > allowed.high + slack) {
          working_set.push_back(j);
          in_working_set[j] = 1;
          ++violations;
        }
      }
      point.screening.kkt_violations += violations;
      if (violations > 0) {
        skip_solve = false;
        continue;
      }
      if (evaluation.gap <= gap_tolerance && evaluation.unpenalized_certified) {
        converged = true;
        break;
      }
      if (skip_solve) {
        skip_solve = false;
        continue;
      }
      if (outcome.status == Status::not_converged) break;
      if (++refinements > options_.max_refinements) break;
      control.tolerance *= 0.1;
    }
    if (!full_is_current) evaluate_into(state, evaluation);
    std::sort(working_set.begin(), working_set.end());

    // Record the point on the original scale.
    point.objective = evaluation.primal;
    point.dual_objective = evaluation.dual;
    point.duality_gap = evaluation.gap;
    point.max_kkt_violation = std::max(evaluation.unpenalized_violation, penalty_violation);
    point.converged = converged;
    point.passes = stats.passes;
    point.outer_iterations = stats.outer;
    point.flops = stats.flops + (evaluation_flops_ - flops_at_start);
    if (converged) {
      point.status = Status::ok;
    } else if (outcome.status == Status::interrupted) {
      point.status = Status::interrupted;
      point.message = outcome.message;
    } else if (outcome.status == Status::numerical_issue) {
      point.status = Status::numerical_issue;
      point.message = outcome.message;
    } else {
      point.status = Status::not_converged;
      point.message = outcome.message.empty()
                          ? "duality gap " + format_real(evaluation.gap) + " above tolerance " +
                                format_real(gap_tolerance)
                          : outcome.message;
    }
    double intercept = state.b;
    bool products = false;
    Index support = 0;  // nonzero internal coefficients (products expand into more terms)
    fitted_support.clear();  // the fitted-scale state, kept for a resume
    for (Index j = 0; j < p; ++j) {
      if (state.w[j] == 0.0) continue;
      ever_active[j] = 1;
      ++support;
      fitted_support.emplace_back(j, state.w[j]);
      const double beta = state.w[j] / standardization_.scale[j];
      point.coefficients.emplace_back(j, beta);
      if (standardization_.origins.empty() || !standardization_.origins[static_cast<std::size_t>(j)].is_product()) {
        intercept -= beta * standardization_.center[j];
        continue;
      }
      // (x_i - m_i)(x_k - m_k) / (s_i s_k): the main effects and the intercept take the rest.
      products = true;
      const FeatureOrigin origin = standardization_.origins[static_cast<std::size_t>(j)];
      const double m_i = standardization_.data_center[origin.first], m_k = standardization_.data_center[origin.second];
      point.coefficients.emplace_back(standardization_.main_of_column[static_cast<std::size_t>(origin.first)], -beta * m_k);
      point.coefficients.emplace_back(standardization_.main_of_column[static_cast<std::size_t>(origin.second)], -beta * m_i);
      intercept += beta * m_i * m_k;
    }
    if (!standardization_.origins.empty()) {
      point.hierarchy_violations = 0;
      for (Index j = 0; j < p; ++j) {
        const FeatureOrigin origin = standardization_.origins[static_cast<std::size_t>(j)];
        if (state.w[j] == 0.0 || !origin.is_product()) continue;
        const Index first = standardization_.main_of_column[static_cast<std::size_t>(origin.first)];
        const Index second = standardization_.main_of_column[static_cast<std::size_t>(origin.second)];
        point.hierarchy_violations += state.w[first] == 0.0 || state.w[second] == 0.0;
      }
    }
    if (products) {  // merge the terms of each feature
      std::sort(point.coefficients.begin(), point.coefficients.end());
      std::vector<std::pair<Index, double>> merged;
      for (const auto& [j, value] : point.coefficients) {
        if (!merged.empty() && merged.back().first == j) merged.back().second += value;
        else merged.emplace_back(j, value);
      }
      std::erase_if(merged, [](const auto& term) { return term.second == 0.0; });
      point.coefficients.swap(merged);
    }
    point.intercept = intercept;
    Index screened = 0;  // safely screened: cleared in keep_safe and not excluded (those start cleared)
    for (Index j = 0; j < p; ++j) screened += keep_safe[j] ^ 1;
    point.screening.safe_screened = screened - static_cast<Index>(excluded_indices_.size());
    point.screening.working_set = static_cast<Index>(working_set.size());
    point.deviance_ratio = null_objective_ > 0.0 ? 1.0 - evaluation.loss / null_objective_ : 0.0;
    point.seconds = steady_seconds() - point_start;
    result.points.push_back(point);
    if (progress) progress(result.points.back(), static_cast<Index>(k), static_cast<Index>(grid.size()));

    if (point.status != Status::interrupted) {
      result.resume_coefficients.swap(fitted_support);
      result.resume_intercept = state.b;
      result.resume_points = static_cast<Index>(result.points.size());
    }
    if (point.status == Status::interrupted) {
      result.complete = false;
      result.stop_reason = interrupt != nullptr && interrupt->load() ? "interrupted" : "time budget reached";
      if (result.stop_reason == "interrupted") break;
      break;
    }
    previous_correlation = evaluation.correlation;
    previous_lambda = lambda;
    last_full_evaluation = std::move(evaluation);
    have_full_evaluation = true;
    if (extrapolate && point.converged) {
      std::swap(older, latest);
      older_lambda = latest_lambda;
      older_index = latest_index;
      latest = state;
      latest_lambda = lambda;
      latest_index = k;
    }
    if (options_.max_nonzeros >= 0 && support >= options_.max_nonzeros) {
      result.stop_reason = "max_nonzeros reached";
      break;
    }
    if (options_.time_budget_seconds > 0.0 && steady_seconds() - start_time > options_.time_budget_seconds) {
      result.stop_reason = "time budget reached";
      break;
    }
    if (k + 1 >= 5 && k + 1 < grid.size()) {  // glmnet's mnlam: no deviance stop before 5 points
      if (options_.max_deviance_ratio < 1.0 && point.deviance_ratio > options_.max_deviance_ratio) {
        result.stop_reason = "deviance ratio above max_deviance_ratio";
        break;
      }
      if (options_.min_deviance_change > 0.0 &&
          point.deviance_ratio - previous_deviance_ratio < options_.min_deviance_change * point.deviance_ratio) {
        result.stop_reason = "deviance ratio change below min_deviance_change";
        break;
      }
    }
    previous_deviance_ratio = point.deviance_ratio;
  }
  if (result.stop_reason.empty()) result.stop_reason = "grid exhausted";
  return result;
}

}  // namespace sparsepath
