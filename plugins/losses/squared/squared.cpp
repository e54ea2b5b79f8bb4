// Squared loss f(z; y) = (y - z)^2 / 2, weighted by the normalised sample weights v.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

namespace sparsepath::plugins {

class SquaredLoss final : public Loss {
 public:
  explicit SquaredLoss(const Params&) {}
  static Schema schema() {
    return Schema("squared",
                  "Least squares: 1/(2n) sum_i w_i (y_i - b - x_i^T beta)^2 (glmnet's gaussian "
                  "family). Any finite response.");
  }
  Capability capabilities() const override {
    return Capability::lipschitz_gradient | Capability::hessian_diag | Capability::conjugate;
  }
  void prepare_target(Vector&) const override {}
  double value(VecIn y, VecIn v, VecIn z) const override {
    return 0.5 * (v.array() * (y - z).array().square()).sum();
  }
  void residual(VecIn y, VecIn v, VecIn z, VecOut rho) const override {
    rho = v.cwiseProduct(y - z);
  }
  void curvature(VecIn, VecIn v, VecIn, VecOut h) const override { h = v; }
  double curvature_bound() const override { return 1.0; }
  bool is_quadratic() const override { return true; }
  double intercept_only(VecIn y, VecIn v) const override { return v.dot(y) / v.sum(); }
  double dual_value(VecIn y, VecIn v, VecIn q) const override {
    // -sum_i v_i f*(-q_i/v_i) with f*(u) = u^2/2 + u y.
    double total = 0.0;
    for (Index i = 0; i < y.size(); ++i) {
      if (v[i] > 0.0) total += q[i] * y[i] - q[i] * q[i] / (2.0 * v[i]);
      else if (q[i] != 0.0) return -std::numeric_limits<double>::infinity();
    }
    return total;
  }
  void repair_for_intercept(VecIn, VecOut rho) const override {
    rho.array() -= rho.mean();
  }
  double inverse_link(double z) const override { return z; }
};

void register_squared(Registry& registry) {
  registry.add<Loss, SquaredLoss>("squared", SquaredLoss::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-loss-squared", sparsepath::plugins::register_squared)
