// The strong-hierarchy relaxation of hierScale (Hazimeh & Mazumder 2020; MATH.md 5), on glmnet's
// scale, with hierScale's big-M box |beta_i|, |theta_ij| <= big_m (default: none):
//   lambda1 sum_i max(|beta_i|, max_{j} |theta_ij|) + lambda2 sum_{i<j} |theta_ij|,
//   lambda2 = lambda2_ratio * lambda1 (hierScale's alpha),
// over a design whose features are main effects and products of two of them (Design::origin; the
// pairwise_interactions design). It is a norm, so the path solver's duality gap applies: its dual
// norm is the smallest lambda1 at which every main correlation fits its l1 budget and the pairs'
// excess demands (|c_ij| - lambda2)_+ / lambda1 can be covered by the budgets 1 - |c_i| / lambda1
// of their endpoints, a maximum-flow question (hierarchy_check.hpp), found by bisection. The prox
// is the dual block coordinate ascent of hierarchy_prox.hpp over the whole working set (one block),
// and the KKT re-check outside the working set is hierScale's K1-K3 with its augmentation rules,
// the K3 part solved by the experiment's [lp] backend (or by maximum flow when there is none).
#include "hierarchy_check.hpp"
#include "hierarchy_prox.hpp"

#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparsepath::plugins {

constexpr double infinity = std::numeric_limits<double>::infinity();

struct StrongHierarchyOptions {
  double lambda2_ratio = 2.0;
  double big_m = infinity;  // the box on the coefficients, on the scale the solver sees
  double prox_tolerance = 1e-12;
  long long max_sweeps = 200000;
  bool prox_screening = true;
  long long augment = 100;  // features a failed check adds per violated condition (hierScale: 10)
  bool is_valid(std::string* why) const {
    if (!(lambda2_ratio >= 0.0) || !std::isfinite(lambda2_ratio)) {
      if (why) *why = "penalty.lambda2_ratio = " + format_real(lambda2_ratio) + "; expected a finite value >= 0";
      return false;
    }
    if (!(big_m > 0.0)) {
      if (why) *why = "penalty.big_m = " + format_real(big_m) + "; expected a value > 0 (inf: no box)";
      return false;
    }
    return true;
  }
};

class StrongHierarchy final : public Penalty {
 public:
  explicit StrongHierarchy(const Params& params) {
    options_.lambda2_ratio = params.real("lambda2_ratio");
    options_.big_m = params.real("big_m");
    options_.prox_tolerance = params.real("prox_tolerance");
    options_.max_sweeps = params.integer("max_sweeps");
    options_.prox_screening = params.boolean("prox_screening");
    options_.augment = params.integer("augment");
    std::string why;
    if (!options_.is_valid(&why)) throw Error(why);
  }
  static Schema schema() {
    return Schema("strong_hierarchy",
                  "hierScale's convex strong-hierarchy relaxation: lambda1 sum_i max(|beta_i|, max_j "
                  "|theta_ij|) + lambda2 sum |theta_ij| over main effects and pairwise interactions")
        .real("lambda2_ratio", 2.0, "lambda2 = lambda2_ratio * lambda1 (hierScale's alpha)", at_least(0.0))
        .real("big_m", infinity,
              "hierScale's big-M box: |beta_i|, |theta_ij| <= big_m for the coefficients of the columns "
              "the solver sees (standardized when [data] standardize = true); inf: no box",
              greater_than(0.0))
        .real("prox_tolerance", 1e-12, "relative duality gap at which the prox's dual ascent stops",
              Range{0.0, 1e-3, true, false})
        .integer("max_sweeps", 200000, "dual ascent sweeps per prox", at_least(1))
        .boolean("prox_screening", true, "exact proximal screening of pairs and groups (MATH.md 5.3)")
        .integer("augment", 100,
                 "a failed optimality check adds up to this many main effects (K1) and this many pairs "
                 "per infeasible component (K3), with their main effects (hierScale adds 10; 100 "
                 "needs fewer check rounds: 35 s -> 14 s at p = 1000)",
                 at_least(1));
  }

  // hierScale stops its paths at 500 nonzeros (maxSuppSize); [path] max_nonzeros overrides it.
  long long default_max_nonzeros() const override { return 500; }
  bool within_domain(Index, double x) const override { return std::abs(x) <= options_.big_m; }

  Capability capabilities() const override {
    return Capability::block_prox | Capability::dual_point | Capability::own_kkt_check | Capability::quiet_intervals;
  }

  // A pair whose correlation stays within lambda2 has no demand at lambda1 or above, so its exact
  // value changes neither the dual norm's verdict nor K2/K3 (MATH.md 5.6's gradient screening, in
  // the path solver's bounded-correlation form); main correlations set the budgets: never quiet.
  Interval quiet_interval(Index j) const override {
    if (pair_of_feature_[static_cast<std::size_t>(j)] < 0) return Interval{0.0, 0.0};
    return Interval{-lambda2(), lambda2()};
  }

  Outcome bind(const PenaltyContext& context) override {
    const Index features = context.features;
    if (static_cast<Index>(context.origins.size()) != features) {
      return {Status::invalid_input, "penalty 'strong_hierarchy' needs the features' origins (main effects and "
                                     "pairs); use [design] type = pairwise_interactions"};
    }
    main_of_feature_.assign(static_cast<std::size_t>(features), -1);
    pair_of_feature_.assign(static_cast<std::size_t>(features), -1);
    main_features_.clear();
    pair_features_.clear();
    std::vector<Index> main_of_column;
    for (Index j = 0; j < features; ++j) {
      const FeatureOrigin origin = context.origins[static_cast<std::size_t>(j)];
      if (origin.is_product()) continue;
      if (static_cast<Index>(main_of_column.size()) <= origin.first) main_of_column.resize(static_cast<std::size_t>(origin.first) + 1, -1);
      main_of_column[static_cast<std::size_t>(origin.first)] = static_cast<Index>(main_features_.size());
      main_of_feature_[static_cast<std::size_t>(j)] = static_cast<Index>(main_features_.size());
      main_features_.push_back(j);
    }
    std::vector<std::pair<Index, Index>> pairs;
    for (Index j = 0; j < features; ++j) {
      const FeatureOrigin origin = context.origins[static_cast<std::size_t>(j)];
      if (!origin.is_product()) continue;
      const auto main_of = [&](Index column) {
        return column < static_cast<Index>(main_of_column.size()) ? main_of_column[static_cast<std::size_t>(column)] : Index{-1};
      };
      const Index i = main_of(origin.first), k = main_of(origin.second);
      if (i < 0 || k < 0) {
        return {Status::invalid_input, "penalty 'strong_hierarchy': interaction feature " + std::to_string(j) +
                                           " has a parent that is not a main-effect feature"};
      }
      pair_of_feature_[static_cast<std::size_t>(j)] = static_cast<Index>(pair_features_.size());
      pair_features_.push_back(j);
      pairs.emplace_back(i, k);
    }
    structure_ = HierarchyStructure::from_pairs(static_cast<Index>(main_features_.size()), pairs);
    duals_.reset(structure_);
    single_block_ = BlockStructure{};
    single_block_.members.resize(static_cast<std::size_t>(features));
    for (Index j = 0; j < features; ++j) single_block_.members[static_cast<std::size_t>(j)] = j;
    single_block_.offsets = {0, features};
    single_block_.block_of.assign(static_cast<std::size_t>(features), 0);
    lp_ = context.lp;
    return {};
  }

  void set_lambda(double lambda) override { lambda_ = lambda; }
  double lambda() const override { return lambda_; }
  const BlockStructure* blocks() const override { return &single_block_; }

  // One scan of w (no copies): only nonzero coordinates contribute.
  double value(VecIn w) const override {
    support_.clear();
    for (Index j = 0; j < w.size(); ++j) {
      if (w[j] != 0.0) support_.push_back(j);
    }
    return value_on(w, support_);
  }

  // w is zero outside the subset: only the groups the subset touches contribute. O(|subset|).
  double value_on(VecIn w, std::span<const Index> subset) const override {
    if (static_cast<Index>(group_max_.size()) != structure_.mains) group_max_.assign(static_cast<std::size_t>(structure_.mains), -1.0);
    touched_.clear();
    double pairs = 0.0;
    auto raise = [&](Index main, double value) {
      double& largest = group_max_[static_cast<std::size_t>(main)];
      if (largest < 0.0) {
        largest = 0.0;
        touched_.push_back(main);
      }
      largest = std::max(largest, value);
    };
    for (Index j : subset) {
      const double value = std::abs(w[j]);
      if (const Index main = main_of_feature_[static_cast<std::size_t>(j)]; main >= 0) {
        raise(main, value);
      } else if (const Index pair = pair_of_feature_[static_cast<std::size_t>(j)]; pair >= 0) {
        raise(structure_.first[pair], value);
        raise(structure_.second[pair], value);
        pairs += value;
      }
    }
    double groups = 0.0;
    for (Index main : touched_) {
      groups += group_max_[static_cast<std::size_t>(main)];
      group_max_[static_cast<std::size_t>(main)] = -1.0;
    }
    return lambda_ * groups + lambda2() * pairs;
  }

  double lambda_max(VecIn c0) const override { return dual_norm(c0, nullptr); }

  // The prox over the working set (one block): mains of pairs in it that are not in it are held at
  // zero but keep their max terms. Duals are kept between calls (warm starts); the local pairs keep
  // the global orientation, so each weight maps to the same endpoint. Scratch is reused.
  void prox_block(Index, std::span<const Index> members, VecIn v, double step, VecOut out) const override {
    const Index q = structure_.mains;
    if (static_cast<Index>(local_of_main_.size()) != q) local_of_main_.assign(static_cast<std::size_t>(q), -1);
    local_mains_.clear();
    local_pinned_.clear();
    local_pairs_.clear();
    global_pairs_.clear();
    main_target_.clear();
    pair_target_.clear();
    member_slot_.assign(members.size(), -1);
    auto local_main = [&](Index i, double target, bool is_pinned) {
      Index& local = local_of_main_[static_cast<std::size_t>(i)];
      if (local < 0) {
        local = static_cast<Index>(local_mains_.size());
        local_mains_.push_back(i);
        main_target_.push_back(target);
        local_pinned_.push_back(is_pinned ? 1 : 0);
      }
      return local;
    };
    // Mains of the working set first (never pinned), then the pairs and their missing mains.
    for (std::size_t a = 0; a < members.size(); ++a) {
      const Index main = main_of_feature_[static_cast<std::size_t>(members[a])];
      if (main >= 0) member_slot_[a] = local_main(main, v[static_cast<Index>(a)], false);
    }
    for (std::size_t a = 0; a < members.size(); ++a) {
      const Index pair = pair_of_feature_[static_cast<std::size_t>(members[a])];
      if (pair < 0) continue;
      member_slot_[a] = static_cast<Index>(local_pairs_.size());
      local_pairs_.emplace_back(local_main(structure_.first[pair], 0.0, true), local_main(structure_.second[pair], 0.0, true));
      pair_target_.push_back(v[static_cast<Index>(a)]);
      global_pairs_.push_back(pair);
    }
    local_structure_.assign_trusted(static_cast<Index>(local_mains_.size()), local_pairs_);
    local_duals_.reset(local_structure_);
    for (std::size_t i = 0; i < local_mains_.size(); ++i) local_duals_.u[static_cast<Index>(i)] = duals_.u[local_mains_[i]];
    for (std::size_t k = 0; k < global_pairs_.size(); ++k) {
      local_duals_.w_first[static_cast<Index>(k)] = duals_.w_first[global_pairs_[k]];
      local_duals_.w_second[static_cast<Index>(k)] = duals_.w_second[global_pairs_[k]];
    }
    const Eigen::Map<const Vector> beta_target(main_target_.data(), static_cast<Index>(main_target_.size()));
    const Eigen::Map<const Vector> theta_target(pair_target_.data(), static_cast<Index>(pair_target_.size()));
    local_beta_.resize(beta_target.size());
    local_theta_.resize(theta_target.size());
    HierarchyProxOptions options;
    options.tolerance = options_.prox_tolerance;
    options.max_sweeps = options_.max_sweeps;
    options.screening = options_.prox_screening;
    options.pinned_mains = local_pinned_;
    options.bound = options_.big_m;
    // An unconverged prox shows in the path's certificate, which uses the exact dual norm.
    hierarchy_prox(local_structure_, beta_target, theta_target, 1.0 / step, lambda_, lambda2(), local_duals_,
                   local_beta_, local_theta_, options);
    for (std::size_t i = 0; i < local_mains_.size(); ++i) duals_.u[local_mains_[i]] = local_duals_.u[static_cast<Index>(i)];
    for (std::size_t k = 0; k < global_pairs_.size(); ++k) {
      duals_.w_first[global_pairs_[k]] = local_duals_.w_first[static_cast<Index>(k)];
      duals_.w_second[global_pairs_[k]] = local_duals_.w_second[static_cast<Index>(k)];
    }
    for (std::size_t a = 0; a < members.size(); ++a) {
      const bool is_main = main_of_feature_[static_cast<std::size_t>(members[a])] >= 0;
      out[static_cast<Index>(a)] = is_main ? local_beta_[member_slot_[a]] : local_theta_[member_slot_[a]];
    }
    for (Index i : local_mains_) local_of_main_[static_cast<std::size_t>(i)] = -1;
  }

  double block_dual_norm(Index, std::span<const Index> members, VecIn c) const override {
    gather_aligned(members, c);
    return gathered_norm();
  }
  // Omega(w) >= ||w||_inf (every coordinate sits in some max term), so Omega^D(d) <= sqrt(|members|)
  // ||d||_2, and Omega^D(c') <= Omega^D(centre) + sqrt(|members|) radius on the sphere.
  bool block_zero_certain(Index g, std::span<const Index> members, VecIn centre, double radius) const override {
    const double spread = radius * std::sqrt(static_cast<double>(members.size()));
    if (!(spread < lambda_)) return false;
    return block_dual_norm(g, members, centre) + spread < lambda_ * (1.0 - 1e-12);
  }

  // Near convergence c is usually inside the dual ball: one flow test at lambda decides, and the
  // bisection runs only when it is outside.
  // With a box the conjugate is finite everywhere (see box_conjugate): no scaling.
  double dual_scaling(VecIn c) const override { return boxed() ? 1.0 : scaling(c, nullptr); }
  double dual_scaling_on(VecIn c, std::span<const Index> subset) const override {
    return boxed() ? 1.0 : scaling(c, &subset);
  }
  // Without a box, the indicator of the dual ball, with an allowance for the rounding of the
  // scaled point (the bisection returns the norm from above to 1e-13).
  double conjugate(VecIn c) const override {
    if (boxed()) {
      gather(c, nullptr);
      return box_conjugate();
    }
    return norm_at_most(c, nullptr, lambda_ * (1.0 + 1e-10)) ? 0.0 : infinity;
  }
  double conjugate_on(VecIn c, double scale, std::span<const Index> subset) const override {
    if (boxed()) {
      gather(c, &subset);
      for (double& value : main_abs_) value *= std::abs(scale);
      for (auto& entry : pair_abs_) entry.second *= std::abs(scale);
      return box_conjugate();
    }
    return norm_at_most(c, &subset, lambda_ * (1.0 + 1e-10) / scale) ? 0.0 : infinity;
  }

  // hierScale's K1-K3 (MATH.md 5.5) at w, with its augmentation rules.
  double check_outside(VecIn w, VecIn c, std::span<const char> in_working_set, std::vector<Index>& add) const override {
    const Index q = structure_.mains, m = structure_.pairs();
    const double lambda1 = lambda_, lambda_2 = lambda2();
    std::vector<char> nonzero(static_cast<std::size_t>(q), 0);
    for (Index i = 0; i < q; ++i) nonzero[static_cast<std::size_t>(i)] = w[main_features_[static_cast<std::size_t>(i)]] != 0.0;
    for (Index k = 0; k < m; ++k) {
      if (w[pair_features_[static_cast<std::size_t>(k)]] == 0.0) continue;
      nonzero[static_cast<std::size_t>(structure_.first[k])] = nonzero[static_cast<std::size_t>(structure_.second[k])] = 1;
    }
    auto outside = [&](Index feature) { return !in_working_set[static_cast<std::size_t>(feature)]; };
    double violation = 0.0;
    // A pair in the working set brings its main effects: a main held at zero by being outside
    // would leave its group's conditions unchecked (its budget and, for a nonzero group, c_i = 0).
    for (Index k = 0; k < m; ++k) {
      if (outside(pair_features_[static_cast<std::size_t>(k)])) continue;
      for (Index endpoint : {structure_.first[k], structure_.second[k]}) {
        const Index feature = main_features_[static_cast<std::size_t>(endpoint)];
        if (outside(feature)) add.push_back(feature);
      }
    }
    // K1: a zero group's main correlation within lambda1; the 10 largest violators enter.
    std::vector<std::pair<double, Index>> k1;
    for (Index i = 0; i < q; ++i) {
      if (nonzero[static_cast<std::size_t>(i)]) continue;
      const double excess = std::abs(c[main_features_[static_cast<std::size_t>(i)]]) - lambda1;
      if (excess > 1e-12 * lambda1) {
        violation = std::max(violation, excess / lambda1);
        if (outside(main_features_[static_cast<std::size_t>(i)])) k1.emplace_back(excess, main_features_[static_cast<std::size_t>(i)]);
      }
    }
    std::sort(k1.rbegin(), k1.rend());
    for (std::size_t t = 0; t < k1.size() && t < static_cast<std::size_t>(options_.augment); ++t) add.push_back(k1[t].second);
    // K2 (both endpoints nonzero) and the K3 demand graph (some endpoint zero).
    DemandGraph graph;
    std::vector<Index> vertex_of(static_cast<std::size_t>(q), -1);
    std::vector<Index> graph_pairs;  // pair index of each graph pair
    for (Index k = 0; k < m; ++k) {
      const Index feature = pair_features_[static_cast<std::size_t>(k)];
      if (w[feature] != 0.0) continue;
      const double excess = std::abs(c[feature]) - lambda_2;
      if (!(excess > 1e-12 * lambda1)) continue;
      const Index i = structure_.first[k], j = structure_.second[k];
      if (nonzero[static_cast<std::size_t>(i)] && nonzero[static_cast<std::size_t>(j)]) {
        violation = std::max(violation, excess / lambda1);
        if (outside(feature)) add.push_back(feature);
        continue;
      }
      DemandGraph::Pair pair;
      for (Index endpoint : {i, j}) {
        Index vertex = -1;
        if (!nonzero[static_cast<std::size_t>(endpoint)]) {
          Index& slot = vertex_of[static_cast<std::size_t>(endpoint)];
          if (slot < 0) {
            slot = static_cast<Index>(graph.budget.size());
            graph.budget.push_back(std::max(0.0, 1.0 - std::abs(c[main_features_[static_cast<std::size_t>(endpoint)]]) / lambda1));
          }
          vertex = slot;
        }
        (endpoint == i ? pair.first : pair.second) = vertex;
      }
      pair.demand = excess / lambda1;
      graph.pairs.push_back(pair);
      graph_pairs.push_back(k);
    }
    if (!graph.pairs.empty()) {
      const DemandVerdict verdict = lp_ != nullptr ? check_by_lp(graph, *lp_) : check_by_flow(graph);
      for (const ComponentVerdict& component : verdict.components) {
        if (!(component.unmet > 1e-9 * (1.0 + component.demand))) continue;
        violation = std::max(violation, component.unmet);
        // Its 10 largest pairs not in the working set enter, with their main effects.
        std::vector<std::pair<double, Index>> order;
        for (Index e : component.pairs) {
          const Index k = graph_pairs[static_cast<std::size_t>(e)];
          if (outside(pair_features_[static_cast<std::size_t>(k)])) {
            order.emplace_back(std::abs(c[pair_features_[static_cast<std::size_t>(k)]]), k);
          }
        }
        std::sort(order.rbegin(), order.rend());
        for (std::size_t t = 0; t < order.size() && t < static_cast<std::size_t>(options_.augment); ++t) {
          const Index k = order[t].second;
          add.push_back(pair_features_[static_cast<std::size_t>(k)]);
          for (Index endpoint : {structure_.first[k], structure_.second[k]}) {
            const Index feature = main_features_[static_cast<std::size_t>(endpoint)];
            if (outside(feature)) add.push_back(feature);
          }
        }
      }
    }
    std::sort(add.begin(), add.end());
    add.erase(std::unique(add.begin(), add.end()), add.end());
    return violation;
  }

 private:
  double lambda2() const { return options_.lambda2_ratio * lambda_; }
  bool boxed() const { return std::isfinite(options_.big_m); }

  // The conjugate of lambda Omega plus the box's indicator at the gathered correlations c:
  //   h*(c) = min_{u in lambda dOmega(0)} M ||c - u||_1 = M (sum_i (|c_i| - lambda)_+ + lambda unmet),
  // unmet being the flow test's unmet demand at lambda (in units of lambda). An optimal u keeps each
  // main's own correlation up to lambda (a unit of a main's l1 budget serves its own correlation or
  // a pair's excess at the same price M, so serving its own first loses nothing), each pair's up to
  // lambda2 for free, and covers of the pairs' excesses what the maximum flow covers. Exact, so
  // the gap still closes at the optimum when the box binds.
  double box_conjugate() const {
    if (!(lambda_ > 0.0)) {  // the box alone: M ||c||_1
      double total = 0.0;
      for (double value : main_abs_) total += value;
      for (const auto& entry : pair_abs_) total += entry.second;
      return options_.big_m * total;
    }
    double excess = 0.0;
    for (double value : main_abs_) excess += std::max(0.0, value - lambda_);
    const DemandGraph graph = demand_graph(lambda_, nullptr);
    const double unmet = graph.pairs.empty() ? 0.0 : check_by_flow(graph).unmet;
    return options_.big_m * (excess + lambda_ * unmet);
  }

  double scaling(VecIn c, const std::span<const Index>* subset) const {
    gather(c, subset);  // once: the membership test, then (outside) the norm
    if (feasible_at(lambda_)) return 1.0;
    return lambda_ / gathered_norm();
  }
  bool norm_at_most(VecIn c, const std::span<const Index>* subset, double bound) const {
    gather(c, subset);
    return feasible_at(bound);
  }

  // The correlations the dual norm reads, gathered once per call: |c| of every main effect, and
  // the pairs with a nonzero correlation (c over every feature when subset is null, else only over
  // *subset).
  void take(Index feature, double value) const {
    const Index main = main_of_feature_[static_cast<std::size_t>(feature)];
    if (main >= 0) main_abs_[static_cast<std::size_t>(main)] = std::abs(value);
    const Index pair = pair_of_feature_[static_cast<std::size_t>(feature)];
    if (pair >= 0 && value != 0.0) pair_abs_.emplace_back(pair, std::abs(value));
  }
  void gather(VecIn c, const std::span<const Index>* subset) const {
    main_abs_.assign(static_cast<std::size_t>(structure_.mains), 0.0);
    pair_abs_.clear();
    if (subset == nullptr) {
      for (Index j = 0; j < static_cast<Index>(main_of_feature_.size()); ++j) take(j, c[j]);
    } else {
      for (Index j : *subset) take(j, c[j]);
    }
  }
  // The same from correlations aligned with `members` (the block functions' convention).
  void gather_aligned(std::span<const Index> members, VecIn c) const {
    main_abs_.assign(static_cast<std::size_t>(structure_.mains), 0.0);
    pair_abs_.clear();
    for (std::size_t a = 0; a < members.size(); ++a) take(members[a], c[static_cast<Index>(a)]);
  }

  // Whether the gathered correlations lie in lambda dOmega(0): every main within lambda, and the
  // pairs' excess demands covered by the main effects' remaining l1 budgets (a maximum flow).
  bool feasible_at(double lambda) const {
    for (double value : main_abs_) {
      if (value > lambda) return false;
    }
    const DemandGraph graph = demand_graph(lambda, nullptr);
    if (graph.pairs.empty()) return true;
    const DemandVerdict verdict = check_by_flow(graph);
    return verdict.unmet <= 1e-13 * (1.0 + verdict.demand);
  }

  // The smallest lambda1 at which c lies in lambda1 dOmega(0). Scaled by lambda, the budgets
  // lambda - |c_i| and demands |c_k| - ratio lambda are linear in lambda, and by Hall's condition
  // lambda is feasible iff every set S of pairs has sum_S (|c_k| - ratio lambda) <= sum_{N(S)}
  // (lambda - |c_i|). From a lower bound, each step takes the minimum cut's S (the set short of
  // budget) and moves to the root of its condition, (sum_S |c_k| + sum_N |c_i|) / (ratio |S| +
  // |N|), capped where a pair of S stops having demand: every step stays a lower bound and the
  // last, feasible one is the norm (Dinkelbach's parametric method; a few flows instead of a
  // bisection's fifty). A bisection finishes the job if the steps ever stall.
  double dual_norm(VecIn c, const std::span<const Index>* subset) const {
    gather(c, subset);
    return gathered_norm();
  }
  double gathered_norm() const {
    const double ratio = options_.lambda2_ratio;
    double lambda = 0.0, sum = 0.0;
    for (double value : main_abs_) lambda = std::max(lambda, value);
    for (const auto& [pair, value] : pair_abs_) {
      lambda = std::max(lambda, value / (ratio + 2.0));
      sum += value;
    }
    const double high = lambda + sum;  // feasible: every pair covered by its first endpoint alone
    if (!(high > 0.0)) return 0.0;
    std::erase_if(pair_abs_, [&](const auto& entry) { return entry.second <= ratio * lambda; });
    for (int step = 0; step < 1000; ++step) {
      std::vector<char> short_side;
      std::vector<Index> graph_pairs;
      const DemandGraph graph = demand_graph(lambda, &graph_pairs);
      if (graph.pairs.empty()) return lambda;
      const DemandVerdict verdict = check_by_flow(graph, &short_side);
      if (verdict.unmet <= 1e-13 * (1.0 + verdict.demand)) return lambda;
      double numerator = 0.0, denominator = 0.0, cap = std::numeric_limits<double>::infinity();
      std::vector<char> counted(static_cast<std::size_t>(structure_.mains), 0);
      for (std::size_t e = 0; e < graph.pairs.size(); ++e) {
        if (!short_side[e]) continue;
        const auto& [pair, value] = pair_abs_[static_cast<std::size_t>(graph_pairs[e])];
        numerator += value;
        denominator += ratio;
        if (ratio > 0.0) cap = std::min(cap, value / ratio);
        for (Index endpoint : {structure_.first[pair], structure_.second[pair]}) {
          if (counted[static_cast<std::size_t>(endpoint)]) continue;
          counted[static_cast<std::size_t>(endpoint)] = 1;
          numerator += main_abs_[static_cast<std::size_t>(endpoint)];
          denominator += 1.0;
        }
      }
      const double next = std::min(numerator / denominator, cap);
      if (!(next > lambda * (1.0 + 1e-15))) break;  // stalled by rounding: bisect the rest
      lambda = next;
    }
    double low = lambda, top = high;
    for (int step = 0; step < 200 && top - low > 1e-14 * top; ++step) {
      const double middle = 0.5 * (low + top);
      (feasible_at(middle) ? top : low) = middle;
    }
    return feasible_at(low) ? low : top;
  }

  // The pairs with demand at lambda (graph_pairs: their positions in pair_abs_).
  DemandGraph demand_graph(double lambda, std::vector<Index>* graph_pairs) const {
    const double ratio = options_.lambda2_ratio;
    DemandGraph graph;
    vertex_of_.assign(static_cast<std::size_t>(structure_.mains), -1);
    for (std::size_t position = 0; position < pair_abs_.size(); ++position) {
      const auto& [pair, value] = pair_abs_[position];
      const double demand = (value - ratio * lambda) / lambda;
      if (!(demand > 0.0)) continue;
      DemandGraph::Pair edge;
      for (Index endpoint : {structure_.first[pair], structure_.second[pair]}) {
        Index& slot = vertex_of_[static_cast<std::size_t>(endpoint)];
        if (slot < 0) {
          slot = static_cast<Index>(graph.budget.size());
          graph.budget.push_back(std::max(0.0, 1.0 - main_abs_[static_cast<std::size_t>(endpoint)] / lambda));
        }
        (endpoint == structure_.first[pair] ? edge.first : edge.second) = slot;
      }
      edge.demand = demand;
      graph.pairs.push_back(edge);
      if (graph_pairs) graph_pairs->push_back(static_cast<Index>(position));
    }
    return graph;
  }

  StrongHierarchyOptions options_;
  HierarchyStructure structure_;
  std::vector<Index> main_of_feature_, pair_of_feature_, main_features_, pair_features_;
  BlockStructure single_block_;
  mutable HierarchyDuals duals_;
  mutable std::vector<Index> local_of_main_;
  // prox_block scratch
  mutable std::vector<Index> local_mains_, global_pairs_, member_slot_;
  mutable std::vector<char> local_pinned_;
  mutable std::vector<std::pair<Index, Index>> local_pairs_;
  mutable std::vector<double> main_target_, pair_target_;
  mutable HierarchyStructure local_structure_;
  mutable HierarchyDuals local_duals_;
  mutable Vector local_beta_, local_theta_;
  mutable std::vector<double> main_abs_, group_max_;
  mutable std::vector<Index> touched_, support_;
  mutable std::vector<std::pair<Index, double>> pair_abs_;
  mutable std::vector<Index> vertex_of_;
  LpBackend* lp_ = nullptr;
  double lambda_ = 0.0;
};

void register_strong_hierarchy(Registry& registry) {
  registry.add<Penalty, StrongHierarchy>("strong_hierarchy", StrongHierarchy::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-penalty-strong-hierarchy", sparsepath::plugins::register_strong_hierarchy)
