// The proximal operator of the strong-hierarchy relaxation (hierScale, MATH.md 5.1-5.3), on
// glmnet's scale, optionally within hierScale's big-M box (|beta_i|, |theta_k| <= M):
//   argmin  L/2 ||beta - bt||^2 + L/2 ||theta - tt||^2
//         + lambda1 sum_i max(|beta_i|, max_{k in pairs(i)} |theta_k|) + lambda2 ||theta||_1
// Each theta_k sits in the max of both of its main effects, so the problem is not separable. It is
// solved in the dual, one l1 ball of weights (u_i, w_{i,k}) per main effect, by block coordinate
// ascent with projected gradient steps; the primal point is recovered in closed form,
//   beta_i = clip_M(bt_i - kappa u_i),   theta_k = clip_M(S_{kappa2}(tt_k - kappa (w_first,k + w_second,k))),
// kappa = lambda1 / L, kappa2 = lambda2 / L, and the duality gap P - q certifies it. Exact proximal
// screening (5.3) fixes pairs (|tt_k| <= kappa2) and whole groups at zero, with dual weights that
// certify it, before the ascent. Duals are warm-startable across calls.
#pragma once

#include "sparsepath/core/types.hpp"

#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace sparsepath::plugins {

struct HierarchyStructure {
  Index mains = 0;
  std::vector<Index> first, second;         // pair k joins main effects first[k] < second[k]
  std::vector<std::vector<Index>> pairs_of;  // the pairs of each main effect
  Index pairs() const { return static_cast<Index>(first.size()); }
  // Throws Error on an endpoint outside [0, mains), a pair i == j or a repeated pair.
  static HierarchyStructure from_pairs(Index mains, const std::vector<std::pair<Index, Index>>& pairs);
  // The same for pairs already known valid (a restriction of a checked structure), keeping each
  // pair's orientation (first, second) as given; no checks.
  void assign_trusted(Index mains, std::span<const std::pair<Index, Index>> pairs);
};

struct HierarchyDuals {
  Vector u;                      // per main effect
  Vector w_first, w_second;      // per pair: its weight in the first / second endpoint's ball
  void reset(const HierarchyStructure& structure);  // zero, sized to the structure
};

struct HierarchyProxOptions {
  double tolerance = 1e-12;      // stop when P - q <= tolerance * max(P, smallest positive)
  long long max_sweeps = 200000;
  bool screening = true;
  // Main effects held at zero (not in the working set): beta_i = 0 and u_i = 0, while their
  // groups still bound the pairs through the max (empty: none).
  std::span<const char> pinned_mains;
  // hierScale's big-M box |beta_i|, |theta_k| <= bound (infinite: inactive). The primal recovery
  // clips to it (the Lagrangian's minimiser over the box), q is evaluated there, and screening is
  // unchanged (zero is interior).
  double bound = std::numeric_limits<double>::infinity();
};

struct HierarchyProxResult {
  double primal = 0.0, dual = 0.0;  // P at the returned point and q at the returned duals
  long long sweeps = 0;
  Index screened_groups = 0, screened_pairs = 0;
  bool converged = false;
};

// lambda1 sum_i max(|beta_i|, max_k |theta_k|) + lambda2 ||theta||_1.
double hierarchy_penalty(const HierarchyStructure& structure, VecIn beta, VecIn theta, double lambda1, double lambda2);

HierarchyProxResult hierarchy_prox(const HierarchyStructure& structure, VecIn beta_target, VecIn theta_target,
                                   double curvature, double lambda1, double lambda2, HierarchyDuals& duals,
                                   VecOut beta, VecOut theta, const HierarchyProxOptions& options = {});

// Euclidean projection onto the unit l1 ball (Duchi et al. 2008), in place.
void project_l1_ball(std::vector<double>& values);

}  // namespace sparsepath::plugins
