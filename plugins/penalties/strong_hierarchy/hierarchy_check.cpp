#include "hierarchy_check.hpp"

#include "sparsepath/core/max_flow.hpp"
#include "sparsepath/core/schema.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace sparsepath::plugins {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

Index find(std::vector<Index>& parent, Index x) {
  while (parent[static_cast<std::size_t>(x)] != x) {
    parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    x = parent[static_cast<std::size_t>(x)];
  }
  return x;
}

DemandVerdict assemble(const DemandGraph& graph, const std::vector<std::vector<Index>>& components,
                       const std::vector<double>& unmet) {
  DemandVerdict verdict;
  for (std::size_t c = 0; c < components.size(); ++c) {
    ComponentVerdict component;
    component.pairs = components[c];
    for (Index e : component.pairs) component.demand += graph.pairs[static_cast<std::size_t>(e)].demand;
    component.unmet = std::max(0.0, unmet[c]);
    verdict.demand += component.demand;
    verdict.unmet += component.unmet;
    verdict.components.push_back(std::move(component));
  }
  return verdict;
}

}  // namespace

bool DemandGraph::is_valid(std::string* why) const {
  auto fail = [&](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  for (std::size_t i = 0; i < budget.size(); ++i) {
    if (!(budget[i] >= 0.0) || !std::isfinite(budget[i])) {
      return fail("hierarchy check: budget of vertex " + std::to_string(i) + " is " + format_real(budget[i]) +
                  "; expected a finite value >= 0");
    }
  }
  const Index vertices = static_cast<Index>(budget.size());
  for (std::size_t e = 0; e < pairs.size(); ++e) {
    const Pair& pair = pairs[e];
    if (!(pair.demand > 0.0) || !std::isfinite(pair.demand)) {
      return fail("hierarchy check: demand of pair " + std::to_string(e) + " is " + format_real(pair.demand) +
                  "; expected a finite value > 0");
    }
    for (Index endpoint : {pair.first, pair.second}) {
      if (endpoint < -1 || endpoint >= vertices) {
        return fail("hierarchy check: pair " + std::to_string(e) + " has endpoint " + std::to_string(endpoint) +
                    "; expected -1 or a vertex below " + std::to_string(vertices));
      }
    }
    if (pair.first >= 0 && pair.first == pair.second) {
      return fail("hierarchy check: pair " + std::to_string(e) + " joins vertex " + std::to_string(pair.first) +
                  " to itself");
    }
  }
  return true;
}

std::vector<std::vector<Index>> demand_components(const DemandGraph& graph) {
  const Index vertices = static_cast<Index>(graph.budget.size());
  std::vector<Index> parent(static_cast<std::size_t>(vertices));
  std::iota(parent.begin(), parent.end(), Index{0});
  for (const auto& pair : graph.pairs) {
    if (pair.first >= 0 && pair.second >= 0) parent[static_cast<std::size_t>(find(parent, pair.first))] = find(parent, pair.second);
  }
  std::map<Index, std::size_t> slot;  // component root -> position
  std::vector<std::vector<Index>> components;
  for (std::size_t e = 0; e < graph.pairs.size(); ++e) {
    const auto& pair = graph.pairs[e];
    const Index anchor = pair.first >= 0 ? pair.first : pair.second;
    if (anchor < 0) {  // no zero endpoint: nothing can cover it
      components.push_back({static_cast<Index>(e)});
      continue;
    }
    const Index root = find(parent, anchor);
    auto [at, inserted] = slot.emplace(root, components.size());
    if (inserted) components.emplace_back();
    components[at->second].push_back(static_cast<Index>(e));
  }
  return components;
}

DemandVerdict check_by_flow(const DemandGraph& graph, std::vector<char>* short_side) {
  std::string why;
  if (!graph.is_valid(&why)) throw Error(why);
  const auto components = demand_components(graph);
  std::vector<double> unmet;
  if (short_side) short_side->assign(graph.pairs.size(), 0);
  std::vector<Index> node_of(graph.budget.size(), -1), vertices;
  for (const auto& component : components) {
    // Nodes: 0 source, 1 sink, then the component's vertices, then its pairs.
    double demand = 0.0;
    Index next = 2;
    vertices.clear();
    for (Index e : component) {
      const auto& pair = graph.pairs[static_cast<std::size_t>(e)];
      demand += pair.demand;
      for (Index endpoint : {pair.first, pair.second}) {
        if (endpoint >= 0 && node_of[static_cast<std::size_t>(endpoint)] < 0) {
          node_of[static_cast<std::size_t>(endpoint)] = next++;
          vertices.push_back(endpoint);
        }
      }
    }
    MaxFlow flow(next + static_cast<Index>(component.size()));
    for (Index vertex : vertices) {
      const double budget = graph.budget[static_cast<std::size_t>(vertex)];
      if (budget > 0.0) flow.add_edge(0, node_of[static_cast<std::size_t>(vertex)], budget);
    }
    for (std::size_t k = 0; k < component.size(); ++k) {
      const auto& pair = graph.pairs[static_cast<std::size_t>(component[k])];
      const Index pair_node = next + static_cast<Index>(k);
      for (Index endpoint : {pair.first, pair.second}) {
        if (endpoint >= 0) flow.add_edge(node_of[static_cast<std::size_t>(endpoint)], pair_node, infinity);
      }
      flow.add_edge(pair_node, 1, pair.demand);
    }
    unmet.push_back(demand - flow.run(0, 1, demand));
    if (short_side && unmet.back() > 0.0) {
      const std::vector<char> source_side = flow.source_side(0);
      for (std::size_t k = 0; k < component.size(); ++k) {
        if (!source_side[static_cast<std::size_t>(next) + k]) (*short_side)[static_cast<std::size_t>(component[k])] = 1;
      }
    }
    for (Index vertex : vertices) node_of[static_cast<std::size_t>(vertex)] = -1;
  }
  return assemble(graph, components, unmet);
}

LpModel demand_lp(const DemandGraph& graph, const std::vector<Index>& pairs) {
  std::map<Index, Index> row_of_vertex;
  for (Index e : pairs) {
    const auto& pair = graph.pairs[static_cast<std::size_t>(e)];
    for (Index endpoint : {pair.first, pair.second}) {
      if (endpoint >= 0) row_of_vertex.emplace(endpoint, 0);
    }
  }
  const Index pair_rows = static_cast<Index>(pairs.size());
  Index row = pair_rows;
  for (auto& [vertex, r] : row_of_vertex) r = row++;
  const Index rows = row;
  std::vector<Eigen::Triplet<double, int>> entries;
  Index column = 0;
  for (Index k = 0; k < pair_rows; ++k) {  // mu
    const auto& pair = graph.pairs[static_cast<std::size_t>(pairs[static_cast<std::size_t>(k)])];
    for (Index endpoint : {pair.first, pair.second}) {
      if (endpoint < 0) continue;
      entries.emplace_back(static_cast<int>(k), static_cast<int>(column), 1.0);
      entries.emplace_back(static_cast<int>(row_of_vertex[endpoint]), static_cast<int>(column), 1.0);
      ++column;
    }
  }
  const Index mu_columns = column;
  for (Index k = 0; k < pair_rows; ++k) entries.emplace_back(static_cast<int>(k), static_cast<int>(column++), 1.0);  // psi
  for (const auto& [vertex, r] : row_of_vertex) entries.emplace_back(static_cast<int>(r), static_cast<int>(column++), 1.0);  // s
  LpModel model;
  model.constraints.resize(rows, column);
  model.constraints.setFromTriplets(entries.begin(), entries.end());
  model.objective = Vector::Zero(column);
  model.objective.segment(mu_columns, pair_rows).setOnes();
  model.column_lower = Vector::Zero(column);
  model.column_upper = Vector::Constant(column, infinity);
  model.row_lower.resize(rows);
  for (Index k = 0; k < pair_rows; ++k) {
    model.row_lower[k] = graph.pairs[static_cast<std::size_t>(pairs[static_cast<std::size_t>(k)])].demand;
  }
  for (const auto& [vertex, r] : row_of_vertex) model.row_lower[r] = graph.budget[static_cast<std::size_t>(vertex)];
  model.row_upper = model.row_lower;  // equality rows
  return model;
}

DemandVerdict check_by_lp(const DemandGraph& graph, LpBackend& backend) {
  std::string why;
  if (!graph.is_valid(&why)) throw Error(why);
  const auto components = demand_components(graph);
  std::vector<double> unmet;
  for (const auto& component : components) {
    const LpModel model = demand_lp(graph, component);
    Outcome outcome = backend.load(model);
    if (outcome.ok()) outcome = backend.solve();
    if (!outcome.ok()) throw Error("hierarchy check: the LP backend failed: " + outcome.message);
    if (backend.status() != LpStatus::optimal) {
      throw Error("hierarchy check: the LP backend says '" + std::string(to_string(backend.status())) +
                  "' for an LP that is feasible and bounded");
    }
    unmet.push_back(backend.objective_value());
  }
  return assemble(graph, components, unmet);
}

}  // namespace sparsepath::plugins
