// Maximum flow by Dinic's algorithm with double capacities, for checks that reduce to flows (the
// strong-hierarchy optimality check and its LP-free backend).
#pragma once

#include "sparsepath/core/types.hpp"

#include <vector>

namespace sparsepath {

class SPARSEPATH_INTERFACE MaxFlow {
 public:
  explicit MaxFlow(Index nodes);
  // Adds an arc and returns its number (for flow()).
  Index add_edge(Index from, Index to, double capacity);
  // The maximum flow from source to sink. Residual capacities below 1e-14 * scale count as zero.
  double run(Index source, Index sink, double scale);
  double flow(Index edge) const;                // flow on an arc after run()
  std::vector<char> source_side(Index source) const;  // reachable in the residual graph (min cut)

 private:
  struct Edge {
    Index to;
    double capacity;
    double original;
  };
  bool levels(Index source, Index sink);
  double push(Index node, Index sink, double limit);
  std::vector<std::vector<Index>> adjacency_;
  std::vector<Edge> edges_;
  std::vector<Index> level_, next_;
  double epsilon_ = 0.0;
};

}  // namespace sparsepath
