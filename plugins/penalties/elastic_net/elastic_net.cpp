// The lasso and the elastic net on glmnet's scale:
//   lambda * sum_j pf_j ( alpha |w_j| + (1 - alpha)/2 w_j^2 ),  lower_j <= w_j <= upper_j,
// with penalty factors pf (rescaled to sum to the number of features, as glmnet does) and
// optional box constraints given on the original scale of the coefficients.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <cmath>

namespace sparsepath::plugins {

namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();

Schema common_keys(Schema schema) {
  return schema
      .path("penalty_factors", std::nullopt,
            "file with one nonnegative factor per feature (column order); 0 leaves a feature "
            "unpenalized. Rescaled to sum to the number of features, as in glmnet")
      .real("lower_limit", -infinity, "lower bound of every coefficient (original scale); <= 0",
            Range{-infinity, 0.0, false, false})
      .real("upper_limit", infinity, "upper bound of every coefficient (original scale); >= 0",
            Range{0.0, infinity, false, false});
}
}  // namespace

class ElasticNet final : public Penalty {
 public:
  ElasticNet(const Params& params, bool lasso)
      : alpha_(lasso ? 1.0 : params.real("alpha")),
        lower_limit_(params.real("lower_limit")),
        upper_limit_(params.real("upper_limit")),
        factors_file_(params.has("penalty_factors") ? params.text("penalty_factors") : "") {}

  static Schema lasso_schema() {
    return common_keys(Schema("lasso", "lambda * sum_j pf_j |beta_j| (standardized scale)"));
  }
  static Schema elastic_net_schema() {
    return common_keys(
        Schema("elastic_net",
               "lambda * sum_j pf_j (alpha |beta_j| + (1 - alpha)/2 beta_j^2), glmnet's alpha")
            .real("alpha", 0.5, "mix between the l1 (alpha = 1) and ridge (alpha = 0) parts",
                  closed(0.0, 1.0)));
  }

  Capability capabilities() const override {
    // block_prox: one block per feature, through the default prox_block (prox_1d per coordinate).
    return Capability::prox_1d | Capability::block_prox | Capability::dual_point |
           Capability::zero_subdifferential | Capability::smooth_on_support;
  }

  Outcome bind(const PenaltyContext& context) override {
    const Index p = context.features;
    factors_ = Vector::Ones(p);
    if (!factors_file_.empty()) {
      factors_ = read_vector_file(factors_file_, "penalty factors", p);
      for (Index j = 0; j < p; ++j) {
        if (factors_[j] < 0.0) {
          throw Error(factors_file_ + ":" + " penalty factor of feature '" + context.names[j] +
                      "' is " + format_real(factors_[j]) + "; expected >= 0");
        }
      }
    }
    for (Index j = 0; j < p; ++j) {
      if (!context.excluded.empty() && context.excluded[j]) factors_[j] = 0.0;
    }
    const double total = factors_.sum();
    if (total <= 0.0) {
      throw Error("penalty: every penalty factor is zero; at least one feature must be penalized");
    }
    Index counted = 0;
    for (Index j = 0; j < p; ++j) counted += (context.excluded.empty() || !context.excluded[j]);
    factors_ *= static_cast<double>(counted) / total;
    lower_.resize(p);
    upper_.resize(p);
    for (Index j = 0; j < p; ++j) {
      const double scale = context.column_scale.empty() ? 1.0 : context.column_scale[static_cast<std::size_t>(j)];
      lower_[j] = lower_limit_ * scale;
      upper_[j] = upper_limit_ * scale;
    }
    set_lambda(lambda_);  // thresholds for these factors
    return {};
  }

  void set_lambda(double lambda) override {
    lambda_ = lambda;
    // Per-feature weights of this lambda: l1 and l2 of the prox, d h_j(0) and the derivatives.
    // Inside l1_j a coordinate's conjugate is 0 and inside scaling_floor_j its dual scaling 1, so
    // the O(p) sums below skip it with one comparison (bit-identical to the full loops).
    l1_ = (lambda_ * alpha_) * factors_.array();
    l2_ = (lambda_ * (1.0 - alpha_)) * factors_.array();
    scaling_floor_ = lambda_ * factors_.array();
  }
  SoftThresholdTable soft_threshold_table() const override {
    return {l1_.data(), l2_.data(), lower_.data(), upper_.data()};
  }
  double lambda() const override { return lambda_; }

  double value(VecIn w) const override {
    double total = 0.0;
    for (Index j = 0; j < w.size(); ++j) {
      if (w[j] == 0.0) continue;  // adds nothing
      total += factors_[j] * (alpha_ * std::abs(w[j]) + 0.5 * (1.0 - alpha_) * w[j] * w[j]);
    }
    return lambda_ * total;
  }

  double lambda_max(VecIn c0) const override {
    const double effective_alpha = std::max(alpha_, 1e-3);  // glmnet's convention for alpha -> 0
    double best = 0.0;
    for (Index j = 0; j < c0.size(); ++j) {
      if (factors_[j] <= 0.0) continue;
      double magnitude = 0.0;
      if (upper_[j] > 0.0) magnitude = std::max(magnitude, c0[j]);
      if (lower_[j] < 0.0) magnitude = std::max(magnitude, -c0[j]);
      best = std::max(best, magnitude / (effective_alpha * factors_[j]));
    }
    return best;
  }

  // The clipped soft threshold, one definition with the table cd inlines.
  double prox_1d(Index j, double v, double curvature) const override {
    return soft_threshold_table().prox(j, v, curvature);
  }

  Interval zero_subdifferential(Index j) const override {
    return Interval{lower_[j] < 0.0 ? -l1_[j] : -infinity, upper_[j] > 0.0 ? l1_[j] : infinity};
  }

  void zero_subdifferentials(std::span<Interval> out) const override {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = zero_subdifferential(static_cast<Index>(k));
  }
  bool is_unpenalized(Index j) const override { return factors_[j] <= 0.0; }
  bool derivatives(Index j, double x, double& first, double& second) const override {
    if (x == 0.0 || !(lower_[j] < x && x < upper_[j])) return false;
    first = (x > 0.0 ? l1_[j] : -l1_[j]) + l2_[j] * x;
    second = l2_[j];
    return true;
  }
  bool within_domain(Index j, double x) const override { return lower_[j] <= x && x <= upper_[j]; }

  double dual_scaling(VecIn c) const override {
    if (alpha_ < 1.0) return 1.0;  // the ridge part keeps every conjugate finite
    double scale = 1.0;
    for (Index j = 0; j < c.size(); ++j) {
      if (!(std::abs(c[j]) <= scaling_floor_[j])) scale = std::min(scale, coordinate_scaling(j, c[j]));
    }
    return scale;
  }
  double dual_scaling_on(VecIn c, std::span<const Index> subset) const override {
    double scale = 1.0;
    for (Index j : subset) scale = std::min(scale, coordinate_scaling(j, c[j]));
    return scale;
  }

  double conjugate(VecIn c) const override {
    double total = 0.0;
    for (Index j = 0; j < c.size(); ++j) {
      if (!(std::abs(c[j]) <= l1_[j])) total += coordinate_conjugate(j, c[j]);
    }
    return total;
  }
  double conjugate_on(VecIn c, double scale, std::span<const Index> subset) const override {
    double total = 0.0;
    for (Index j : subset) total += coordinate_conjugate(j, scale * c[j]);
    return total;
  }
  double value_on(VecIn w, std::span<const Index> subset) const override {
    double total = 0.0;
    for (Index j : subset) {
      total += factors_[j] * (alpha_ * std::abs(w[j]) + 0.5 * (1.0 - alpha_) * w[j] * w[j]);
    }
    return lambda_ * total;
  }

 private:
  // Largest t in (0, 1] with h_j*(t c) finite.
  double coordinate_scaling(Index j, double c) const {
    if (alpha_ < 1.0 || factors_[j] <= 0.0) return 1.0;  // ridge part: finite everywhere
    const double l1 = scaling_floor_[j];
    if (c > l1 && upper_[j] == infinity) return l1 / c;
    if (c < -l1 && lower_[j] == -infinity) return -l1 / c;
    return 1.0;
  }
  // h_j*(c) = sup over the box of c x - l1 |x| - l2/2 x^2.
  double coordinate_conjugate(Index j, double c) const {
    if (factors_[j] <= 0.0) return 0.0;  // unpenalized: its gradient is checked separately (KKT)
    const double l1 = l1_[j];
    const double l2 = l2_[j];
    if (l2 > 0.0) {
      double x = 0.0;
      if (c > l1) x = (c - l1) / l2;
      else if (c < -l1) x = (c + l1) / l2;
      x = std::min(upper_[j], std::max(lower_[j], x));
      return c * x - l1 * std::abs(x) - 0.5 * l2 * x * x;
    }
    const double slack = 1e-12 * l1;
    if (c > l1 + slack) return upper_[j] == infinity ? infinity : (c - l1) * upper_[j];
    if (c < -l1 - slack) return lower_[j] == -infinity ? infinity : (c + l1) * lower_[j];
    return 0.0;
  }

  double alpha_;
  double lower_limit_;
  double upper_limit_;
  std::string factors_file_;
  double lambda_ = 0.0;
  Vector factors_, lower_, upper_;
  Vector l1_, l2_, scaling_floor_;  // lambda alpha pf_j, lambda (1 - alpha) pf_j, lambda pf_j (set_lambda)
};


void register_elastic_net(Registry& registry) {
  registry.add_entry(ComponentKind::penalty, "lasso", ElasticNet::lasso_schema(),
                     [](const Params& params) {
                       return std::unique_ptr<Component>(new ElasticNet(params, true));
                     });
  registry.add_entry(ComponentKind::penalty, "elastic_net", ElasticNet::elastic_net_schema(),
                     [](const Params& params) {
                       return std::unique_ptr<Component>(new ElasticNet(params, false));
                     });
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-penalty-elastic-net", sparsepath::plugins::register_elastic_net)
