#include "sparsepath/core/interfaces.hpp"
#include "sparsepath/core/schema.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sparsepath {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::not_converged: return "not_converged";
    case Status::numerical_issue: return "numerical_issue";
    case Status::invalid_input: return "invalid_input";
    case Status::unsupported: return "unsupported";
    case Status::interrupted: return "interrupted";
  }
  return "unknown";
}

std::string_view to_string(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::design: return "design";
    case ComponentKind::loss: return "loss";
    case ComponentKind::penalty: return "penalty";
    case ComponentKind::screening: return "screening";
    case ComponentKind::optimizer: return "optimizer";
    case ComponentKind::lp_backend: return "lp";
    case ComponentKind::writer: return "writer";
  }
  return "unknown";
}

std::optional<ComponentKind> parse_component_kind(std::string_view text) {
  for (ComponentKind kind : {ComponentKind::design, ComponentKind::loss, ComponentKind::penalty,
                             ComponentKind::screening, ComponentKind::optimizer,
                             ComponentKind::lp_backend, ComponentKind::writer}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

std::string describe(Capability set) {
  static const std::pair<Capability, const char*> names[] = {
      {Capability::prox_1d, "prox_1d"},
      {Capability::block_prox, "block_prox"},
      {Capability::dual_point, "dual_point"},
      {Capability::zero_subdifferential, "zero_subdifferential"},
      {Capability::lipschitz_gradient, "lipschitz_gradient"},
      {Capability::hessian_diag, "hessian_diag"},
      {Capability::conjugate, "conjugate"},
      {Capability::dense_columns, "dense_columns"},
      {Capability::sparse_columns, "sparse_columns"},
      {Capability::smooth_on_support, "smooth_on_support"},
      {Capability::own_kkt_check, "own_kkt_check"},
      {Capability::quiet_intervals, "quiet_intervals"},
  };
  std::string out;
  for (const auto& [flag, name] : names) {
    if (has_all(set, flag)) {
      if (!out.empty()) out += ", ";
      out += name;
    }
  }
  return out.empty() ? "none" : out;
}

Error::~Error() = default;
Component::~Component() = default;
Design::~Design() = default;
Loss::~Loss() = default;
Penalty::~Penalty() = default;
Optimizer::~Optimizer() = default;
ScreeningRule::~ScreeningRule() = default;
LpBackend::~LpBackend() = default;
Writer::~Writer() = default;

void Design::gemv_t(VecIn v, VecOut out) const {
  for (Index j = 0; j < cols(); ++j) out[j] = col_dot(j, v);
}

void Design::gemv(VecIn w, VecOut out) const {
  out.setZero();
  for (Index j = 0; j < cols(); ++j) {
    if (w[j] != 0.0) col_axpy(j, w[j], out);
  }
}

double Penalty::prox_1d(Index, double, double) const {
  throw Error("this penalty has no scalar prox (capability prox_1d)");
}
Interval Penalty::zero_subdifferential(Index) const {
  throw Error("this penalty does not expose its subdifferential at zero");
}
void Penalty::zero_subdifferentials(std::span<Interval> out) const {
  for (std::size_t j = 0; j < out.size(); ++j) out[j] = zero_subdifferential(static_cast<Index>(j));
}
double Penalty::dual_scaling(VecIn) const {
  throw Error("this penalty has no dual point (capability dual_point)");
}
double Penalty::conjugate(VecIn) const {
  throw Error("this penalty has no conjugate (capability dual_point)");
}
bool LpModel::is_valid(std::string* why) const {
  auto fail = [&](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  const Index rows = constraints.rows(), cols = constraints.cols();
  if (objective.size() != cols || column_lower.size() != cols || column_upper.size() != cols) {
    return fail("LP: objective and column bounds need " + std::to_string(cols) + " entries (one per column)");
  }
  if (row_lower.size() != rows || row_upper.size() != rows) {
    return fail("LP: row bounds need " + std::to_string(rows) + " entries (one per row)");
  }
  for (Index j = 0; j < cols; ++j) {
    if (!std::isfinite(objective[j])) return fail("LP: objective of column " + std::to_string(j) + " is not finite");
    if (std::isnan(column_lower[j]) || std::isnan(column_upper[j]) || column_lower[j] > column_upper[j]) {
      return fail("LP: column " + std::to_string(j) + " bounds [" + format_real(column_lower[j]) + ", " +
                  format_real(column_upper[j]) + "] are not an interval");
    }
  }
  for (Index i = 0; i < rows; ++i) {
    if (std::isnan(row_lower[i]) || std::isnan(row_upper[i]) || row_lower[i] > row_upper[i]) {
      return fail("LP: row " + std::to_string(i) + " bounds [" + format_real(row_lower[i]) + ", " +
                  format_real(row_upper[i]) + "] are not an interval");
    }
  }
  for (Index k = 0; k < constraints.outerSize(); ++k) {
    for (SparseMatrix::InnerIterator it(constraints, k); it; ++it) {
      if (!std::isfinite(it.value())) return fail("LP: a constraint coefficient is not finite");
    }
  }
  return true;
}

std::string_view to_string(LpStatus status) {
  switch (status) {
    case LpStatus::not_solved: return "not_solved";
    case LpStatus::optimal: return "optimal";
    case LpStatus::infeasible: return "infeasible";
    case LpStatus::unbounded: return "unbounded";
    case LpStatus::failed: return "failed";
  }
  return "unknown";
}

double steady_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

bool SolveControl::stop_requested() const {
  return (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) || steady_seconds() > deadline_seconds;
}

void Penalty::prox_block(Index, std::span<const Index> members, VecIn v, double step, VecOut out) const {
  for (std::size_t k = 0; k < members.size(); ++k) {
    const Index at = static_cast<Index>(k);
    out[at] = prox_1d(members[k], v[at], 1.0 / step);
  }
}
double Penalty::block_dual_norm(Index, std::span<const Index> members, VecIn c) const {
  // d h_j(0) = lambda [low_j, high_j] / lambda: c_j lies in lambda' dOmega_j(0) from
  // lambda' = lambda c_j / high_j (c_j > 0) or lambda c_j / low_j (c_j < 0) on.
  double largest = 0.0;
  for (std::size_t k = 0; k < members.size(); ++k) {
    const double value = c[static_cast<Index>(k)];
    if (value == 0.0) continue;
    const Interval allowed = zero_subdifferential(members[k]);
    const double edge = value > 0.0 ? allowed.high : allowed.low;
    if (!std::isfinite(edge)) continue;
    if (edge == 0.0) return std::numeric_limits<double>::infinity();
    largest = std::max(largest, lambda() * value / edge);
  }
  return largest;
}

}  // namespace sparsepath
