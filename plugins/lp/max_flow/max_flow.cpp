// An LP-free "LP backend" for covering problems, the third choice of the strong-hierarchy
// optimality check ([lp] type = max_flow). It solves exactly the LPs of the form
//     min sum_e psi_e   s.t.  [pair rows]   sum_{i in e} mu_{i,e} + psi_e = c_e  (c_e >= 0)
//                             [vertex rows] sum_{e ni i} mu_{i,e} + s_i  = a_i  (a_i >= 0)
//     all variables >= 0, every coefficient 1, each mu joining one pair row and one vertex row,
// by a maximum flow (source -> vertex i, capacity a_i -> pair e, unbounded -> sink, capacity
// c_e): the optimum is sum c - max flow. Row duals and reduced costs come from a minimum cut
// (y_e = 1 for pairs on the sink side, z_i = -1 for vertices there), so the certificate checks of
// the LP conformance suite apply. Any other LP is refused with a message (status unsupported).
#include "sparsepath/core/max_flow.hpp"
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <array>
#include <cmath>

namespace sparsepath::plugins {

class MaxFlowBackend final : public LpBackend {
 public:
  explicit MaxFlowBackend(const Params&) {}
  static Schema schema() {
    return Schema("max_flow",
                  "Maximum flow instead of an LP solver, for the covering LPs of the strong-hierarchy "
                  "optimality check (refuses any other LP)");
  }

  Outcome load(const LpModel& model) override {
    loaded_ = false;
    std::string why;
    if (!model.is_valid(&why)) return {Status::invalid_input, why};
    const Index rows = model.constraints.rows(), cols = model.constraints.cols();
    auto refuse = [&](const std::string& what) {
      return Outcome{Status::unsupported,
                     "max_flow solves only covering LPs (min sum psi; pair rows sum mu + psi = c; vertex rows "
                     "sum mu + s = a; every variable >= 0, coefficients 1); " + what + "; use clp or glpk"};
    };
    if (model.maximize) return refuse("this LP maximizes");
    row_kind_.assign(static_cast<std::size_t>(rows), RowKind::unknown);
    for (Index i = 0; i < rows; ++i) {
      if (model.row_lower[i] != model.row_upper[i] || !(model.row_lower[i] >= 0.0)) {
        return refuse("row " + std::to_string(i) + " is not an equality with a right-hand side >= 0");
      }
    }
    // Single-entry columns fix the row kinds: cost 1 -> psi (pair row), cost 0 -> s (vertex row).
    column_row_.assign(static_cast<std::size_t>(cols), {-1, -1});
    for (Index j = 0; j < cols; ++j) {
      if (model.column_lower[j] != 0.0 || model.column_upper[j] != std::numeric_limits<double>::infinity()) {
        return refuse("column " + std::to_string(j) + " is not bounded by [0, infinity)");
      }
      Index count = 0;
      for (SparseMatrix::InnerIterator it(model.constraints, j); it; ++it) {
        if (it.value() != 1.0) return refuse("column " + std::to_string(j) + " has a coefficient other than 1");
        if (count < 2) column_row_[static_cast<std::size_t>(j)][static_cast<std::size_t>(count)] = it.row();
        ++count;
      }
      if (count == 0 || count > 2) return refuse("column " + std::to_string(j) + " has " + std::to_string(count) + " entries");
      const double cost = model.objective[j];
      if (count == 1) {
        if (cost != 0.0 && cost != 1.0) return refuse("column " + std::to_string(j) + " has cost " + format_real(cost));
        const RowKind kind = cost == 1.0 ? RowKind::pair : RowKind::vertex;
        RowKind& current = row_kind_[static_cast<std::size_t>(column_row_[static_cast<std::size_t>(j)][0])];
        if (current != RowKind::unknown) return refuse("a row has more than one psi or s column");
        current = kind;
      } else if (cost != 0.0) {
        return refuse("column " + std::to_string(j) + " joins two rows but costs " + format_real(cost));
      }
    }
    for (Index j = 0; j < cols; ++j) {
      const auto [a, b] = column_row_[static_cast<std::size_t>(j)];
      if (b < 0) continue;
      const RowKind first = row_kind_[static_cast<std::size_t>(a)], second = row_kind_[static_cast<std::size_t>(b)];
      if (!((first == RowKind::pair && second == RowKind::vertex) || (first == RowKind::vertex && second == RowKind::pair))) {
        return refuse("column " + std::to_string(j) + " does not join a pair row to a vertex row");
      }
    }
    for (Index i = 0; i < rows; ++i) {
      if (row_kind_[static_cast<std::size_t>(i)] == RowKind::unknown) {
        return refuse("row " + std::to_string(i) + " has no psi or s column");
      }
    }
    model_ = model;
    loaded_ = true;
    status_ = LpStatus::not_solved;
    return {};
  }

  Outcome solve() override {
    if (!loaded_) return {Status::invalid_input, "max_flow: solve() before a successful load()"};
    const Index rows = model_.constraints.rows(), cols = model_.constraints.cols();
    // Nodes: 0 source, 1 sink, then one per row.
    MaxFlow flow(rows + 2);
    row_edge_.assign(static_cast<std::size_t>(rows), -1);
    column_edge_.assign(static_cast<std::size_t>(cols), -1);
    double demand = 0.0;
    for (Index i = 0; i < rows; ++i) {
      const double rhs = model_.row_lower[i];
      if (row_kind_[static_cast<std::size_t>(i)] == RowKind::vertex) {
        row_edge_[static_cast<std::size_t>(i)] = flow.add_edge(0, 2 + i, rhs);
      } else {
        row_edge_[static_cast<std::size_t>(i)] = flow.add_edge(2 + i, 1, rhs);
        demand += rhs;
      }
    }
    for (Index j = 0; j < cols; ++j) {
      const auto [a, b] = column_row_[static_cast<std::size_t>(j)];
      if (b < 0) continue;
      const Index vertex = row_kind_[static_cast<std::size_t>(a)] == RowKind::vertex ? a : b;
      const Index pair = vertex == a ? b : a;
      column_edge_[static_cast<std::size_t>(j)] = flow.add_edge(2 + vertex, 2 + pair, std::numeric_limits<double>::infinity());
    }
    const double routed = flow.run(0, 1, std::max(demand, 1.0));
    objective_ = std::max(0.0, demand - routed);
    const std::vector<char> source_side = flow.source_side(0);
    x_.setZero(cols);
    y_.setZero(rows);
    for (Index i = 0; i < rows; ++i) {
      if (source_side[static_cast<std::size_t>(2 + i)]) continue;  // sink side of the cut
      y_[i] = row_kind_[static_cast<std::size_t>(i)] == RowKind::pair ? 1.0 : -1.0;
    }
    for (Index j = 0; j < cols; ++j) {
      const auto [a, b] = column_row_[static_cast<std::size_t>(j)];
      if (b >= 0) {
        x_[j] = flow.flow(column_edge_[static_cast<std::size_t>(j)]);
        continue;
      }
      const Index edge = row_edge_[static_cast<std::size_t>(a)];
      const double rhs = model_.row_lower[a];
      x_[j] = std::max(0.0, rhs - flow.flow(edge));  // psi: unmet demand; s: unused budget
    }
    status_ = LpStatus::optimal;  // always feasible (mu = 0, psi = c, s = a) and bounded below by 0
    return {};
  }

  LpStatus status() const override { return status_; }
  long long iterations() const override { return 0; }
  Outcome set_column_bounds(std::span<const Index>, VecIn, VecIn) override {
    return {Status::unsupported, "max_flow: column bounds are fixed at [0, infinity) in covering LPs; use clp or glpk"};
  }
  double objective_value() const override { return objective_; }
  void primal(VecOut x) const override { x = x_; }
  void dual(VecOut y) const override { y = y_; }
  void reduced_costs(VecOut d) const override {
    const Vector product = model_.constraints.transpose() * y_;
    d = model_.objective - product;
  }

 private:
  enum class RowKind { unknown, pair, vertex };
  LpModel model_;
  bool loaded_ = false;
  std::vector<RowKind> row_kind_;
  std::vector<std::array<Index, 2>> column_row_;
  std::vector<Index> row_edge_, column_edge_;
  Vector x_, y_;
  double objective_ = 0.0;
  LpStatus status_ = LpStatus::not_solved;
};

void register_max_flow(Registry& registry) {
  registry.add<LpBackend, MaxFlowBackend>("max_flow", MaxFlowBackend::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-lp-max-flow", sparsepath::plugins::register_max_flow)
