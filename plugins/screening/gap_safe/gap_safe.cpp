// Gap-safe sphere test (Fercoq, Gramfort & Salmon 2015; Ndiaye et al. 2017): the dual optimum
// lies within `radius` of the current feasible dual point, so feature j is zero at the optimum
// when every correlation in [c_j - r ||x_j||, c_j + r ||x_j||] lies strictly inside d h_j(0);
// for block penalties, a whole block is zero when the penalty's block sphere test says so.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <algorithm>
#include <cmath>

namespace sparsepath::plugins {

class GapSafe final : public ScreeningRule {
 public:
  explicit GapSafe(const Params&) {}
  static Schema schema() {
    return Schema("gap_safe", "Safe dynamic screening by the duality-gap sphere; applied at the "
                              "start of each lambda (warm start) and at every gap check");
  }
  bool is_safe() const override { return true; }
  ScreeningTiming timing() const override { return ScreeningTiming::every_gap_check; }
  Capability required_penalty_capabilities() const override {
    return Capability::dual_point | Capability::zero_subdifferential;
  }
  Capability required_loss_capabilities() const override { return Capability::lipschitz_gradient; }
  void screen(const ScreeningContext& context, std::span<char> keep) const override {
    if (!std::isfinite(context.radius)) return;
    const Penalty& penalty = context.problem.penalty;
    const double radius = context.radius;
    const double* norms = context.column_norms.data();
    const double* correlation = context.correlation.data();
    // Branch-free: spread >= 0, so the sphere [c - s, c + s] is inside (low, high) iff
    // low < c - s and c + s < high (a NaN keeps the feature). Blocks of 64 in which every
    // feature is already cleared are skipped (the later calls of a point).
    const Interval* intervals = context.zero_intervals_or(intervals_).data();
    char* flags = keep.data();
    constexpr std::size_t block = 64;
    for (std::size_t start = 0; start < keep.size(); start += block) {
      const std::size_t end = std::min(keep.size(), start + block);
      char any = 0;
      for (std::size_t j = start; j < end; ++j) any |= flags[j];
      if (!any) continue;
      for (std::size_t j = start; j < end; ++j) {
        const double spread = radius * norms[j];
        const bool inside = (intervals[j].low < correlation[j] - spread) & (correlation[j] + spread < intervals[j].high);
        flags[j] &= static_cast<char>(!inside);
      }
    }
    if (const BlockStructure* blocks = penalty.blocks()) screen_blocks(context, *blocks, keep);
  }

 private:
  // Block penalties (MATH.md 4.2-4.3): ||X_g^T (theta - theta*)||_2 <= ||X_g||_2 R, and the
  // Frobenius norm of the members still kept bounds ||X_g||_2 of the reduced problem (members
  // already removed are zero at the optimum, so the block's test runs over the others).
  void screen_blocks(const ScreeningContext& context, const BlockStructure& blocks, std::span<char> keep) const {
    const Penalty& penalty = context.problem.penalty;
    for (Index g = 0; g < blocks.count(); ++g) {
      members_.clear();
      double frobenius = 0.0;
      for (Index j : blocks.block(g)) {
        if (!keep[static_cast<std::size_t>(j)]) continue;
        members_.push_back(j);
        frobenius += context.column_norms[j] * context.column_norms[j];
      }
      if (members_.empty()) continue;
      centre_.resize(static_cast<Index>(members_.size()));
      for (std::size_t k = 0; k < members_.size(); ++k) centre_[static_cast<Index>(k)] = context.correlation[members_[k]];
      if (penalty.block_zero_certain(g, members_, centre_, context.radius * std::sqrt(frobenius))) {
        for (Index j : members_) keep[static_cast<std::size_t>(j)] = 0;
      }
    }
  }
  mutable std::vector<Interval> intervals_;  // when the host sent no table
  mutable std::vector<Index> members_;
  mutable Vector centre_;
};

void register_gap_safe(Registry& registry) {
  registry.add<ScreeningRule, GapSafe>("gap_safe", GapSafe::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-screening-gap-safe", sparsepath::plugins::register_gap_safe)
