#include "sparsepath/core/max_flow.hpp"

#include <algorithm>
#include <limits>

namespace sparsepath {

MaxFlow::MaxFlow(Index nodes) : adjacency_(static_cast<std::size_t>(nodes)) {}

Index MaxFlow::add_edge(Index from, Index to, double capacity) {
  const Index id = static_cast<Index>(edges_.size());
  adjacency_[static_cast<std::size_t>(from)].push_back(id);
  edges_.push_back({to, capacity, capacity});
  adjacency_[static_cast<std::size_t>(to)].push_back(id + 1);
  edges_.push_back({from, 0.0, 0.0});
  return id;
}

double MaxFlow::run(Index source, Index sink, double scale) {
  epsilon_ = 1e-14 * std::max(scale, 1e-300);
  double total = 0.0;
  while (levels(source, sink)) {
    next_.assign(adjacency_.size(), 0);
    while (true) {
      const double pushed = push(source, sink, std::numeric_limits<double>::infinity());
      if (!(pushed > epsilon_)) break;
      total += pushed;
    }
  }
  return total;
}

double MaxFlow::flow(Index edge) const {
  // What the reverse arc gained (the forward arc's capacity may be infinite).
  const Edge& reverse = edges_[static_cast<std::size_t>(edge ^ 1)];
  return reverse.capacity - reverse.original;
}

std::vector<char> MaxFlow::source_side(Index source) const {
  std::vector<char> seen(adjacency_.size(), 0);
  std::vector<Index> stack{source};
  seen[static_cast<std::size_t>(source)] = 1;
  while (!stack.empty()) {
    const Index node = stack.back();
    stack.pop_back();
    for (Index e : adjacency_[static_cast<std::size_t>(node)]) {
      const Edge& edge = edges_[static_cast<std::size_t>(e)];
      if (edge.capacity > epsilon_ && !seen[static_cast<std::size_t>(edge.to)]) {
        seen[static_cast<std::size_t>(edge.to)] = 1;
        stack.push_back(edge.to);
      }
    }
  }
  return seen;
}

bool MaxFlow::levels(Index source, Index sink) {
  level_.assign(adjacency_.size(), -1);
  std::vector<Index> queue{source};
  level_[static_cast<std::size_t>(source)] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const Index node = queue[head];
    for (Index e : adjacency_[static_cast<std::size_t>(node)]) {
      const Edge& edge = edges_[static_cast<std::size_t>(e)];
      if (edge.capacity > epsilon_ && level_[static_cast<std::size_t>(edge.to)] < 0) {
        level_[static_cast<std::size_t>(edge.to)] = level_[static_cast<std::size_t>(node)] + 1;
        queue.push_back(edge.to);
      }
    }
  }
  return level_[static_cast<std::size_t>(sink)] >= 0;
}

double MaxFlow::push(Index node, Index sink, double limit) {
  if (node == sink) return limit;
  auto& list = adjacency_[static_cast<std::size_t>(node)];
  for (Index& k = next_[static_cast<std::size_t>(node)]; k < static_cast<Index>(list.size()); ++k) {
    const Index e = list[static_cast<std::size_t>(k)];
    Edge& edge = edges_[static_cast<std::size_t>(e)];
    if (!(edge.capacity > epsilon_) ||
        level_[static_cast<std::size_t>(edge.to)] != level_[static_cast<std::size_t>(node)] + 1) {
      continue;
    }
    const double pushed = push(edge.to, sink, std::min(limit, edge.capacity));
    if (pushed > epsilon_) {
      edge.capacity -= pushed;
      edges_[static_cast<std::size_t>(e ^ 1)].capacity += pushed;
      return pushed;
    }
  }
  return 0.0;
}

}  // namespace sparsepath
