// Accelerated proximal gradient (FISTA, Beck & Teboulle 2009) for any penalty with a prox
// (capability block_prox; separable penalties get it from prox_1d): lasso, elastic net, group and
// sparse-group lasso. Backtracking on the step (MATH.md 3.7): a step 1/L is accepted when the loss
// at the new point lies under the quadratic upper model at the extrapolated point, otherwise L
// doubles; the estimate is kept across calls. Adaptive restart (O'Donoghue & Candes 2015): the
// momentum restarts when the step and the last move point in opposite directions.
//
// The intercept is one more unpenalized coordinate of the gradient step. In the path solver's
// covariance mode (Problem::gram) the loss is 1/2 w^T G w - w^T X^T H (y - b) with the intercept
// fixed, and the "predictor" kept along the iterates is G w instead of z = X w + b: both are
// affine in the iterate, so extrapolation moves them along with it without a pass over the data.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/core/working_blocks.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <cmath>

namespace sparsepath::plugins {

struct FistaOptions {
  bool acceleration = true;  // false: plain proximal gradient (hier_pgd's default, as hierScale)
  bool restart = true;
  double backtracking_factor = 2.0;
  bool is_valid(std::string* why) const {
    if (!(backtracking_factor > 1.0)) {
      if (why) *why = "optimizer.backtracking_factor = " + format_real(backtracking_factor) + "; expected > 1";
      return false;
    }
    return true;
  }
};

class Fista final : public Optimizer {
 public:
  explicit Fista(const Params& params) {
    options_.acceleration = params.boolean("acceleration");
    options_.restart = params.boolean("restart");
    options_.backtracking_factor = params.real("backtracking_factor");
    std::string why;
    if (!options_.is_valid(&why)) throw Error(why);
  }
  static Schema schema() {
    return common_keys(Schema("fista",
                              "Accelerated proximal gradient (FISTA) with backtracking and adaptive "
                              "restart, for any penalty with a prox"),
                       true);
  }
  // hierScale's optimizer (MATH.md 5.4): proximal gradient on the working set, which the strong
  // hierarchy penalty's KKT check grows (5.5); plain steps by default, as in the reference.
  static Schema hier_pgd_schema() {
    return common_keys(Schema("hier_pgd",
                              "Proximal gradient on the active set for the strong-hierarchy relaxation "
                              "(hierScale's PGD; the penalty's KKT check augments the active set)"),
                       false);
  }
  static Schema common_keys(Schema schema, bool accelerate) {
    return schema
        .boolean("acceleration", accelerate, "Nesterov momentum (FISTA); false gives plain proximal gradient")
        .boolean("restart", true, "restart the momentum when it points against the last step")
        .real("backtracking_factor", 2.0, "growth of the Lipschitz estimate when a step is rejected",
              greater_than(1.0));
  }
  Capability required_penalty_capabilities() const override { return Capability::block_prox; }
  Capability required_loss_capabilities() const override { return Capability::lipschitz_gradient; }

  Outcome solve(const Problem& problem, std::span<const Index> working_set, SolverState& state,
                const SolveControl& control, SolveStats& stats) override {
    const Design& design = problem.design;
    const Index p = design.cols();
    blocks_.assign(problem.penalty, working_set, p);
    const auto members = blocks_.all_members();
    const Index size = static_cast<Index>(members.size());
    gram_ = problem.gram != nullptr;
    intercept_ = problem.fit_intercept && !gram_;
    if (lipschitz_design_ != &design || lipschitz_gram_ != problem.gram) {
      lipschitz_design_ = &design;
      lipschitz_gram_ = problem.gram;
      lipschitz_ = 0.0;
    }
    if (!(lipschitz_ > 0.0)) lipschitz_ = initial_lipschitz(problem, members);
    else lipschitz_ *= 0.5;  // let the estimate come down between solves (backtracking raises it)
    // x: the current iterate (members' coefficients, then the intercept); y: the extrapolated one.
    x_.resize(size);
    for (Index k = 0; k < size; ++k) x_[k] = state.w[members[static_cast<std::size_t>(k)]];
    double xb = state.b;
    if (gram_) {
      // base = G w over the coefficients outside the working set (fixed during the solve).
      base_.setZero(p);
      for (Index j = 0; j < p; ++j) {
        if (state.w[j] != 0.0) base_.noalias() += state.w[j] * problem.gram->col(j);
      }
      for (Index k = 0; k < size; ++k) {
        if (x_[k] != 0.0) base_.noalias() -= x_[k] * problem.gram->col(members[static_cast<std::size_t>(k)]);
      }
      predictor_x_ = base_;
      add_columns(problem, members, x_, predictor_x_);
    } else {
      predictor_x_ = state.z;
    }
    y_ = x_;
    double yb = xb;
    predictor_y_ = predictor_x_;
    double momentum = 1.0;
    long long since_check = 0;
    bool converged = false, interrupted = false;
    auto write_back = [&]() {
      for (Index k = 0; k < size; ++k) state.w[members[static_cast<std::size_t>(k)]] = x_[k];
      if (!gram_) {
        state.b = xb;
        state.z = predictor_x_;
      }
    };
    for (long long iteration = 0; iteration < control.max_passes; ++iteration) {
      if (control.stop_requested()) {
        interrupted = true;
        break;
      }
      const double value_y = value_and_gradient(problem, members, y_, predictor_y_, gradient_, gradient_b_, stats);
      double value_u = 0.0, ub = yb;
      for (int attempt = 0;; ++attempt) {
        const double step = 1.0 / lipschitz_;
        trial_.noalias() = y_ - step * gradient_;
        u_.resize(size);
        for (Index k = 0; k < blocks_.count(); ++k) {
          const Index begin = blocks_.offset(k), length = blocks_.offset(k + 1) - begin;
          problem.penalty.prox_block(blocks_.id(k), blocks_.members(k), trial_.segment(begin, length), step,
                                     u_.segment(begin, length));
        }
        ub = intercept_ ? yb - step * gradient_b_ : yb;
        difference_ = u_ - y_;
        const double db = ub - yb;
        predictor_u_ = predictor_y_;
        add_columns(problem, members, difference_, predictor_u_);
        if (!gram_) predictor_u_.array() += db;
        value_u = value_at(problem, members, u_, predictor_u_, stats);
        const double model = value_y + gradient_.dot(difference_) + gradient_b_ * db +
                             0.5 * lipschitz_ * (difference_.squaredNorm() + db * db);
        const double rounding = 1e-13 * (std::abs(value_y) + std::abs(value_u));
        if (std::isfinite(value_u) && value_u <= model + rounding) break;
        if (attempt >= 100) {
          write_back();
          return {Status::numerical_issue, "FISTA: no step size satisfies the descent condition (loss " +
                                               format_real(value_u) + " at the trial point)"};
        }
        lipschitz_ *= options_.backtracking_factor;
      }
      ++stats.passes;
      // Momentum with adaptive restart.
      change_ = u_ - x_;
      const double change_b = ub - xb;
      const double moved = lipschitz_ * (change_.squaredNorm() + change_b * change_b);
      const double direction = (y_ - u_).dot(change_) + (yb - ub) * change_b;
      const double next_momentum = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * momentum * momentum));
      if (!options_.acceleration || (options_.restart && direction > 0.0)) {
        momentum = 1.0;
        y_ = u_;
        yb = ub;
        predictor_y_ = predictor_u_;
      } else {
        const double beta = (momentum - 1.0) / next_momentum;
        y_ = u_ + beta * change_;
        yb = ub + beta * change_b;
        predictor_y_ = predictor_u_ + beta * (predictor_u_ - predictor_x_);
        momentum = next_momentum;
      }
      x_ = u_;
      xb = ub;
      predictor_x_ = predictor_u_;
      ++since_check;
      if (moved <= control.tolerance) {
        converged = true;
        break;
      }
      if (control.certified && since_check >= control.check_every) {
        since_check = 0;
        write_back();
        if (control.certified(state)) {
          converged = true;
          break;
        }
      }
    }
    write_back();
    if (interrupted) return {Status::interrupted, "stopped by interrupt or time budget"};
    if (!converged) return {Status::not_converged, "FISTA reached max_passes"};
    return {};
  }

 private:
  // out += A d: the design's columns (z space) or the Gram columns (covariance mode).
  void add_columns(const Problem& problem, std::span<const Index> members, const Vector& d, Vector& out) const {
    for (std::size_t k = 0; k < members.size(); ++k) {
      const double delta = d[static_cast<Index>(k)];
      if (delta == 0.0) continue;
      if (gram_) out.noalias() += delta * problem.gram->col(members[k]);
      else problem.design.col_axpy(members[k], delta, out);
    }
  }

  // The loss at an iterate from its predictor.
  double value_at(const Problem& problem, std::span<const Index> members, const Vector& x,
                  const Vector& predictor, SolveStats& stats) const {
    const Index size = static_cast<Index>(members.size());
    if (!gram_) {
      stats.flops += 20.0 * static_cast<double>(problem.design.rows());
      return problem.loss.value(problem.y, problem.v, predictor);
    }
    // 1/2 x^T G x + base^T x - xty^T x, with predictor = base + G x on the members.
    double total = 0.0;
    for (Index k = 0; k < size; ++k) {
      const Index j = members[static_cast<std::size_t>(k)];
      total += x[k] * (0.5 * (predictor[j] + base_[j]) - (*problem.gram_xty)[j]);
    }
    return total;
  }

  double value_and_gradient(const Problem& problem, std::span<const Index> members, const Vector& x,
                            const Vector& predictor, Vector& gradient, double& gradient_b, SolveStats& stats) {
    const Index size = static_cast<Index>(members.size());
    gradient.resize(size);
    gradient_b = 0.0;
    if (gram_) {
      for (Index k = 0; k < size; ++k) {
        const Index j = members[static_cast<std::size_t>(k)];
        gradient[k] = predictor[j] - (*problem.gram_xty)[j];
      }
      return value_at(problem, members, x, predictor, stats);
    }
    const Index n = problem.design.rows();
    rho_.resize(n);
    problem.loss.residual(problem.y, problem.v, predictor, rho_);
    problem.design.col_dots(rho_, members, gradient.data());
    gradient = -gradient;
    if (intercept_) gradient_b = -rho_.sum();
    stats.flops += 2.0 * static_cast<double>(n) * static_cast<double>(size) + 20.0 * static_cast<double>(n);
    return value_at(problem, members, x, predictor, stats);
  }

  // A lower estimate of the gradient's Lipschitz constant (the largest coordinate curvature);
  // backtracking raises it to a valid one.
  double initial_lipschitz(const Problem& problem, std::span<const Index> members) const {
    double largest = 0.0;
    if (gram_) {
      for (Index j : members) largest = std::max(largest, (*problem.gram)(j, j));
    } else {
      const double bound = problem.loss.curvature_bound();
      for (Index j : members) largest = std::max(largest, bound * problem.design.col_weighted_sq_norm(j, problem.v));
      if (intercept_) largest = std::max(largest, bound * problem.v.sum());
    }
    return largest > 0.0 ? largest : 1.0;
  }

  FistaOptions options_;
  WorkingBlocks blocks_;
  bool gram_ = false, intercept_ = false;
  double lipschitz_ = 0.0;
  const Design* lipschitz_design_ = nullptr;
  const Matrix* lipschitz_gram_ = nullptr;
  double gradient_b_ = 0.0;
  Vector x_, y_, u_, trial_, difference_, change_, gradient_, rho_, base_;
  Vector predictor_x_, predictor_y_, predictor_u_;
};

void register_fista(Registry& registry) {
  registry.add<Optimizer, Fista>("fista", Fista::schema());
  registry.add<Optimizer, Fista>("hier_pgd", Fista::hier_pgd_schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-optimizer-fista", sparsepath::plugins::register_fista)
