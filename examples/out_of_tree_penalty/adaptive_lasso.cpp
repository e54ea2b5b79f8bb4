// The adaptive lasso (Zou 2006) as a sparsepath plugin built outside the sparsepath tree:
//   lambda * sum_j u_j |w_j|,   u_j = 1 / (|w_init_j| + epsilon)^gamma,
// where w are the framework's standardized coefficients and w_init the initial coefficients
// read from a file. The file holds them on the original scale of the data (as path.csv reports
// coefficients), so bind() maps them with the column scales: w_init_j = s_j beta_init_j. Then
// u_j |w_j| = |beta_j| / |beta_init_j| for gamma = 1 (up to epsilon), whatever unit feature j
// is measured in.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace adaptive_lasso_example {

using namespace sparsepath;

class AdaptiveLasso final : public Penalty {
 public:
  explicit AdaptiveLasso(const Params& params)
      : initial_file_(params.has("initial_coefficients") ? params.text("initial_coefficients")
                                                          : ""),
        gamma_(params.real("gamma")),
        epsilon_(params.real("epsilon")) {}

  static Schema schema() {
    return Schema("adaptive_lasso",
                  "lambda * sum_j u_j |beta_j|, u_j = 1 / (|beta_init_j| + epsilon)^gamma "
                  "(standardized scale)")
        .path("initial_coefficients", std::nullopt,
              "file with one initial coefficient per feature (column order, original scale, "
              "e.g. from a lasso or ridge fit); unset: every weight is 1, the plain lasso")
        .real("gamma", 1.0, "exponent of the adaptive weights; 0 gives the plain lasso",
              at_least(0.0))
        .real("epsilon", 1e-6,
              "added to |beta_init_j| (standardized scale) so that a zero initial coefficient "
              "gives a large but finite weight",
              greater_than(0.0));
  }

  Capability capabilities() const override {
    return Capability::prox_1d | Capability::dual_point | Capability::zero_subdifferential |
           Capability::smooth_on_support;
  }

  Outcome bind(const PenaltyContext& context) override {
    const Index p = context.features;
    weights_ = Vector::Ones(p);
    if (!initial_file_.empty()) {
      const Vector initial = read_vector_file(initial_file_, "initial coefficients", p);
      for (Index j = 0; j < p; ++j) {
        const std::size_t column = static_cast<std::size_t>(j);
        const double scale = context.column_scale.empty() ? 1.0 : context.column_scale[column];
        weights_[j] = std::pow(scale * std::abs(initial[j]) + epsilon_, -gamma_);
        // A large gamma can overflow the weight, or underflow it to zero, which would silently
        // leave the feature unpenalized: refuse rather than fit a penalty nobody asked for.
        if (!std::isfinite(weights_[j]) || weights_[j] <= 0.0) {
          throw Error(initial_file_ + ": the weight of feature '" + context.names[column] +
                      "' is " + format_real(weights_[j]) + " (initial coefficient " +
                      format_real(initial[j]) + ", penalty.gamma = " + format_real(gamma_) +
                      ", penalty.epsilon = " + format_real(epsilon_) +
                      "); expected a finite positive weight: lower gamma or raise epsilon");
        }
      }
    }
    // Constant columns are kept at zero by the framework: they get no penalty, as in elastic_net.
    for (Index j = 0; j < p; ++j) {
      if (!context.excluded.empty() && context.excluded[j]) weights_[j] = 0.0;
    }
    return {};
  }

  void set_lambda(double lambda) override { lambda_ = lambda; }
  double lambda() const override { return lambda_; }

  double value(VecIn w) const override {
    return lambda_ * weights_.cwiseProduct(w.cwiseAbs()).sum();
  }
  double value_on(VecIn w, std::span<const Index> subset) const override {
    double total = 0.0;
    for (Index j : subset) total += weights_[j] * std::abs(w[j]);
    return lambda_ * total;
  }

  // w = 0 is optimal iff |c0_j| <= lambda u_j for every penalized j.
  double lambda_max(VecIn c0) const override {
    double best = 0.0;
    for (Index j = 0; j < c0.size(); ++j) {
      if (weights_[j] > 0.0) best = std::max(best, std::abs(c0[j]) / weights_[j]);
    }
    return best;
  }

  // argmin_x curvature/2 (x - v)^2 + lambda u_j |x|: soft thresholding at lambda u_j / curvature.
  double prox_1d(Index j, double v, double curvature) const override {
    const double threshold = lambda_ * weights_[j] / curvature;
    if (v > threshold) return v - threshold;
    if (v < -threshold) return v + threshold;
    return 0.0;
  }

  Interval zero_subdifferential(Index j) const override {
    const double radius = lambda_ * weights_[j];
    return Interval{-radius, radius};
  }

  bool is_unpenalized(Index j) const override { return weights_[j] <= 0.0; }

  // Away from zero the penalty is linear in x: first derivative lambda u_j sign(x), second 0.
  bool derivatives(Index j, double x, double& first, double& second) const override {
    if (x == 0.0) return false;
    first = x > 0.0 ? lambda_ * weights_[j] : -lambda_ * weights_[j];
    second = 0.0;
    return true;
  }

  // h*(c) = 0 when |c_j| <= lambda u_j for every penalized j, +inf otherwise; dual_scaling is
  // the largest t in (0, 1] that brings t c inside that box.
  double dual_scaling(VecIn c) const override {
    double scale = 1.0;
    for (Index j = 0; j < c.size(); ++j) scale = std::min(scale, coordinate_scaling(j, c[j]));
    return scale;
  }
  double dual_scaling_on(VecIn c, std::span<const Index> subset) const override {
    double scale = 1.0;
    for (Index j : subset) scale = std::min(scale, coordinate_scaling(j, c[j]));
    return scale;
  }
  double conjugate(VecIn c) const override {
    for (Index j = 0; j < c.size(); ++j) {
      if (!inside_dual_box(j, c[j])) return std::numeric_limits<double>::infinity();
    }
    return 0.0;
  }
  double conjugate_on(VecIn c, double scale, std::span<const Index> subset) const override {
    for (Index j : subset) {
      if (!inside_dual_box(j, scale * c[j])) return std::numeric_limits<double>::infinity();
    }
    return 0.0;
  }

 private:
  double coordinate_scaling(Index j, double c) const {
    const double bound = lambda_ * weights_[j];
    if (weights_[j] <= 0.0 || std::abs(c) <= bound) return 1.0;
    return bound / std::abs(c);
  }
  // dual_scaling puts |t c_j| exactly on the bound, and rounding may push it one ulp over:
  // the relative slack accepts that point without accepting anything measurably outside.
  bool inside_dual_box(Index j, double c) const {
    if (weights_[j] <= 0.0) return true;  // unpenalized: the framework checks its gradient
    return std::abs(c) <= lambda_ * weights_[j] * (1.0 + 1e-12);
  }

  std::string initial_file_;
  double gamma_;
  double epsilon_;
  double lambda_ = 0.0;
  Vector weights_;
};

void register_adaptive_lasso(Registry& registry) {
  registry.add<Penalty, AdaptiveLasso>("adaptive_lasso", AdaptiveLasso::schema());
}

}  // namespace adaptive_lasso_example

SPARSEPATH_PLUGIN("example-penalty-adaptive-lasso", adaptive_lasso_example::register_adaptive_lasso)
