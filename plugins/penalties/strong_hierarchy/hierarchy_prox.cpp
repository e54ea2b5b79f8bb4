#include "hierarchy_prox.hpp"

#include "sparsepath/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace sparsepath::plugins {

namespace {
double soft(double x, double threshold) {
  return x > threshold ? x - threshold : (x < -threshold ? x + threshold : 0.0);
}
double sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }
}  // namespace

HierarchyStructure HierarchyStructure::from_pairs(Index mains, const std::vector<std::pair<Index, Index>>& pairs) {
  HierarchyStructure structure;
  structure.mains = mains;
  structure.pairs_of.assign(static_cast<std::size_t>(mains), {});
  std::set<std::pair<Index, Index>> seen;
  for (const auto& [a, b] : pairs) {
    const Index i = std::min(a, b), j = std::max(a, b);
    if (i < 0 || j >= mains || i == j) {
      throw Error("strong hierarchy: pair (" + std::to_string(a) + ", " + std::to_string(b) +
                  ") needs two different main effects below " + std::to_string(mains));
    }
    if (!seen.insert({i, j}).second) {
      throw Error("strong hierarchy: pair (" + std::to_string(i) + ", " + std::to_string(j) + ") given twice");
    }
    const Index k = static_cast<Index>(structure.first.size());
    structure.first.push_back(i);
    structure.second.push_back(j);
    structure.pairs_of[static_cast<std::size_t>(i)].push_back(k);
    structure.pairs_of[static_cast<std::size_t>(j)].push_back(k);
  }
  return structure;
}

void HierarchyStructure::assign_trusted(Index main_count, std::span<const std::pair<Index, Index>> pairs) {
  mains = main_count;
  first.resize(pairs.size());
  second.resize(pairs.size());
  pairs_of.resize(static_cast<std::size_t>(main_count));
  for (auto& list : pairs_of) list.clear();
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    first[k] = pairs[k].first;
    second[k] = pairs[k].second;
    pairs_of[static_cast<std::size_t>(pairs[k].first)].push_back(static_cast<Index>(k));
    pairs_of[static_cast<std::size_t>(pairs[k].second)].push_back(static_cast<Index>(k));
  }
}

void HierarchyDuals::reset(const HierarchyStructure& structure) {
  u = Vector::Zero(structure.mains);
  w_first = Vector::Zero(structure.pairs());
  w_second = Vector::Zero(structure.pairs());
}

double hierarchy_penalty(const HierarchyStructure& structure, VecIn beta, VecIn theta, double lambda1, double lambda2) {
  double total = 0.0;
  for (Index i = 0; i < structure.mains; ++i) {
    double largest = std::abs(beta[i]);
    for (Index k : structure.pairs_of[static_cast<std::size_t>(i)]) largest = std::max(largest, std::abs(theta[k]));
    total += lambda1 * largest;
  }
  return total + lambda2 * theta.cwiseAbs().sum();
}

void project_l1_ball(std::vector<double>& values) {
  double norm = 0.0;
  for (double v : values) norm += std::abs(v);
  if (norm <= 1.0) return;
  std::vector<double> sorted(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) sorted[k] = std::abs(values[k]);
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  double cumulative = 0.0, threshold = 0.0;
  for (std::size_t k = 0; k < sorted.size(); ++k) {
    cumulative += sorted[k];
    const double candidate = (cumulative - 1.0) / static_cast<double>(k + 1);
    if (sorted[k] > candidate) threshold = candidate;
  }
  for (double& v : values) v = soft(v, threshold);
}

HierarchyProxResult hierarchy_prox(const HierarchyStructure& structure, VecIn beta_target, VecIn theta_target,
                                   double curvature, double lambda1, double lambda2, HierarchyDuals& duals,
                                   VecOut beta, VecOut theta, const HierarchyProxOptions& options) {
  const Index p = structure.mains, m = structure.pairs();
  if (duals.u.size() != p || duals.w_first.size() != m || duals.w_second.size() != m) duals.reset(structure);
  const double kappa = lambda1 / curvature, kappa2 = lambda2 / curvature;
  HierarchyProxResult result;
  // Screening: fixed pairs and groups keep the certificate weights set here.
  std::vector<char> pair_fixed(static_cast<std::size_t>(m), 0), group_fixed(static_cast<std::size_t>(p), 0);
  auto pinned = [&](Index i) {
    return !options.pinned_mains.empty() && options.pinned_mains[static_cast<std::size_t>(i)] != 0;
  };
  for (Index i = 0; i < p; ++i) {
    if (pinned(i)) duals.u[i] = 0.0;
  }
  if (options.screening && lambda1 > 0.0) {
    for (Index k = 0; k < m; ++k) {
      if (std::abs(theta_target[k]) <= kappa2) {
        pair_fixed[static_cast<std::size_t>(k)] = 1;
        duals.w_first[k] = duals.w_second[k] = 0.0;
        ++result.screened_pairs;
      }
    }
    std::vector<char> assigned(static_cast<std::size_t>(m), 0);
    const double ratio = lambda2 / lambda1;
    for (Index i = 0; i < p; ++i) {
      double budget = pinned(i) ? 0.0 : std::abs(beta_target[i]) / kappa;
      for (Index k : structure.pairs_of[static_cast<std::size_t>(i)]) {
        budget += std::max(std::abs(theta_target[k]) / kappa - ratio, 0.0);
      }
      if (budget > 1.0) continue;
      group_fixed[static_cast<std::size_t>(i)] = 1;
      ++result.screened_groups;
      duals.u[i] = pinned(i) ? 0.0 : beta_target[i] / kappa;
      for (Index k : structure.pairs_of[static_cast<std::size_t>(i)]) {
        double& mine = structure.first[k] == i ? duals.w_first[k] : duals.w_second[k];
        double& other = structure.first[k] == i ? duals.w_second[k] : duals.w_first[k];
        if (assigned[static_cast<std::size_t>(k)]) {  // the other endpoint certified it already
          mine = 0.0;
          continue;
        }
        assigned[static_cast<std::size_t>(k)] = 1;
        pair_fixed[static_cast<std::size_t>(k)] = 1;
        other = 0.0;
        mine = std::abs(theta_target[k]) > kappa2 ? theta_target[k] / kappa - ratio * sign(theta_target[k]) : 0.0;
      }
    }
  }
  // The Lagrangian's minimisers over the box: a one-dimensional convex problem on an interval is
  // solved by clipping its unconstrained minimiser.
  const double bound = options.bound;
  auto clip = [bound](double x) { return std::clamp(x, -bound, bound); };
  auto main_at = [&](Index i) { return clip(beta_target[i] - kappa * duals.u[i]); };
  auto pair_at = [&](Index k) {
    return clip(soft(theta_target[k] - kappa * (duals.w_first[k] + duals.w_second[k]), kappa2));
  };
  auto recover = [&]() {
    for (Index i = 0; i < p; ++i) beta[i] = group_fixed[static_cast<std::size_t>(i)] || pinned(i) ? 0.0 : main_at(i);
    for (Index k = 0; k < m; ++k) theta[k] = pair_fixed[static_cast<std::size_t>(k)] ? 0.0 : pair_at(k);
  };
  // q(u, w): the Lagrangian at its minimiser (the recovered point, before any pinning).
  auto dual_value = [&]() {
    double total = 0.0;
    for (Index i = 0; i < p; ++i) {
      if (pinned(i)) {  // beta_i = 0 is fixed: its term of the Lagrangian is constant
        total += 0.5 * curvature * beta_target[i] * beta_target[i];
        continue;
      }
      const double b = main_at(i);
      total += 0.5 * curvature * (b - beta_target[i]) * (b - beta_target[i]) + lambda1 * duals.u[i] * b;
    }
    for (Index k = 0; k < m; ++k) {
      const double weight = duals.w_first[k] + duals.w_second[k];
      const double t = pair_at(k);
      total += 0.5 * curvature * (t - theta_target[k]) * (t - theta_target[k]) + lambda1 * weight * t + lambda2 * std::abs(t);
    }
    return total;
  };
  auto primal_value = [&]() {
    return 0.5 * curvature * ((beta - beta_target).squaredNorm() + (theta - theta_target).squaredNorm()) +
           hierarchy_penalty(structure, beta, theta, lambda1, lambda2);
  };
  std::vector<double> block;
  // Warm duals may come from another working set (a pair that left and came back keeps its old
  // weight): project every free block onto its ball first, or q would not be a lower bound.
  for (Index i = 0; i < p; ++i) {
    if (group_fixed[static_cast<std::size_t>(i)]) continue;
    const auto& pairs = structure.pairs_of[static_cast<std::size_t>(i)];
    block.resize(pairs.size() + 1);
    block[0] = pinned(i) ? 0.0 : duals.u[i];
    for (std::size_t a = 0; a < pairs.size(); ++a) {
      const Index k = pairs[a];
      block[a + 1] = structure.first[k] == i ? duals.w_first[k] : duals.w_second[k];
    }
    project_l1_ball(block);
    duals.u[i] = block[0];
    for (std::size_t a = 0; a < pairs.size(); ++a) {
      const Index k = pairs[a];
      (structure.first[k] == i ? duals.w_first[k] : duals.w_second[k]) = block[a + 1];
    }
  }
  for (long long sweep = 0; sweep <= options.max_sweeps; ++sweep) {
    recover();
    result.primal = primal_value();
    result.dual = dual_value();
    result.sweeps = sweep;
    const double gap = result.primal - result.dual;
    // A negative gap beyond rounding means infeasible duals: keep ascending (never accept it).
    if (gap <= options.tolerance * std::max(result.primal, 1e-300) && gap >= -1e-12 * std::max(std::abs(result.primal), 1e-300)) {
      result.converged = true;
      break;
    }
    if (sweep == options.max_sweeps) break;
    // One sweep of projected gradient ascent, block by block (step 1 / L_i, L_i = lambda1 kappa):
    // u_i + beta_i / kappa and w_{i,k} + theta_k / kappa, projected onto the unit l1 ball.
    for (Index i = 0; i < p; ++i) {
      if (group_fixed[static_cast<std::size_t>(i)]) continue;
      const auto& pairs = structure.pairs_of[static_cast<std::size_t>(i)];
      block.resize(pairs.size() + 1);
      block[0] = pinned(i) ? 0.0 : duals.u[i] + main_at(i) / kappa;
      for (std::size_t a = 0; a < pairs.size(); ++a) {
        const Index k = pairs[a];
        const double mine = structure.first[k] == i ? duals.w_first[k] : duals.w_second[k];
        const double t = pair_fixed[static_cast<std::size_t>(k)] ? 0.0 : pair_at(k);
        block[a + 1] = pair_fixed[static_cast<std::size_t>(k)] ? mine : mine + t / kappa;
      }
      project_l1_ball(block);
      duals.u[i] = pinned(i) ? 0.0 : block[0];
      for (std::size_t a = 0; a < pairs.size(); ++a) {
        const Index k = pairs[a];
        (structure.first[k] == i ? duals.w_first[k] : duals.w_second[k]) = block[a + 1];
      }
    }
  }
  return result;
}

}  // namespace sparsepath::plugins
