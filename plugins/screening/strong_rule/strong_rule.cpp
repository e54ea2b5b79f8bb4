// Sequential strong rule (Tibshirani et al. 2012): discard j when its correlation at the
// previous solution satisfies |c_j| < 2 lambda_k - lambda_{k-1} (scaled by the penalty's
// subdifferential at zero), and a block when its dual norm is below 2 lambda_k - lambda_{k-1}.
// Not safe: the path solver re-checks KKT on everything discarded.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

namespace sparsepath::plugins {

class StrongRule final : public ScreeningRule {
 public:
  explicit StrongRule(const Params&) {}
  static Schema schema() {
    return Schema("strong_rule", "Sequential strong rule (unsafe; the framework re-checks KKT "
                                 "conditions on every discarded feature and re-solves)");
  }
  bool is_safe() const override { return false; }
  ScreeningTiming timing() const override { return ScreeningTiming::path_point_start; }
  Capability required_penalty_capabilities() const override { return Capability::zero_subdifferential; }
  Capability required_loss_capabilities() const override { return Capability::none; }
  void screen(const ScreeningContext& context, std::span<char> keep) const override {
    if (context.lambda <= 0.0) return;
    const double factor = (2.0 * context.lambda - context.previous_lambda) / context.lambda;
    if (factor <= 0.0) return;
    const Penalty& penalty = context.problem.penalty;
    const double* previous = context.previous_correlation.data();
    // Branch-free: c strictly inside the shrunk interval (a NaN keeps the feature).
    const Interval* intervals = context.zero_intervals_or(intervals_).data();
    char* flags = keep.data();
    for (std::size_t j = 0; j < keep.size(); ++j) {
      const bool inside = (intervals[j].low * factor < previous[j]) & (previous[j] < intervals[j].high * factor);
      flags[j] &= static_cast<char>(!inside);
    }
    // Blocks (MATH.md 4.4): discard g when Omega_g^D(c_g) < 2 lambda_k - lambda_{k-1}.
    if (const BlockStructure* blocks = penalty.blocks()) {
      const double threshold = 2.0 * context.lambda - context.previous_lambda;
      for (Index g = 0; g < blocks->count(); ++g) {
        const auto members = blocks->block(g);
        correlation_.resize(static_cast<Index>(members.size()));
        for (std::size_t k = 0; k < members.size(); ++k) {
          correlation_[static_cast<Index>(k)] = context.previous_correlation[members[k]];
        }
        if (penalty.block_dual_norm(g, members, correlation_) < threshold) {
          for (Index j : members) keep[static_cast<std::size_t>(j)] = 0;
        }
      }
    }
  }

 private:
  mutable Vector correlation_;
  mutable std::vector<Interval> intervals_;  // when the host sent no table
};

void register_strong_rule(Registry& registry) {
  registry.add<ScreeningRule, StrongRule>("strong_rule", StrongRule::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-screening-strong-rule", sparsepath::plugins::register_strong_rule)
