// A valid plugin with misbehaving components: the loss "throwing_loss" throws
// std::runtime_error("boom") from every method, and the penalty "throwing_penalty" throws from
// its constructor. The host must turn both into an error naming the component (exit 1), never
// a crash or std::terminate.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <stdexcept>

namespace sparsepath::test_plugins {

[[noreturn]] void boom() { throw std::runtime_error("boom"); }

class ThrowingLoss final : public Loss {
 public:
  explicit ThrowingLoss(const Params&) {}
  Capability capabilities() const override { boom(); }
  void prepare_target(Vector&) const override { boom(); }
  double value(VecIn, VecIn, VecIn) const override { boom(); }
  void residual(VecIn, VecIn, VecIn, VecOut) const override { boom(); }
  void curvature(VecIn, VecIn, VecIn, VecOut) const override { boom(); }
  double curvature_bound() const override { boom(); }
  bool is_quadratic() const override { boom(); }
  double intercept_only(VecIn, VecIn) const override { boom(); }
  double dual_value(VecIn, VecIn, VecIn) const override { boom(); }
  void repair_for_intercept(VecIn, VecOut) const override { boom(); }
  double inverse_link(double) const override { boom(); }
};

class ThrowingPenalty final : public Penalty {
 public:
  explicit ThrowingPenalty(const Params&) { boom(); }
  Outcome bind(const PenaltyContext&) override { boom(); }
  void set_lambda(double) override { boom(); }
  double lambda() const override { boom(); }
  double value(VecIn) const override { boom(); }
  double lambda_max(VecIn) const override { boom(); }
};

void register_throwing(Registry& registry) {
  registry.add<Loss, ThrowingLoss>("throwing_loss",
                                   Schema("throwing_loss", "every method throws 'boom' (test plugin)"));
  registry.add<Penalty, ThrowingPenalty>(
      "throwing_penalty", Schema("throwing_penalty", "the constructor throws 'boom' (test plugin)"));
}

}  // namespace sparsepath::test_plugins

SPARSEPATH_PLUGIN("sparsepath-test-throwing", sparsepath::test_plugins::register_throwing)
