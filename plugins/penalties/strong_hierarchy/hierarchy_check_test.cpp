// The K3 demand check three ways: maximum flow, and the LP on every registered LP backend (Clp,
// GLPK). On random graphs (with vertices of zero budget, pairs with one zero endpoint, several
// components, feasible and infeasible cases) the unmet demands agree, per component and in
// total; small cases are also checked against a hand count.
#define BOOST_TEST_MODULE hierarchy_check
#include <boost/test/unit_test.hpp>

#include "hierarchy_check.hpp"
#include "test_support.hpp"

#include <random>

using namespace sparsepath;
using sparsepath::plugins::check_by_flow;
using sparsepath::plugins::check_by_lp;
using sparsepath::plugins::DemandGraph;
using sparsepath::plugins::DemandVerdict;
using sparsepath::testing::make_component;


namespace {

DemandGraph random_graph(std::mt19937& generator, Index vertices, Index pairs, double budget_scale) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<Index> pick(-1, vertices - 1);
  DemandGraph graph;
  for (Index i = 0; i < vertices; ++i) graph.budget.push_back(unit(generator) < 0.2 ? 0.0 : budget_scale * unit(generator));
  while (static_cast<Index>(graph.pairs.size()) < pairs) {
    DemandGraph::Pair pair;
    pair.first = pick(generator);
    pair.second = pick(generator);
    if (pair.first == pair.second) continue;
    pair.demand = 0.05 + unit(generator);
    graph.pairs.push_back(pair);
  }
  return graph;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hand_counted_cases) {
  // Vertex 0 (budget 1) shares pairs a (demand 0.7) and b (0.6) with vertex 1 (budget 0.2):
  // 1.2 of budget for 1.3 of demand, 0.1 unmet. Pair c has no zero endpoint: all 0.4 unmet.
  DemandGraph graph;
  graph.budget = {1.0, 0.2};
  graph.pairs = {{0, 1, 0.7}, {1, 0, 0.6}, {-1, -1, 0.4}};
  const DemandVerdict flow = check_by_flow(graph);
  BOOST_TEST(flow.components.size() == 2u);
  BOOST_TEST(std::abs(flow.unmet - 0.5) <= 1e-14);
  for (const std::string& name : sparsepath::testing::plugins().registry().names(ComponentKind::lp_backend)) {
    auto backend = make_component<LpBackend>(name);
    BOOST_TEST(std::abs(check_by_lp(graph, *backend).unmet - 0.5) <= 1e-12, name);
  }
  graph.budget = {2.0, 0.2};  // now covered, except pair c
  BOOST_TEST(std::abs(check_by_flow(graph).unmet - 0.4) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(flow_and_every_lp_backend_agree) {
  std::mt19937 generator(3);
  const auto names = sparsepath::testing::plugins().registry().names(ComponentKind::lp_backend);
  BOOST_REQUIRE(names.size() >= 2u);
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const DemandGraph graph = random_graph(generator, 4 + trial % 12, 3 + trial % 25, trial % 3 == 0 ? 3.0 : 1.0);
    const DemandVerdict flow = check_by_flow(graph);
    (flow.unmet <= 1e-9 ? feasible : infeasible) += 1;
    for (const std::string& name : names) {
      BOOST_TEST_CONTEXT(name << ", trial " << trial) {
        auto backend = make_component<LpBackend>(name);
        const DemandVerdict lp = check_by_lp(graph, *backend);
        BOOST_REQUIRE(lp.components.size() == flow.components.size());
        BOOST_TEST(std::abs(lp.unmet - flow.unmet) <= 1e-9 * (1.0 + flow.demand));
        for (std::size_t c = 0; c < lp.components.size(); ++c) {
          BOOST_TEST(std::abs(lp.components[c].unmet - flow.components[c].unmet) <= 1e-9 * (1.0 + flow.demand));
        }
      }
    }
  }
  BOOST_TEST(feasible > 0);
  BOOST_TEST(infeasible > 0);
}

BOOST_AUTO_TEST_CASE(invalid_graphs_are_refused) {
  DemandGraph graph;
  graph.budget = {1.0, -0.5};
  graph.pairs = {{0, 1, 0.3}};
  BOOST_CHECK_THROW(check_by_flow(graph), Error);
  graph.budget = {1.0, 0.5};
  graph.pairs = {{0, 2, 0.3}};
  try {
    check_by_flow(graph);
    BOOST_TEST(false, "an endpoint outside the graph was accepted");
  } catch (const Error& error) {
    BOOST_TEST(std::string(error.what()).find("endpoint 2") != std::string::npos, error.what());
  }
}
