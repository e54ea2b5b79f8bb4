// The strong-hierarchy prox (MATH.md 9.4): certified by its duality gap, checked against brute
// force (no point of a fine grid around the answer, and no random perturbation, has a smaller
// objective), weak duality at random dual points, exact screening (the screened prox equals the
// unscreened one, and every screened coordinate is zero in it), warm starts, and the l1 projection.
#define BOOST_TEST_MODULE hierarchy_prox
#include <boost/test/unit_test.hpp>

#include "hierarchy_prox.hpp"

#include <random>

using namespace sparsepath;
using sparsepath::plugins::hierarchy_penalty;
using sparsepath::plugins::hierarchy_prox;
using sparsepath::plugins::HierarchyDuals;
using sparsepath::plugins::HierarchyProxOptions;
using sparsepath::plugins::HierarchyStructure;
using sparsepath::plugins::project_l1_ball;

namespace {

HierarchyStructure all_pairs(Index mains) {
  std::vector<std::pair<Index, Index>> pairs;
  for (Index i = 0; i < mains; ++i) {
    for (Index j = i + 1; j < mains; ++j) pairs.emplace_back(i, j);
  }
  return HierarchyStructure::from_pairs(mains, pairs);
}

struct Instance {
  HierarchyStructure structure;
  Vector beta_target, theta_target;
  double curvature = 1.0, lambda1 = 0.0, lambda2 = 0.0;
  double objective(const Vector& beta, const Vector& theta) const {
    return 0.5 * curvature * ((beta - beta_target).squaredNorm() + (theta - theta_target).squaredNorm()) +
           hierarchy_penalty(structure, beta, theta, lambda1, lambda2);
  }
};

Instance random_instance(std::mt19937& generator, Index mains) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Instance instance;
  instance.structure = all_pairs(mains);
  instance.beta_target.resize(mains);
  instance.theta_target.resize(instance.structure.pairs());
  for (Index i = 0; i < mains; ++i) instance.beta_target[i] = normal(generator);
  for (Index k = 0; k < instance.structure.pairs(); ++k) instance.theta_target[k] = normal(generator);
  instance.curvature = 0.5 + 2.0 * unit(generator);
  instance.lambda1 = 0.05 + 1.5 * unit(generator);
  instance.lambda2 = instance.lambda1 * (0.2 + 2.0 * unit(generator));
  return instance;
}

// 300 points near (beta, theta) (small and large random moves, some coordinates zeroed), each
// mapped back into the feasible set by `project`: none has a smaller objective than `best`.
template <class Project>
void expect_no_better_perturbation(const Instance& instance, const Vector& beta, const Vector& theta, double best,
                                   std::mt19937& generator, const Project& project) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const Index mains = beta.size();
  for (int k = 0; k < 300; ++k) {
    Vector b = beta, t = theta;
    const double size = k < 150 ? 1e-3 : 0.2;
    for (Index i = 0; i < mains; ++i) b[i] += size * normal(generator);
    for (Index q = 0; q < t.size(); ++q) t[q] += size * normal(generator);
    if (k % 7 == 0) b[k % mains] = 0.0;
    if (k % 11 == 0) t[k % t.size()] = 0.0;
    BOOST_TEST(instance.objective(project(b), project(t)) >= best - 1e-12 * (1.0 + best));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(l1_projection) {
  std::vector<double> inside{0.2, -0.3};
  project_l1_ball(inside);
  BOOST_TEST(inside[0] == 0.2);
  std::vector<double> outside{3.0, -1.0, 0.5};  // threshold 1: (2, 0, 0)... l1 = 2 > 1, threshold 2
  project_l1_ball(outside);
  BOOST_TEST(std::abs(outside[0] - 1.0) <= 1e-15);
  BOOST_TEST(outside[1] == 0.0);
  BOOST_TEST(outside[2] == 0.0);
  std::mt19937 generator(1);
  std::normal_distribution<double> normal(0.0, 2.0);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> v(1 + trial % 8);
    for (double& x : v) x = normal(generator);
    std::vector<double> projected = v;
    project_l1_ball(projected);
    double norm = 0.0;
    for (double x : projected) norm += std::abs(x);
    BOOST_TEST(norm <= 1.0 + 1e-12);
    // Optimality: no random point of the ball is closer to v.
    double distance = 0.0;
    for (std::size_t k = 0; k < v.size(); ++k) distance += (v[k] - projected[k]) * (v[k] - projected[k]);
    for (int k = 0; k < 50; ++k) {
      std::vector<double> other(v.size());
      double other_norm = 0.0;
      for (double& x : other) x = normal(generator), other_norm += std::abs(x);
      double d = 0.0;
      for (std::size_t a = 0; a < v.size(); ++a) {
        other[a] /= std::max(other_norm, 1.0);
        d += (v[a] - other[a]) * (v[a] - other[a]);
      }
      BOOST_TEST(d >= distance - 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(prox_is_certified_and_beats_brute_force) {
  std::mt19937 generator(2);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const Index mains = 2 + trial % 4;
    const Instance instance = random_instance(generator, mains);
    HierarchyDuals duals;
    Vector beta(mains), theta(instance.structure.pairs());
    const auto result = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                       instance.lambda1, instance.lambda2, duals, beta, theta);
    BOOST_TEST_CONTEXT("trial " << trial << ", " << mains << " main effects") {
      BOOST_TEST(result.converged, "gap " << result.primal - result.dual << " after " << result.sweeps << " sweeps");
      const double best = instance.objective(beta, theta);
      BOOST_TEST(std::abs(best - result.primal) <= 1e-12 * (1.0 + best));
      // Weak duality at random feasible duals: q never exceeds the optimum.
      for (int k = 0; k < 20; ++k) {
        HierarchyDuals random;
        random.reset(instance.structure);
        for (Index i = 0; i < mains; ++i) {
          std::vector<double> block{normal(generator)};
          for (std::size_t a = 0; a < instance.structure.pairs_of[static_cast<std::size_t>(i)].size(); ++a) block.push_back(normal(generator));
          project_l1_ball(block);
          random.u[i] = block[0];
          for (std::size_t a = 0; a < instance.structure.pairs_of[static_cast<std::size_t>(i)].size(); ++a) {
            const Index pair = instance.structure.pairs_of[static_cast<std::size_t>(i)][a];
            (instance.structure.first[pair] == i ? random.w_first[pair] : random.w_second[pair]) = block[a + 1];
          }
        }
        HierarchyProxOptions once;
        once.max_sweeps = 0;
        once.screening = false;
        Vector b(mains), t(instance.structure.pairs());
        const auto at = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                       instance.lambda1, instance.lambda2, random, b, t, once);
        BOOST_TEST(at.dual <= best + 1e-12 * (1.0 + std::abs(best)), "q " << at.dual << " above the optimum " << best);
      }
      // Brute force: random perturbations, coordinates set to zero, and (two main effects) a grid.
      expect_no_better_perturbation(instance, beta, theta, best, generator, [](const Vector& x) { return x; });
      if (mains == 2) {
        const int steps = 30;
        double grid_best = std::numeric_limits<double>::infinity();
        for (int a = -steps; a <= steps; ++a) {
          for (int b = -steps; b <= steps; ++b) {
            for (int c = -steps; c <= steps; ++c) {
              const Vector bb{{beta[0] + 0.01 * a, beta[1] + 0.01 * b}};
              const Vector tt{{theta[0] + 0.01 * c}};
              grid_best = std::min(grid_best, instance.objective(bb, tt));
            }
          }
        }
        BOOST_TEST(grid_best >= best - 1e-12 * (1.0 + best));
      }
    }
  }
}

// hierScale's big-M box: the prox stays inside it, is certified by its gap, and no perturbation
// clipped back into the box does better; the box does bind in most trials.
BOOST_AUTO_TEST_CASE(prox_within_a_box_is_certified_and_beats_brute_force) {
  std::mt19937 generator(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  int binding = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Index mains = 2 + trial % 4;
    Instance instance = random_instance(generator, mains);
    instance.beta_target *= 3.0;
    instance.theta_target *= 3.0;
    HierarchyProxOptions options;
    options.bound = 0.3 + 0.5 * std::abs(normal(generator));
    options.screening = trial % 2 == 0;
    const double bound = options.bound;
    HierarchyDuals duals;
    Vector beta(mains), theta(instance.structure.pairs());
    const auto result = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                       instance.lambda1, instance.lambda2, duals, beta, theta, options);
    BOOST_TEST_CONTEXT("trial " << trial << ", bound " << bound) {
      BOOST_TEST(result.converged, "gap " << result.primal - result.dual << " after " << result.sweeps << " sweeps");
      BOOST_TEST(beta.cwiseAbs().maxCoeff() <= bound);
      BOOST_TEST(theta.cwiseAbs().maxCoeff() <= bound);
      binding += beta.cwiseAbs().maxCoeff() == bound || theta.cwiseAbs().maxCoeff() == bound;
      const double best = instance.objective(beta, theta);
      BOOST_TEST(std::abs(best - result.primal) <= 1e-12 * (1.0 + best));
      auto clip = [bound](const Vector& x) { return Vector(x.cwiseMax(-bound).cwiseMin(bound)); };
      expect_no_better_perturbation(instance, beta, theta, best, generator, clip);
    }
  }
  BOOST_TEST(binding >= 100, "the box bound in only " << binding << " of 200 trials");
}

BOOST_AUTO_TEST_CASE(screening_is_exact) {
  std::mt19937 generator(3);
  Index groups = 0, pairs = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Index mains = 2 + trial % 6;
    Instance instance = random_instance(generator, mains);
    instance.lambda1 *= 1.0 + (trial % 3);  // more screening
    HierarchyDuals with, without;
    Vector b1(mains), t1(instance.structure.pairs()), b2(mains), t2(instance.structure.pairs());
    HierarchyProxOptions options;
    const auto screened = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target,
                                         instance.curvature, instance.lambda1, instance.lambda2, with, b1, t1, options);
    options.screening = false;
    const auto plain = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                      instance.lambda1, instance.lambda2, without, b2, t2, options);
    BOOST_TEST_CONTEXT("trial " << trial) {
      BOOST_TEST(screened.converged);
      BOOST_TEST(plain.converged);
      groups += screened.screened_groups;
      pairs += screened.screened_pairs;
      // Both certified to 1e-12 relative: the strongly convex prox has one solution.
      const double scale = 1.0 + b2.cwiseAbs().maxCoeff() + t2.cwiseAbs().maxCoeff();
      BOOST_TEST((b1 - b2).cwiseAbs().maxCoeff() <= 1e-5 * scale);
      BOOST_TEST((t1 - t2).cwiseAbs().maxCoeff() <= 1e-5 * scale);
      for (Index i = 0; i < mains; ++i) {
        if (b1[i] == 0.0) BOOST_TEST(std::abs(b2[i]) <= 1e-6 * scale, "screened main effect " << i << " is " << b2[i]);
      }
      for (Index k = 0; k < t1.size(); ++k) {
        if (t1[k] == 0.0) BOOST_TEST(std::abs(t2[k]) <= 1e-6 * scale, "screened pair " << k << " is " << t2[k]);
      }
    }
  }
  BOOST_TEST(groups > 0);
  BOOST_TEST(pairs > 0);
}

BOOST_AUTO_TEST_CASE(warm_duals_need_fewer_sweeps) {
  std::mt19937 generator(4);
  long long cold_total = 0, warm_total = 0;
  for (int trial = 0; trial < 50; ++trial) {
    Instance instance = random_instance(generator, 6);
    instance.lambda1 *= 0.3;  // little screening: the ascent does the work
    HierarchyDuals duals;
    Vector beta(6), theta(instance.structure.pairs());
    cold_total += hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                 instance.lambda1, instance.lambda2, duals, beta, theta).sweeps;
    instance.beta_target *= 1.01;  // a nearby prox, as between two gradient steps
    warm_total += hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                 instance.lambda1, instance.lambda2, duals, beta, theta).sweeps;
  }
  BOOST_TEST(warm_total < cold_total, "warm " << warm_total << " vs cold " << cold_total << " sweeps");
}

// Warm duals from another working set may lie outside the l1 balls (a pair that left and came
// back keeps its old weight): the prox must still return the cold-start answer, not accept a
// point whose "gap" is computed from infeasible duals.
BOOST_AUTO_TEST_CASE(stale_warm_duals_are_projected) {
  std::mt19937 generator(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const Index mains = 2 + trial % 5;
    const Instance instance = random_instance(generator, mains);
    HierarchyDuals cold, stale;
    Vector b1(mains), t1(instance.structure.pairs()), b2(mains), t2(instance.structure.pairs());
    hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature, instance.lambda1,
                   instance.lambda2, cold, b1, t1);
    stale.reset(instance.structure);
    for (Index i = 0; i < mains; ++i) stale.u[i] = 2.0 * normal(generator);
    for (Index k = 0; k < instance.structure.pairs(); ++k) {
      stale.w_first[k] = 2.0 * normal(generator);
      stale.w_second[k] = 2.0 * normal(generator);
    }
    const auto result = hierarchy_prox(instance.structure, instance.beta_target, instance.theta_target, instance.curvature,
                                       instance.lambda1, instance.lambda2, stale, b2, t2);
    BOOST_TEST_CONTEXT("trial " << trial) {
      BOOST_TEST(result.converged);
      BOOST_TEST(result.primal - result.dual >= -1e-12 * std::abs(result.primal), "negative gap accepted");
      const double scale = 1.0 + b1.cwiseAbs().maxCoeff() + t1.cwiseAbs().maxCoeff();
      BOOST_TEST((b1 - b2).cwiseAbs().maxCoeff() <= 1e-5 * scale);
      BOOST_TEST((t1 - t2).cwiseAbs().maxCoeff() <= 1e-5 * scale);
    }
  }
}
