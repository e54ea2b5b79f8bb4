// The optimality check of the strong-hierarchy relaxation outside the active set (MATH.md 5.5,
// condition K3): every candidate pair e with a zero endpoint carries a demand c_e > 0 that the l1
// budgets a_i >= 0 of its zero endpoints must cover,
//     exists mu_{i,e} >= 0:  sum_{i in Z(e)} mu_{i,e} >= c_e (every e),  sum_{e ni i} mu_{i,e} <= a_i.
// The unmet demand min sum_e psi_e (psi_e the part of c_e left uncovered) is zero exactly when the
// condition holds. It is computed three ways that must agree: as a linear program on any LpBackend
// (Clp, GLPK), and as sum_e c_e minus a maximum flow (source -> vertex i with capacity a_i ->
// pair e -> sink with capacity c_e), which needs no LP solver. The problem splits over the
// connected components of the graph (vertices: zero groups; edges: candidate pairs); each
// component gets its own verdict, which the augmentation rules use.
#pragma once

#include "sparsepath/core/interfaces.hpp"

#include <vector>

namespace sparsepath::plugins {

struct DemandGraph {
  std::vector<double> budget;  // a_i >= 0 per vertex (zero group)
  struct Pair {
    Index first = -1, second = -1;  // zero endpoints (vertex numbers); -1 when that endpoint is not zero
    double demand = 0.0;            // c_e > 0
  };
  std::vector<Pair> pairs;
  bool is_valid(std::string* why) const;
};

struct ComponentVerdict {
  std::vector<Index> pairs;  // the component's pairs (indices into DemandGraph::pairs)
  double demand = 0.0;       // sum of their demands
  double unmet = 0.0;        // min sum psi_e over the component
};

struct DemandVerdict {
  std::vector<ComponentVerdict> components;
  double demand = 0.0;
  double unmet = 0.0;  // total
};

// Components of the graph; pairs with no zero endpoint form a component of their own each.
std::vector<std::vector<Index>> demand_components(const DemandGraph& graph);

// Maximum-flow answer (Dinic's algorithm on each component). With `short_side`, it also marks
// the pairs on the sink side of a minimum cut (short_side[e] = 1): the set S maximising
// sum_{e in S} c_e - sum_{i in N(S)} a_i, whose value is the unmet demand (Hall's condition).
DemandVerdict check_by_flow(const DemandGraph& graph, std::vector<char>* short_side = nullptr);

// The same by linear programming: min sum psi_e on each component, standard form with every
// variable >= 0:  [pair rows] sum mu_{i,e} + psi_e = c_e;  [vertex rows] sum mu_{i,e} + s_i = a_i.
// Throws Error when the backend fails or reports a verdict other than optimal (the LP is always
// feasible, mu = 0 and psi = c, and bounded below by 0).
DemandVerdict check_by_lp(const DemandGraph& graph, LpBackend& backend);

// The LP of one component (exposed for tests): variables mu (one per zero endpoint of each pair,
// pair by pair), then psi (one per pair), then s (one per vertex).
LpModel demand_lp(const DemandGraph& graph, const std::vector<Index>& pairs);

}  // namespace sparsepath::plugins
