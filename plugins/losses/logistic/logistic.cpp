// Logistic loss for binary labels, f(z; y) = log(1 + e^z) - y z with y in {0, 1}
// (labels -1/+1 are accepted and mapped to 0/1).
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <cmath>

namespace sparsepath::plugins {

namespace {
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
double entropy_term(double t) {  // t log t + (1 - t) log(1 - t), 0 at t in {0, 1}
  double total = 0.0;
  if (t > 0.0) total += t * std::log(t);
  if (t < 1.0) total += (1.0 - t) * std::log1p(-t);
  return total;
}
}  // namespace

class LogisticLoss final : public Loss {
 public:
  explicit LogisticLoss(const Params&) {}
  static Schema schema() {
    return Schema("logistic",
                  "Binomial deviance / 2: -(1/n) sum_i w_i [y_i eta_i - log(1 + e^eta_i)] "
                  "(glmnet's binomial family). Labels 0/1 or -1/+1; both classes must occur.");
  }
  Capability capabilities() const override {
    return Capability::lipschitz_gradient | Capability::hessian_diag | Capability::conjugate;
  }
  void prepare_target(Vector& y) const override {
    bool has_minus_one = false, has_zero = false, has_one = false;
    Index first_zero = 0, first_minus_one = 0;
    for (Index i = 0; i < y.size(); ++i) {
      if (y[i] == 1.0) has_one = true;
      else if (y[i] == 0.0) { if (!has_zero) first_zero = i; has_zero = true; }
      else if (y[i] == -1.0) { if (!has_minus_one) first_minus_one = i; has_minus_one = true; }
      else {
        throw Error("logistic loss: target value " + format_real(y[i]) + " in data row " +
                    std::to_string(i + 1) + " is not a binary label; expected 0/1 or -1/+1");
      }
    }
    if (has_zero && has_minus_one) {
      throw Error("logistic loss: the target mixes labels 0 (first in data row " +
                  std::to_string(first_zero + 1) + ") and -1 (first in data row " +
                  std::to_string(first_minus_one + 1) + "); expected 0/1 or -1/+1");
    }
    if (!has_one || !(has_zero || has_minus_one)) {
      throw Error("logistic loss: the target has only one class; expected both classes");
    }
    for (Index i = 0; i < y.size(); ++i) {
      if (y[i] == -1.0) y[i] = 0.0;
    }
  }
  double value(VecIn y, VecIn v, VecIn z) const override {
    double total = 0.0;
    for (Index i = 0; i < y.size(); ++i) total += v[i] * (softplus(z[i]) - y[i] * z[i]);
    return total;
  }
  void residual(VecIn y, VecIn v, VecIn z, VecOut rho) const override {
    for (Index i = 0; i < y.size(); ++i) rho[i] = v[i] * (y[i] - sigmoid(z[i]));
  }
  void curvature(VecIn, VecIn v, VecIn z, VecOut h) const override {
    for (Index i = 0; i < z.size(); ++i) {
      const double p = sigmoid(z[i]);
      h[i] = v[i] * p * (1.0 - p);
    }
  }
  double curvature_bound() const override { return 0.25; }
  bool is_quadratic() const override { return false; }
  double intercept_only(VecIn y, VecIn v) const override {
    const double mean = v.dot(y) / v.sum();
    if (mean <= 0.0) return -std::numeric_limits<double>::infinity();
    if (mean >= 1.0) return std::numeric_limits<double>::infinity();
    return std::log(mean / (1.0 - mean));
  }
  double dual_value(VecIn y, VecIn v, VecIn q) const override {
    // -sum_i v_i Nh(y_i - q_i / v_i), domain 0 <= y_i - q_i/v_i <= 1.
    double total = 0.0;
    for (Index i = 0; i < y.size(); ++i) {
      if (v[i] <= 0.0) {
        if (q[i] != 0.0) return -std::numeric_limits<double>::infinity();
        continue;
      }
      double t = y[i] - q[i] / v[i];
      if (t < -1e-12 || t > 1.0 + 1e-12) return -std::numeric_limits<double>::infinity();
      t = std::min(1.0, std::max(0.0, t));
      total -= v[i] * entropy_term(t);
    }
    return total;
  }
  void repair_for_intercept(VecIn y, VecOut rho) const override {
    // Scale the larger of the positive (y = 1) and negative (y = 0) sides down to the smaller:
    // signs and the box domain are preserved and 1^T rho becomes 0.
    double positive = 0.0, negative = 0.0;
    for (Index i = 0; i < y.size(); ++i) (y[i] > 0.5 ? positive : negative) += rho[i];
    negative = -negative;
    if (positive <= 0.0 || negative <= 0.0) return;
    if (positive > negative) {
      const double factor = negative / positive;
      for (Index i = 0; i < y.size(); ++i) if (y[i] > 0.5) rho[i] *= factor;
    } else if (negative > positive) {
      const double factor = positive / negative;
      for (Index i = 0; i < y.size(); ++i) if (y[i] <= 0.5) rho[i] *= factor;
    }
  }
  double inverse_link(double z) const override { return sigmoid(z); }
};

void register_logistic(Registry& registry) {
  registry.add<Loss, LogisticLoss>("logistic", LogisticLoss::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-loss-logistic", sparsepath::plugins::register_logistic)
