// Block coordinate descent for penalties separable over blocks (capability block_prox): group
// lasso, sparse-group lasso, and any separable penalty (one block per feature).
//
// Each visit of block g minimises a quadratic model of the loss in w_g plus h_g exactly (up to an
// inner tolerance) by accelerated proximal gradient on the block's small matrix M_g:
//   - quadratic losses: M_g = X_g^T H X_g, with the intercept kept optimal after every update
//     (M_g then uses h-centred columns), so the model is the loss itself;
//   - other losses: M_g = L_f X_g^T V X_g majorises the loss (L_f = sup f''), the intercept takes
//     one majorised step per pass (an MM scheme: the objective never increases).
// Before solving, a block at zero stays there when its gradient passes the penalty's zero test
// (block_dual_norm <= lambda), which costs one gradient. Passes alternate between the whole
// working set and the blocks that are nonzero, glmnet-style. When the path solver offers dynamic
// safe screening (SolveControl::screen), every certificate check may remove groups and features,
// which are zeroed and left out of the following passes. In the path solver's covariance mode
// (Problem::gram) the gradient of the working set is updated from the Gram matrix instead of the
// residual.
#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/registry.hpp"
#include "sparsepath/core/working_blocks.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace sparsepath::plugins {

namespace {
// Largest eigenvalue of a small symmetric positive semidefinite matrix; the trace (an upper bound)
// for blocks too large to decompose at every cache fill.
double largest_eigenvalue(const Matrix& m) {
  if (m.rows() == 0) return 0.0;
  if (m.rows() > 400) return m.trace();
  Eigen::SelfAdjointEigenSolver<Matrix> solver(m, Eigen::EigenvaluesOnly);
  return std::max(solver.eigenvalues().maxCoeff(), 0.0) * (1.0 + 1e-12) + 1e-300;
}
}  // namespace

struct BlockCoordinateDescentOptions {
  long long max_inner_iterations = 200;
  bool is_valid(std::string* why) const {
    if (max_inner_iterations < 1) {
      if (why) *why = "optimizer.max_inner_iterations = " + std::to_string(max_inner_iterations) + "; expected >= 1";
      return false;
    }
    return true;
  }
};

class BlockCoordinateDescent final : public Optimizer {
 public:
  explicit BlockCoordinateDescent(const Params& params) {
    options_.max_inner_iterations = params.integer("max_inner_iterations");
    std::string why;
    if (!options_.is_valid(&why)) throw Error(why);
  }
  static Schema schema() {
    return Schema("bcd",
                  "Block coordinate descent for group penalties (any penalty with a block prox; "
                  "separable penalties use one block per feature): exact block updates for "
                  "quadratic losses, majorised ones otherwise")
        .integer("max_inner_iterations", 200,
                 "accelerated proximal-gradient iterations per block update (on the block's small "
                 "matrix, no pass over the data)",
                 at_least(1));
  }
  Capability required_penalty_capabilities() const override { return Capability::block_prox; }
  Capability required_loss_capabilities() const override { return Capability::lipschitz_gradient; }

  Outcome solve(const Problem& problem, std::span<const Index> working_set, SolverState& state,
                const SolveControl& control, SolveStats& stats) override {
    const Index p = problem.design.cols();
    working_.assign(working_set.begin(), working_set.end());
    blocks_.assign(problem.penalty, working_, p);
    const bool gram = problem.gram != nullptr;
    prepare_cache(problem, state);
    if (gram) {
      gradient_.setZero(p);
      for (Index j = 0; j < p; ++j) {
        if (state.w[j] != 0.0) gradient_.noalias() -= state.w[j] * problem.gram->col(j);
      }
      gradient_ += *problem.gram_xty;
      stats.flops += 2.0 * static_cast<double>(p) * static_cast<double>((state.w.array() != 0.0).count());
    } else {
      rho_.resize(problem.design.rows());
      problem.loss.residual(problem.y, problem.v, state.z, rho_);
      if (problem.fit_intercept && quadratic_) centre_intercept(state);
    }
    long long passes_left = control.max_passes;
    const double tolerance = control.tolerance;
    inner_scale_ = tolerance;
    bool converged = false, interrupted = false;
    long long since_check = 0;
    auto pass = [&](bool active_only) {
      double largest = 0.0;
      for (Index k = 0; k < blocks_.count(); ++k) {
        if (active_only && !block_is_nonzero(state, k)) continue;
        largest = std::max(largest, visit(problem, state, k, gram, stats));
      }
      if (!gram && problem.fit_intercept && !quadratic_) largest = std::max(largest, intercept_step(problem, state));
      ++stats.passes;
      --passes_left;
      ++since_check;
      return largest;
    };
    auto certified = [&]() {
      if (!control.certified || since_check < control.check_every) return false;
      since_check = 0;
      if (control.certified(state)) return true;
      if (control.screen) {
        control.screen(state, removed_);
        if (!removed_.empty()) remove(problem, state, gram, stats);
      }
      return false;
    };
    while (passes_left > 0 && !converged) {
      if (control.stop_requested()) {
        interrupted = true;
        break;
      }
      const double change = pass(false);
      if (change <= tolerance || certified()) {
        converged = true;
        break;
      }
      while (passes_left > 0) {  // iterate on the nonzero blocks until they settle
        if (control.stop_requested()) {
          interrupted = true;
          break;
        }
        const double active_change = pass(true);
        if (certified()) {
          converged = true;
          break;
        }
        if (active_change <= tolerance) break;
      }
      if (interrupted) break;
    }
    if (interrupted) return {Status::interrupted, "stopped by interrupt or time budget"};
    if (!converged) return {Status::not_converged, "block coordinate descent reached max_passes"};
    return {};
  }

 private:
  struct BlockModel {
    std::vector<Index> members;
    Matrix m;            // M_g
    double lipschitz = 0.0;
  };

  bool block_is_nonzero(const SolverState& state, Index k) const {
    for (Index j : blocks_.members(k)) {
      if (state.w[j] != 0.0) return true;
    }
    return false;
  }

  // The block matrices depend on the design, the weights and the intercept treatment only: they
  // are kept across calls (and lambdas) until one of those changes.
  void prepare_cache(const Problem& problem, const SolverState& state) {
    const Index n = problem.design.rows();
    quadratic_ = problem.loss.is_quadratic();
    weights_.resize(n);
    if (quadratic_) {
      problem.loss.curvature(problem.y, problem.v, state.z, weights_);
    } else {
      weights_ = problem.loss.curvature_bound() * problem.v;
    }
    const bool same = cache_design_ == &problem.design && cache_gram_ == problem.gram &&
                      cache_loss_ == &problem.loss && cache_quadratic_ == quadratic_ &&
                      cache_blocks_ == problem.penalty.blocks() && cache_intercept_ == problem.fit_intercept &&
                      cache_weights_.size() == n && cache_weights_ == weights_;
    if (!same) {
      models_.clear();
      cache_design_ = &problem.design;
      cache_gram_ = problem.gram;
      cache_loss_ = &problem.loss;
      cache_quadratic_ = quadratic_;
      cache_blocks_ = problem.penalty.blocks();
      cache_intercept_ = problem.fit_intercept;
      cache_weights_ = weights_;
      weight_sum_ = weights_.sum();
    }
  }

  const BlockModel& model(const Problem& problem, Index k, bool gram, SolveStats& stats) {
    const Index id = blocks_.id(k);
    const auto members = blocks_.members(k);
    BlockModel& entry = models_[id];
    if (entry.lipschitz > 0.0 && entry.members.size() == members.size() &&
        std::equal(members.begin(), members.end(), entry.members.begin())) {
      return entry;
    }
    const Index size = static_cast<Index>(members.size());
    entry.members.assign(members.begin(), members.end());
    entry.m.resize(size, size);
    if (gram) {
      for (Index a = 0; a < size; ++a) {
        for (Index b = 0; b < size; ++b) entry.m(a, b) = (*problem.gram)(members[static_cast<std::size_t>(a)], members[static_cast<std::size_t>(b)]);
      }
    } else {
      const Index n = problem.design.rows();
      columns_.setZero(n, size);
      for (Index a = 0; a < size; ++a) {
        problem.design.col_axpy(members[static_cast<std::size_t>(a)], 1.0, columns_.col(a));
      }
      Matrix weighted = weights_.asDiagonal() * columns_;
      entry.m.noalias() = columns_.transpose() * weighted;
      if (problem.fit_intercept && quadratic_ && weight_sum_ > 0.0) {
        const Vector sums = weighted.colwise().sum().transpose();
        entry.m.noalias() -= sums * sums.transpose() / weight_sum_;
      }
      stats.flops += 2.0 * static_cast<double>(n) * static_cast<double>(size) * static_cast<double>(size + 1);
    }
    entry.lipschitz = largest_eigenvalue(entry.m);
    if (!(entry.lipschitz > 0.0)) entry.lipschitz = 1e-300;
    return entry;
  }

  // Updates block k; returns the model decrease scale dw^T M dw (objective units).
  double visit(const Problem& problem, SolverState& state, Index k, bool gram, SolveStats& stats) {
    const auto members = blocks_.members(k);
    const Index size = static_cast<Index>(members.size());
    const Index n = problem.design.rows();
    block_gradient_.resize(size);
    if (gram) {
      for (Index a = 0; a < size; ++a) block_gradient_[a] = gradient_[members[static_cast<std::size_t>(a)]];
    } else {
      problem.design.col_dots(rho_, members, block_gradient_.data());
    }
    if (!gram) stats.flops += 2.0 * static_cast<double>(n) * static_cast<double>(size);
    start_.resize(size);
    bool at_zero = true;
    for (Index a = 0; a < size; ++a) {
      start_[a] = state.w[members[static_cast<std::size_t>(a)]];
      at_zero &= start_[a] == 0.0;
    }
    const Penalty& penalty = problem.penalty;
    const Index id = blocks_.id(k);
    if (at_zero && penalty.block_dual_norm(id, members, block_gradient_) <= penalty.lambda()) return 0.0;
    const BlockModel& block = model(problem, k, gram, stats);
    // Minimise -g^T (u - u0) + 1/2 (u - u0)^T M (u - u0) + h_g(u) by FISTA with adaptive restart.
    const double step = 1.0 / block.lipschitz;
    current_ = start_;
    extrapolated_ = start_;
    double momentum = 1.0;
    for (long long iteration = 0; iteration < options_.max_inner_iterations; ++iteration) {
      difference_ = extrapolated_ - start_;
      product_.noalias() = block.m * difference_;  // no temporary: the product has its own buffer
      trial_ = extrapolated_ - step * (product_ - block_gradient_);
      next_.resize(size);
      penalty.prox_block(id, members, trial_, step, next_);
      stats.flops += 2.0 * static_cast<double>(size) * static_cast<double>(size) + 10.0 * static_cast<double>(size);
      change_ = next_ - current_;
      const double moved = change_.squaredNorm() * block.lipschitz;
      const double restart = (extrapolated_ - next_).dot(change_);
      const double next_momentum = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * momentum * momentum));
      if (restart > 0.0) {
        momentum = 1.0;
        extrapolated_ = next_;
      } else {
        extrapolated_ = next_ + ((momentum - 1.0) / next_momentum) * change_;
        momentum = next_momentum;
      }
      current_ = next_;
      // Inexact block minimisation is enough (the outer passes revisit the block): stop once the
      // inner steps are small next to the block's whole move, or below the tolerance.
      const double whole = (current_ - start_).squaredNorm() * block.lipschitz;
      if (moved <= 1e-3 * inner_scale_ || moved <= 1e-6 * whole || change_.norm() <= 1e-13 * current_.norm()) break;
    }
    change_ = current_ - start_;
    if (change_.isZero(0.0)) return 0.0;
    // Accelerated steps are not monotone: when the model did not improve, take one plain
    // proximal-gradient step from the start instead (it never increases the model), so that the
    // objective never increases.
    const double start_penalty = penalty.value_on(state.w, members);
    for (Index a = 0; a < size; ++a) state.w[members[static_cast<std::size_t>(a)]] = current_[a];
    const double model_change = -block_gradient_.dot(change_) + 0.5 * change_.dot(block.m * change_) +
                                penalty.value_on(state.w, members) - start_penalty;
    if (!(model_change <= 0.0)) {
      trial_ = start_ + step * block_gradient_;
      penalty.prox_block(id, members, trial_, step, current_);
      change_ = current_ - start_;
      for (Index a = 0; a < size; ++a) state.w[members[static_cast<std::size_t>(a)]] = current_[a];
      if (change_.isZero(0.0)) return 0.0;
    }
    if (gram) {
      // Only the working set's gradient is read: when it is a small part of p, update just its
      // rows (G is symmetric: G(j, m) is entry j of column m).
      const Matrix& g = *problem.gram;
      const auto rows = blocks_.all_members();
      if (4 * static_cast<Index>(rows.size()) < g.rows()) {
        for (Index a = 0; a < size; ++a) {
          const double delta = change_[a];
          if (delta == 0.0) continue;
          const double* column = g.col(members[static_cast<std::size_t>(a)]).data();
          for (Index j : rows) gradient_[j] -= delta * column[j];
        }
        stats.flops += 2.0 * static_cast<double>(rows.size()) * static_cast<double>(size);
      } else if (members.back() - members.front() + 1 == size && std::is_sorted(members.begin(), members.end())) {
        // Contiguous members (the usual layout of groups): one gemv reads and writes the gradient
        // once instead of once per member.
        blas::gemv_add(g.rows(), size, -1.0, g.col(members.front()).data(), g.rows(), change_.data(), gradient_.data());
        stats.flops += 2.0 * static_cast<double>(gradient_.size()) * static_cast<double>(size);
      } else {
        for (Index a = 0; a < size; ++a) {
          if (change_[a] != 0.0) blas::axpy(g.rows(), -change_[a], g.col(members[static_cast<std::size_t>(a)]).data(), gradient_.data());
        }
        stats.flops += 2.0 * static_cast<double>(gradient_.size()) * static_cast<double>(size);
      }
    } else {
      step_z_.setZero(n);
      for (Index a = 0; a < size; ++a) {
        if (change_[a] != 0.0) problem.design.col_axpy(members[static_cast<std::size_t>(a)], change_[a], step_z_);
      }
      state.z += step_z_;
      stats.flops += 2.0 * static_cast<double>(n) * static_cast<double>(size) + 4.0 * static_cast<double>(n);
      if (quadratic_) {
        rho_.noalias() -= weights_.cwiseProduct(step_z_);
        if (problem.fit_intercept) centre_intercept(state);
      } else {
        problem.loss.residual(problem.y, problem.v, state.z, rho_);
        stats.flops += 20.0 * static_cast<double>(n);
      }
    }
    return change_.dot(block.m * change_);
  }

  // Dynamic screening removed these features: zero them (keeping the gradient or z and rho
  // consistent) and leave them out of the blocks.
  void remove(const Problem& problem, SolverState& state, bool gram, SolveStats& stats) {
    const Index n = problem.design.rows();
    bool moved = false;
    if (!gram) step_z_.setZero(n);
    for (Index j : removed_) {
      const double value = state.w[j];
      if (value == 0.0) continue;
      state.w[j] = 0.0;
      moved = true;
      if (gram) gradient_.noalias() += value * problem.gram->col(j);
      else problem.design.col_axpy(j, -value, step_z_);
      stats.flops += 2.0 * static_cast<double>(gram ? gradient_.size() : n);
    }
    if (moved && !gram) {
      state.z += step_z_;
      if (quadratic_) {
        rho_.noalias() -= weights_.cwiseProduct(step_z_);
        if (problem.fit_intercept) centre_intercept(state);
      } else {
        problem.loss.residual(problem.y, problem.v, state.z, rho_);
      }
    }
    std::sort(removed_.begin(), removed_.end());
    std::erase_if(working_, [&](Index j) { return std::binary_search(removed_.begin(), removed_.end(), j); });
    blocks_.assign(problem.penalty, working_, problem.design.cols());
  }

  // Quadratic loss: the intercept minimising the loss for the current w, so 1^T rho = 0.
  void centre_intercept(SolverState& state) {
    if (!(weight_sum_ > 0.0)) return;
    const double shift = rho_.sum() / weight_sum_;
    if (shift == 0.0) return;
    state.b += shift;
    state.z.array() += shift;
    rho_.noalias() -= shift * weights_;
  }

  // Other losses: one majorised step on the intercept (curvature bound L_f sum v).
  double intercept_step(const Problem& problem, SolverState& state) {
    const double curvature = weights_.sum();
    if (!(curvature > 0.0)) return 0.0;
    const double shift = rho_.sum() / curvature;
    if (shift == 0.0) return 0.0;
    state.b += shift;
    state.z.array() += shift;
    problem.loss.residual(problem.y, problem.v, state.z, rho_);
    return curvature * shift * shift;
  }

  BlockCoordinateDescentOptions options_;
  WorkingBlocks blocks_;
  std::vector<Index> working_, removed_;
  bool quadratic_ = true;
  Vector weights_, cache_weights_, rho_, gradient_, step_z_;
  double weight_sum_ = 0.0;
  const Design* cache_design_ = nullptr;
  const Matrix* cache_gram_ = nullptr;
  const Loss* cache_loss_ = nullptr;
  const BlockStructure* cache_blocks_ = nullptr;
  bool cache_quadratic_ = true;
  bool cache_intercept_ = false;
  std::unordered_map<Index, BlockModel> models_;
  Matrix columns_;
  Vector block_gradient_, product_, start_, current_, extrapolated_, difference_, trial_, next_, change_;
  double inner_scale_ = 0.0;
};

void register_bcd(Registry& registry) {
  registry.add<Optimizer, BlockCoordinateDescent>("bcd", BlockCoordinateDescent::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-optimizer-bcd", sparsepath::plugins::register_bcd)
