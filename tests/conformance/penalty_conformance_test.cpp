#define BOOST_TEST_MODULE penalty_conformance
#include <boost/test/unit_test.hpp>

// The contract every registered Penalty plugin must satisfy (interfaces.hpp, MATH.md 1, 3, 9.2):
// the scalar prox against brute-force minimisation, the zero subdifferential against the prox,
// dual scaling and the conjugate (Fenchel-Young, tightness), lambda homogeneity, lambda_max
// against the zero subdifferential and against an actual path solve. Runs automatically over
// every penalty in the registry, in its default configuration plus alpha and bound variants
// when its schema has those keys, plus any configuration listed in
// SPARSEPATH_TEST_PENALTY_VARIANTS (see environment_variants).

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using sparsepath::BlockStructure;
using sparsepath::Capability;
using sparsepath::ComponentKind;
using sparsepath::Design;
using sparsepath::Error;
using sparsepath::Index;
using sparsepath::Interval;
using sparsepath::Loss;
using sparsepath::Optimizer;
using sparsepath::PathOptions;
using sparsepath::PathSolver;
using sparsepath::Penalty;
using sparsepath::PenaltyContext;
using sparsepath::Problem;
using sparsepath::Vector;
using sparsepath::testing::make_component;
using sparsepath::testing::plugins;
using sparsepath::testing::RandomProblem;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr Index features = 6;
constexpr double base_lambda = 0.7;

using Values = std::vector<std::pair<std::string, std::string>>;

// One configuration of one registered penalty.
struct Variant {
  std::string type;
  Values values;
  double lower_limit = -inf;  // original scale, from the values or the schema default
  double upper_limit = inf;
  std::string label() const {
    std::ostringstream out;
    out << "penalty '" << type << "'";
    for (const auto& [key, value] : values) out << " " << key << "=" << value;
    return out.str();
  }
};

double limit_of(const sparsepath::RegistryEntry& entry, const Values& values, const std::string& key,
                double fallback) {
  for (const auto& [k, value] : values) {
    if (k == key) return sparsepath::parse_real(value).value();
  }
  if (const auto* spec = entry.schema.find(key); spec != nullptr && !spec->default_value.empty()) {
    if (auto parsed = sparsepath::parse_real(spec->default_value)) return *parsed;
  }
  return fallback;
}

Variant make_variant(const sparsepath::RegistryEntry& entry, const Values& values) {
  Variant variant;
  variant.type = entry.name;
  variant.values = values;
  variant.lower_limit = limit_of(entry, values, "lower_limit", -inf);
  variant.upper_limit = limit_of(entry, values, "upper_limit", inf);
  return variant;
}

// Configurations no schema can suggest, such as a file of initial coefficients, given as
// SPARSEPATH_TEST_PENALTY_VARIANTS="type key=value key=value; type key=value" (values without
// spaces; tests/sdk/check_sdk.cmake uses it for the out-of-tree adaptive lasso). A malformed
// entry or an unknown penalty throws, failing the tests rather than skipping the variant.
std::vector<Variant> environment_variants() {
  std::vector<Variant> out;
  const char* text = std::getenv("SPARSEPATH_TEST_PENALTY_VARIANTS");
  if (text == nullptr) return out;
  std::istringstream all(text);
  std::string item;
  while (std::getline(all, item, ';')) {
    std::istringstream fields(item);
    std::string type, field;
    if (!(fields >> type)) continue;
    Values values;
    while (fields >> field) {
      const std::size_t equals = field.find('=');
      if (equals == std::string::npos || equals == 0) {
        throw Error("SPARSEPATH_TEST_PENALTY_VARIANTS: '" + field + "' in '" + item +
                    "' is not key=value");
      }
      values.emplace_back(field.substr(0, equals), field.substr(equals + 1));
    }
    const auto* entry = plugins().registry().find(ComponentKind::penalty, type);
    if (entry == nullptr) {
      throw Error("SPARSEPATH_TEST_PENALTY_VARIANTS: no penalty '" + type + "' is registered");
    }
    out.push_back(make_variant(*entry, values));
  }
  return out;
}

// Defaults; alpha = 0.3 and 1.0 when there is an alpha key; each of those also with
// lower_limit = 0 (non-negative) and with a finite box when the schema has the bound keys;
// then the configurations from the environment.
std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const auto* entry : plugins().registry().entries(ComponentKind::penalty)) {
    std::vector<Values> bases{{}};
    if (entry->schema.find("alpha") != nullptr) {
      bases.push_back({{"alpha", "0.3"}});
      bases.push_back({{"alpha", "1.0"}});
    }
    // Group penalties: three groups of sizes 2, 3 and 1 (labels not in column order), and the
    // same with unit group weights.
    if (entry->schema.find("group_labels") != nullptr) {
      for (auto& base : bases) base.emplace_back("group_labels", "a,a,b,c,b,b");
      Values unit = bases.front();
      unit.emplace_back("group_weights", "one");
      bases.push_back(unit);
    }
    const bool has_lower = entry->schema.find("lower_limit") != nullptr;
    const bool has_upper = entry->schema.find("upper_limit") != nullptr;
    std::vector<Values> all;
    for (const auto& base : bases) {
      all.push_back(base);
      if (has_lower) {
        Values nonnegative = base;
        nonnegative.emplace_back("lower_limit", "0");
        all.push_back(nonnegative);
      }
      if (has_lower && has_upper) {
        Values box = base;
        box.emplace_back("lower_limit", "-0.5");
        box.emplace_back("upper_limit", "0.8");
        all.push_back(box);
      }
    }
    for (const auto& values : all) out.push_back(make_variant(*entry, values));
  }
  for (Variant& variant : environment_variants()) out.push_back(std::move(variant));
  return out;
}

// A penalty bound to p features with random column scales in [0.5, 2]; owns what the context
// points at.
struct Bound {
  std::vector<double> scale;
  std::vector<std::string> names;
  std::vector<char> excluded;
  std::vector<sparsepath::FeatureOrigin> origins;  // 3 main effects, then their 3 pairs
  std::unique_ptr<Penalty> penalty;
  Vector lower, upper;  // internal-scale box implied by the variant's limits

  Bound(const Variant& variant, unsigned seed, bool unit_scales = false) {
    std::mt19937 generator(seed);
    std::uniform_real_distribution<double> uniform(0.5, 2.0);
    for (Index j = 0; j < features; ++j) {
      scale.push_back(unit_scales ? 1.0 : uniform(generator));
      names.push_back("feature_" + std::to_string(j));
    }
    excluded.assign(features, 0);
    penalty = make_component<Penalty>(variant.type, variant.values);
    PenaltyContext context;
    context.features = features;
    context.column_scale = std::span<const double>(scale);
    context.names = std::span<const std::string>(names);
    context.excluded = std::span<const char>(excluded);
    // An interaction layout (features 3..5 are the products of 0..2); penalties that do not use
    // origins ignore it.
    origins = {{0, -1}, {1, -1}, {2, -1}, {0, 1}, {0, 2}, {1, 2}};
    context.origins = std::span<const sparsepath::FeatureOrigin>(origins);
    const auto outcome = penalty->bind(context);
    if (!outcome.ok()) throw Error("test: bind failed: " + outcome.message);
    penalty->set_lambda(base_lambda);
    lower.resize(features);
    upper.resize(features);
    for (Index j = 0; j < features; ++j) {
      lower[j] = variant.lower_limit * scale[static_cast<std::size_t>(j)];
      upper[j] = variant.upper_limit * scale[static_cast<std::size_t>(j)];
    }
  }
  bool declares(Capability capability) const { return has_all(penalty->capabilities(), capability); }
  double coordinate_value(Index j, double x) const {
    Vector w = Vector::Zero(features);
    w[j] = x;
    return penalty->value(w);
  }
};

// Minimises f over [low, high]: dense grid, the explicit candidates, then golden-section search
// around the best grid point. Returns (argmin, min).
std::pair<double, double> minimise(const std::function<double(double)>& f, double low, double high,
                                   std::vector<double> candidates) {
  double best_x = low, best = f(low);
  auto consider = [&](double x) {
    if (x < low || x > high) return;
    const double value = f(x);
    if (value < best) {
      best = value;
      best_x = x;
    }
  };
  if (high <= low) return {best_x, best};
  const int points = 4000;
  const double step = (high - low) / points;
  for (int k = 0; k <= points; ++k) consider(low + step * k);
  for (double x : candidates) consider(x);
  double a = std::max(low, best_x - step), b = std::min(high, best_x + step);
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  double c = b - ratio * (b - a), d = a + ratio * (b - a);
  double fc = f(c), fd = f(d);
  for (int iteration = 0; iteration < 200 && b - a > 1e-15 * (1.0 + std::abs(a)); ++iteration) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = f(d);
    }
  }
  consider(c);
  consider(d);
  consider(0.5 * (a + b));
  return {best_x, best};
}

constexpr double curvatures[] = {0.05, 0.5, 1.0, 3.7};

}  // namespace

BOOST_AUTO_TEST_CASE(registry_has_penalties) {
  const auto all = variants();
  BOOST_TEST(!all.empty(), "no penalty plugin is registered");
  for (const auto& variant : all) BOOST_TEST_MESSAGE("variant under test: " << variant.label());
}

BOOST_AUTO_TEST_CASE(value_is_homogeneous_in_lambda) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 11);
      Penalty& penalty = *bound.penalty;
      BOOST_TEST(penalty.lambda() == base_lambda);
      BOOST_TEST(penalty.value(Vector::Zero(features)) == 0.0);
      std::mt19937 generator(12);
      std::normal_distribution<double> normal(0.0, 1.0);
      for (int trial = 0; trial < 20; ++trial) {
        Vector w(features);
        for (Index j = 0; j < features; ++j) {
          w[j] = std::clamp(normal(generator), bound.lower[j], bound.upper[j]);
        }
        if (trial % 3 == 0) w[trial % features] = 0.0;
        penalty.set_lambda(base_lambda);
        const double at = penalty.value(w);
        penalty.set_lambda(2.0 * base_lambda);
        const double doubled = penalty.value(w);
        penalty.set_lambda(0.0);
        const double zero = penalty.value(w);
        penalty.set_lambda(base_lambda);
        BOOST_TEST(std::isfinite(at));
        BOOST_TEST(at >= 0.0, "negative penalty " << at);
        BOOST_TEST(std::abs(doubled - 2.0 * at) <= 1e-14 * std::abs(at),
                   "value at 2 lambda " << doubled << " vs 2 * value at lambda " << 2.0 * at);
        BOOST_TEST(zero == 0.0, "value at lambda = 0 is " << zero);
        if (w.cwiseAbs().maxCoeff() > 0.0) BOOST_TEST(at > 0.0, "a nonzero w has zero penalty");
        // value_on a subset equals value when w is zero outside it (the working-set gap uses it).
        std::vector<Index> subset;
        Vector restricted = Vector::Zero(features);
        for (Index j = 0; j < features; ++j) {
          if ((j + trial) % 3 == 0) continue;
          subset.push_back(j);
          restricted[j] = w[j];
        }
        BOOST_TEST(std::abs(penalty.value_on(restricted, subset) - penalty.value(restricted)) <=
                       1e-14 * (1.0 + penalty.value(restricted)),
                   "value_on " << penalty.value_on(restricted, subset) << " vs value " << penalty.value(restricted));
      }
    }
  }
}

// A penalty that hands out a soft-threshold table promises that the table's prox is prox_1d,
// bit for bit (coordinate descent inlines it), at every lambda it is set to; and the table must be
// this lambda's: on one coordinate the penalty's value is l1 |x| + l2 x^2 / 2 inside the bounds
// (value() computes it on its own, so a table left from another lambda fails here).
BOOST_AUTO_TEST_CASE(soft_threshold_table_is_prox_1d_bit_for_bit) {
  Index offered = 0;
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 41);
      Penalty& penalty = *bound.penalty;
      if (!penalty.soft_threshold_table().available()) continue;
      ++offered;
      std::mt19937 generator(5u);
      std::normal_distribution<double> normal(0.0, 1.0);
      for (double lambda : {base_lambda, 0.37 * base_lambda, 3.0 * base_lambda}) {
        penalty.set_lambda(lambda);
        const Penalty::SoftThresholdTable table = penalty.soft_threshold_table();
        for (Index j = 0; j < features; ++j) {
          for (double x : {0.3, -0.7}) {
            const double inside = std::min(table.upper[j], std::max(table.lower[j], x));
            Vector single = Vector::Zero(features);
            single[j] = inside;
            const double expected = table.l1[j] * std::abs(inside) + 0.5 * table.l2[j] * inside * inside;
            BOOST_TEST(std::abs(penalty.value(single) - expected) <= 1e-12 * (1.0 + expected),
                       "j " << j << " x " << inside << ": value " << penalty.value(single) << ", table says " << expected);
          }
          for (double curvature : curvatures) {
            for (int draw = 0; draw < 20; ++draw) {
              const double v = normal(generator) * lambda * (draw % 2 == 0 ? 1.0 : 10.0);
              const double expected = penalty.prox_1d(j, v, curvature);
              const double inlined = table.prox(j, v, curvature);
              BOOST_TEST((inlined == expected || (std::isnan(inlined) && std::isnan(expected))),
                         "j " << j << " v " << v << " curvature " << curvature << ": " << inlined << " vs " << expected);
            }
          }
        }
      }
      penalty.set_lambda(base_lambda);
    }
  }
  BOOST_TEST(offered > 0);  // lasso and elastic net offer one
}

BOOST_AUTO_TEST_CASE(prox_matches_brute_force) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 21);
      if (!bound.declares(Capability::prox_1d)) {
        BOOST_TEST_MESSAGE(variant.label() << " does not declare prox_1d: skipped");
        continue;
      }
      const Penalty& penalty = *bound.penalty;
      std::mt19937 generator(22);
      std::uniform_real_distribution<double> uniform(-5.0, 5.0);
      for (Index j = 0; j < features; ++j) {
        for (double curvature : curvatures) {
          std::vector<double> points{0.0, 20.0, -20.0};
          for (int k = 0; k < 8; ++k) points.push_back(uniform(generator));
          if (bound.declares(Capability::zero_subdifferential)) {
            const Interval zero = penalty.zero_subdifferential(j);
            for (double end : {zero.low, zero.high}) {
              if (!std::isfinite(end)) continue;
              points.push_back(end / curvature);  // exactly at the threshold
              points.push_back(end / curvature * (1.0 + 1e-9));
              points.push_back(end / curvature * (1.0 - 1e-9));
              points.push_back(end / curvature + 0.3);
              points.push_back(end / curvature - 0.3);
            }
          }
          std::sort(points.begin(), points.end());
          double previous = -inf;
          for (double v : points) {
            BOOST_TEST_CONTEXT("j " << j << " curvature " << curvature << " v " << v) {
              const double x = penalty.prox_1d(j, v, curvature);
              BOOST_TEST(std::isfinite(x));
              BOOST_TEST((x >= bound.lower[j] && x <= bound.upper[j]),
                         "prox " << x << " outside the box [" << bound.lower[j] << ", " << bound.upper[j] << "]");
              BOOST_TEST(x >= previous, "prox is not monotone in v: " << x << " after " << previous);
              previous = x;
              auto objective = [&](double t) {
                return 0.5 * curvature * (t - v) * (t - v) + bound.coordinate_value(j, t);
              };
              const double low = std::clamp(std::min(v, 0.0) - 10.0, bound.lower[j], bound.upper[j]);
              const double high = std::clamp(std::max(v, 0.0) + 10.0, bound.lower[j], bound.upper[j]);
              std::vector<double> candidates{0.0, v, bound.lower[j], bound.upper[j]};
              const auto [brute_x, brute] = minimise(objective, low, high, candidates);
              const double at_prox = objective(x);
              BOOST_TEST(at_prox <= brute + 1e-12 * (1.0 + std::abs(brute)),
                         "prox " << x << " has objective " << at_prox << " above brute force " << brute
                                 << " at " << brute_x);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_subdifferential_matches_prox) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 31);
      if (!bound.declares(Capability::zero_subdifferential)) {
        BOOST_TEST_MESSAGE(variant.label() << " does not declare zero_subdifferential: skipped");
        continue;
      }
      Penalty& penalty = *bound.penalty;
      const bool prox = bound.declares(Capability::prox_1d);
      // The host's once-per-lambda table holds exactly the per-feature intervals.
      std::vector<Interval> table(static_cast<std::size_t>(features));
      penalty.zero_subdifferentials(table);
      for (Index j = 0; j < features; ++j) {
        BOOST_TEST_CONTEXT("j " << j) {
          const Interval zero = penalty.zero_subdifferential(j);
          BOOST_TEST((table[static_cast<std::size_t>(j)].low == zero.low && table[static_cast<std::size_t>(j)].high == zero.high),
                     "zero_subdifferentials gives [" << table[static_cast<std::size_t>(j)].low << ", "
                                                     << table[static_cast<std::size_t>(j)].high << "]");
          BOOST_TEST((zero.low <= 0.0 && 0.0 <= zero.high), "0 not in [" << zero.low << ", " << zero.high << "]");
          // A sign constraint opens the interval on that side, and only then.
          BOOST_TEST((bound.upper[j] == 0.0) == (zero.high == inf),
                     "upper bound " << bound.upper[j] << " but interval high " << zero.high);
          BOOST_TEST((bound.lower[j] == 0.0) == (zero.low == -inf),
                     "lower bound " << bound.lower[j] << " but interval low " << zero.low);
          // Linear in lambda.
          penalty.set_lambda(2.0 * base_lambda);
          const Interval doubled = penalty.zero_subdifferential(j);
          penalty.set_lambda(base_lambda);
          BOOST_TEST((std::isfinite(zero.high) ? std::abs(doubled.high - 2.0 * zero.high) <= 1e-14 * std::abs(zero.high)
                                               : doubled.high == zero.high));
          BOOST_TEST((std::isfinite(zero.low) ? std::abs(doubled.low - 2.0 * zero.low) <= 1e-14 * std::abs(zero.low)
                                              : doubled.low == zero.low));
          if (!prox) continue;
          for (double curvature : curvatures) {
            BOOST_TEST_CONTEXT("curvature " << curvature) {
              BOOST_TEST(penalty.prox_1d(j, 0.0, curvature) == 0.0);
              if (std::isfinite(zero.high)) {
                BOOST_REQUIRE(zero.high > 0.0);
                const double inside = zero.high * (1.0 - 1e-9), outside = zero.high * (1.0 + 1e-9);
                BOOST_TEST(penalty.prox_1d(j, inside / curvature, curvature) == 0.0,
                           "c = " << inside << " inside the interval but the prox is nonzero");
                BOOST_TEST(penalty.prox_1d(j, outside / curvature, curvature) > 0.0,
                           "c = " << outside << " above the interval but the prox is not positive");
              } else {
                BOOST_TEST(penalty.prox_1d(j, 1e6 / curvature, curvature) == 0.0,
                           "interval open above, yet a huge c moves the prox off zero");
              }
              if (std::isfinite(zero.low)) {
                BOOST_REQUIRE(zero.low < 0.0);
                const double inside = zero.low * (1.0 - 1e-9), outside = zero.low * (1.0 + 1e-9);
                BOOST_TEST(penalty.prox_1d(j, inside / curvature, curvature) == 0.0,
                           "c = " << inside << " inside the interval but the prox is nonzero");
                BOOST_TEST(penalty.prox_1d(j, outside / curvature, curvature) < 0.0,
                           "c = " << outside << " below the interval but the prox is not negative");
              } else {
                BOOST_TEST(penalty.prox_1d(j, -1e6 / curvature, curvature) == 0.0,
                           "interval open below, yet a huge negative c moves the prox off zero");
              }
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(derivatives_are_an_exact_expansion_on_the_orthant) {
  // smooth_on_support: where h_j is smooth, h_j(x + d) = h_j(x) + h' d + h'' d^2 / 2 for every d
  // that keeps x + d on x's side of zero and inside the box (what Newton steps on a support
  // rely on); at zero and on a bound it must say "not smooth here".
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 43);
      if (!bound.declares(Capability::smooth_on_support)) {
        BOOST_TEST_MESSAGE(variant.label() << " does not declare smooth_on_support: skipped");
        continue;
      }
      Penalty& penalty = *bound.penalty;
      for (Index j = 0; j < features; ++j) {
        double first = 0.0, second = 0.0;
        BOOST_TEST(!penalty.derivatives(j, 0.0, first, second));
        if (std::isfinite(bound.upper[j]) && bound.upper[j] != 0.0) {
          BOOST_TEST(!penalty.derivatives(j, bound.upper[j], first, second));
        }
        for (double x : {-1.3, -0.2, 0.05, 0.4, 2.5}) {
          if (!(bound.lower[j] < x && x < bound.upper[j])) continue;
          BOOST_TEST_CONTEXT("j " << j << " x " << x) {
            BOOST_REQUIRE(penalty.derivatives(j, x, first, second));
            BOOST_TEST(second >= 0.0);
            for (double fraction : {-0.9, -0.5, 0.3, 1.0, 3.0}) {
              const double d = fraction * std::abs(x);
              const double moved = x + d;
              if (moved == 0.0 || (moved > 0.0) != (x > 0.0) || !(bound.lower[j] < moved && moved < bound.upper[j])) continue;
              const double expected = bound.coordinate_value(j, x) + first * d + 0.5 * second * d * d;
              BOOST_TEST(std::abs(bound.coordinate_value(j, moved) - expected) <=
                         1e-12 * (1.0 + std::abs(expected)));
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(dual_scaling_and_conjugate) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 41);
      if (!bound.declares(Capability::dual_point)) {
        BOOST_TEST_MESSAGE(variant.label() << " does not declare dual_point: skipped");
        continue;
      }
      const Penalty& penalty = *bound.penalty;
      const bool separable = bound.declares(Capability::prox_1d);
      std::mt19937 generator(42);
      std::normal_distribution<double> normal(0.0, 1.0);
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      for (int trial = 0; trial < 30; ++trial) {
        BOOST_TEST_CONTEXT("trial " << trial) {
          Vector c(features);
          const double spread = base_lambda * (0.2 + 3.0 * unit(generator));
          for (Index j = 0; j < features; ++j) {
            c[j] = penalty.is_unpenalized(j) ? 0.0 : spread * normal(generator);
          }
          const double t = penalty.dual_scaling(c);
          BOOST_TEST((t > 0.0 && t <= 1.0), "dual_scaling " << t << " outside (0, 1]");
          const Vector scaled = t * c;
          const double conjugate = penalty.conjugate(scaled);
          BOOST_TEST(std::isfinite(conjugate), "conjugate of the scaled point is " << conjugate);
          BOOST_TEST(conjugate >= -1e-15, "h*(c) >= -h(0) = 0 violated: " << conjugate);
          if (t < 1.0) {
            const double beyond = penalty.conjugate(t * (1.0 + 1e-6) * c);
            BOOST_TEST(beyond == inf, "dual_scaling " << t << " is not the largest feasible t: h*(" << t * (1.0 + 1e-6)
                                                      << " c) = " << beyond);
          }
          if (!std::isfinite(conjugate)) continue;
          // Fenchel-Young for random w in the box.
          for (int k = 0; k < 10; ++k) {
            Vector w(features);
            for (Index j = 0; j < features; ++j) {
              const double low = std::max(bound.lower[j], -3.0), high = std::min(bound.upper[j], 3.0);
              w[j] = k == 0 ? (scaled[j] > 0 ? high : low) : low + (high - low) * unit(generator);
              if (k % 4 == 1 && j % 2 == 0) w[j] = 0.0;
            }
            const double value = penalty.value(w);
            const double pairing = w.dot(scaled);
            BOOST_TEST(value + conjugate >= pairing - 1e-12 * (1.0 + std::abs(value) + std::abs(pairing)),
                       "Fenchel-Young violated: h(w) " << value << " + h*(c) " << conjugate << " < <w,c> "
                                                       << pairing);
          }
          // Tightness for separable penalties: h*(c) = sum_j sup_x c_j x - h_j(x) over the box.
          if (separable) {
            double brute = 0.0;
            for (Index j = 0; j < features; ++j) {
              if (penalty.is_unpenalized(j)) continue;
              auto negated = [&](double x) { return -(scaled[j] * x - bound.coordinate_value(j, x)); };
              const double low = std::max(bound.lower[j], -100.0), high = std::min(bound.upper[j], 100.0);
              brute -= minimise(negated, low, high, {0.0, bound.lower[j], bound.upper[j]}).second;
            }
            BOOST_TEST(std::abs(conjugate - brute) <= 1e-9 * (1.0 + std::abs(brute)),
                       "conjugate " << conjugate << " vs brute-force supremum " << brute);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(lambda_max_matches_zero_subdifferential) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 51);
      Penalty& penalty = *bound.penalty;
      std::mt19937 generator(52);
      std::normal_distribution<double> normal(0.0, 1.0);
      for (int trial = 0; trial < 20; ++trial) {
        BOOST_TEST_CONTEXT("trial " << trial) {
          Vector c0(features);
          for (Index j = 0; j < features; ++j) c0[j] = normal(generator);
          penalty.set_lambda(base_lambda);
          const double lambda_max = penalty.lambda_max(c0);
          penalty.set_lambda(3.0);
          BOOST_TEST(penalty.lambda_max(c0) == lambda_max, "lambda_max depends on the current lambda");
          BOOST_TEST(std::abs(penalty.lambda_max(2.5 * c0) - 2.5 * lambda_max) <= 1e-14 * lambda_max,
                     "lambda_max is not positively homogeneous in c0");
          BOOST_TEST((lambda_max >= 0.0 && std::isfinite(lambda_max)), "lambda_max " << lambda_max);
          if (!(lambda_max > 0.0)) continue;
          if (const BlockStructure* blocks = penalty.blocks()) {
            // Block penalties: at lambda_max every block passes its zero test; just below, one fails.
            auto largest_block_norm = [&]() {
              double largest = 0.0;
              for (Index g = 0; g < blocks->count(); ++g) {
                const auto members = blocks->block(g);
                Vector c(static_cast<Index>(members.size()));
                for (std::size_t k = 0; k < members.size(); ++k) c[static_cast<Index>(k)] = c0[members[k]];
                largest = std::max(largest, penalty.block_dual_norm(g, members, c));
              }
              return largest;
            };
            penalty.set_lambda(lambda_max);
            BOOST_TEST(std::abs(largest_block_norm() - lambda_max) <= 1e-14 * lambda_max,
                       "lambda_max " << lambda_max << " differs from the largest block dual norm "
                                     << largest_block_norm());
            penalty.set_lambda(base_lambda);
            continue;
          }
          if (!bound.declares(Capability::zero_subdifferential)) continue;
          // At lambda_max every c0_j lies in d h_j(0); just below, one leaves it.
          penalty.set_lambda(lambda_max * (1.0 + 1e-12));
          for (Index j = 0; j < features; ++j) {
            if (penalty.is_unpenalized(j)) continue;
            const Interval zero = penalty.zero_subdifferential(j);
            BOOST_TEST((zero.low <= c0[j] && c0[j] <= zero.high),
                       "j " << j << ": c0 " << c0[j] << " outside [" << zero.low << ", " << zero.high
                            << "] at lambda_max");
          }
          penalty.set_lambda(lambda_max * 0.999);
          bool violated = false;
          for (Index j = 0; j < features; ++j) {
            const Interval zero = penalty.zero_subdifferential(j);
            violated |= c0[j] < zero.low || c0[j] > zero.high;
          }
          BOOST_TEST(violated, "every c0_j is still in d h_j(0) at 0.999 lambda_max: lambda_max too large");
          penalty.set_lambda(base_lambda);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(lambda_max_with_a_path_solve) {
  const std::vector<std::string> losses{"squared", "logistic"};
  for (const auto& variant : variants()) {
    for (const auto& loss_name : losses) {
      if (plugins().registry().find(ComponentKind::loss, loss_name) == nullptr) continue;
      for (bool fit_intercept : {true, false}) {
        BOOST_TEST_CONTEXT(variant.label() << ", loss '" << loss_name << "', intercept " << fit_intercept) {
          const bool logistic = loss_name == "logistic";
          RandomProblem data(60, features, logistic ? 61u : 62u, logistic);
          auto loss = make_component<Loss>(loss_name);
          Vector y = data.y;
          loss->prepare_target(y);
          auto design = sparsepath::testing::dense_design(data.x, data.names);
          Bound bound(variant, 63, /*unit_scales=*/true);
          // cd for separable penalties, block coordinate descent for the others.
          auto optimizer = make_component<Optimizer>(bound.declares(Capability::prox_1d) ? "cd" : "bcd");
          if (!has_all(bound.penalty->capabilities(), optimizer->required_penalty_capabilities()) ||
              !has_all(loss->capabilities(), optimizer->required_loss_capabilities())) {
            BOOST_TEST_MESSAGE(variant.label() << ": the cd optimizer cannot handle it; skipped");
            continue;
          }
          Problem problem{*design, y, data.v, true, *loss, *bound.penalty, fit_intercept};
          PathOptions probe;
          probe.lambdas = {1.0};
          const double lambda_max =
              PathSolver(problem, *optimizer, {}, probe, data.standardization, data.names).lambda_max();
          BOOST_TEST((lambda_max > 0.0 && std::isfinite(lambda_max)));
          PathOptions options;
          options.lambdas = {1.000001 * lambda_max, 0.999 * lambda_max};
          PathSolver solver(problem, *optimizer, {}, options, data.standardization, data.names);
          const auto result = solver.run();
          BOOST_REQUIRE_EQUAL(result.points.size(), 2u);
          const auto& above = result.points[0];
          const auto& below = result.points[1];
          BOOST_TEST(above.coefficients.empty(), "nonzero coefficients above lambda_max: " << above.coefficients.size());
          BOOST_TEST(above.converged, above.message);
          BOOST_TEST(!below.coefficients.empty(), "no coefficient enters at 0.999 lambda_max");
          BOOST_TEST(below.converged, below.message);
          for (const auto& point : result.points) {
            BOOST_TEST(point.duality_gap >= -1e-12, "negative duality gap " << point.duality_gap);
            BOOST_TEST(point.duality_gap <= point.gap_tolerance,
                       "gap " << point.duality_gap << " above tolerance " << point.gap_tolerance);
            BOOST_TEST(point.gap_tolerance > 0.0);
            for (const auto& [j, beta] : point.coefficients) {
              BOOST_TEST((beta >= variant.lower_limit && beta <= variant.upper_limit),
                         "coefficient " << j << " = " << beta << " outside the bounds");
            }
          }
        }
      }
    }
  }
}

// Capability block_prox: the block prox minimises its objective (no random perturbation, no
// coordinate set to zero, does better), is zero exactly when block_dual_norm(v / step) <= lambda,
// and the sphere test never certifies a block some point of the sphere would open.
BOOST_AUTO_TEST_CASE(block_prox_and_block_tests) {
  for (const auto& variant : variants()) {
    BOOST_TEST_CONTEXT(variant.label()) {
      Bound bound(variant, 71);
      if (!bound.declares(Capability::block_prox)) {
        BOOST_TEST_MESSAGE(variant.label() << " does not declare block_prox: skipped");
        continue;
      }
      Penalty& penalty = *bound.penalty;
      const BlockStructure* blocks = penalty.blocks();
      const Index count = blocks ? blocks->count() : features;
      std::mt19937 generator(72);
      std::normal_distribution<double> normal(0.0, 1.0);
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      Index deep_inside = 0, certified_deep = 0;
      for (Index g = 0; g < count; ++g) {
        std::vector<Index> members;
        if (blocks) members.assign(blocks->block(g).begin(), blocks->block(g).end());
        else members.push_back(g);
        if (members.size() == 1 && penalty.is_unpenalized(members[0])) continue;
        const Index size = static_cast<Index>(members.size());
        auto block_value = [&](const Vector& x) {
          Vector w = Vector::Zero(features);
          for (Index a = 0; a < size; ++a) w[members[static_cast<std::size_t>(a)]] = x[a];
          return penalty.value(w);
        };
        auto within = [&](const Vector& x) {
          for (Index a = 0; a < size; ++a) {
            if (!penalty.within_domain(members[static_cast<std::size_t>(a)], x[a])) return false;
          }
          return true;
        };
        for (int trial = 0; trial < 40; ++trial) {
          BOOST_TEST_CONTEXT("block " << g << ", trial " << trial) {
            const double step = 0.2 + 2.0 * unit(generator);
            Vector v(size);
            const double spread = base_lambda * step * (0.3 + 3.0 * unit(generator));
            for (Index a = 0; a < size; ++a) v[a] = spread * normal(generator);
            Vector x(size);
            penalty.prox_block(g, members, v, step, x);
            BOOST_TEST(within(x), "prox output outside the domain");
            auto objective = [&](const Vector& at) { return (at - v).squaredNorm() / (2.0 * step) + block_value(at); };
            const double best = objective(x);
            for (int k = 0; k < 200; ++k) {
              Vector other = x;
              const double size_of = k < 100 ? 1e-3 : 0.3;
              for (Index a = 0; a < size; ++a) other[a] += size_of * normal(generator) * (1.0 + std::abs(x[a]));
              if (k % 5 == 0) other[static_cast<Index>(k / 5) % size] = 0.0;
              if (!within(other)) continue;
              BOOST_TEST(objective(other) >= best - 1e-12 * (1.0 + std::abs(best)),
                         "prox not optimal: " << objective(other) << " < " << best);
            }
            const double norm = penalty.block_dual_norm(g, members, v / step);
            const bool zero = x.isZero(0.0);
            if (norm < penalty.lambda() * (1.0 - 1e-9)) BOOST_TEST(zero, "dual norm " << norm << " < lambda but prox nonzero");
            if (norm > penalty.lambda() * (1.0 + 1e-9)) BOOST_TEST(!zero, "dual norm " << norm << " > lambda but prox zero");
            // Sphere test: sample the sphere's surface and inside.
            const double radius = base_lambda * 0.5 * unit(generator);
            Vector centre(size);
            for (Index a = 0; a < size; ++a) centre[a] = base_lambda * 0.6 * normal(generator);
            // A sphere far inside the zero set (centre and radius a hundredth of the scale) must
            // be certified by a block penalty's test: a test that never certifies would pass.
            if (blocks && penalty.block_dual_norm(g, members, centre * 0.01) + 0.01 * base_lambda * std::sqrt(static_cast<double>(size)) <
                              0.5 * penalty.lambda()) {
              ++deep_inside;
              certified_deep += penalty.block_zero_certain(g, members, centre * 0.01, 0.001 * base_lambda);
            }
            if (penalty.block_zero_certain(g, members, centre, radius)) {
              for (int k = 0; k < 200; ++k) {
                Vector direction(size);
                for (Index a = 0; a < size; ++a) direction[a] = normal(generator);
                const double length = k % 2 == 0 ? radius : radius * unit(generator);
                const Vector point = centre + length * direction / std::max(direction.norm(), 1e-300);
                const double at = penalty.block_dual_norm(g, members, point);
                BOOST_TEST(at < penalty.lambda(), "certified block opens at " << at << " >= lambda");
              }
            }
          }
        }
      }
      if (blocks) BOOST_TEST(certified_deep == deep_inside, certified_deep << " of " << deep_inside
                                                                  << " spheres deep inside the zero set certified");
    }
  }
}
