// LP backend on COIN-OR Clp (dual simplex; the basis is kept between solves, so a re-solve after
// bound changes starts from the previous optimum).
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <ClpSimplex.hpp>
#include <CoinFinite.hpp>

#include <memory>

namespace sparsepath::plugins {

namespace {
// Clp marks an infinite bound with COIN_DBL_MAX.
double to_clp(double bound) {
  if (bound == std::numeric_limits<double>::infinity()) return COIN_DBL_MAX;
  if (bound == -std::numeric_limits<double>::infinity()) return -COIN_DBL_MAX;
  return bound;
}
}  // namespace

class ClpBackend final : public LpBackend {
 public:
  explicit ClpBackend(const Params& params) : max_iterations_(params.integer("max_iterations")) {}
  static Schema schema() {
    return Schema("clp", "COIN-OR Clp (dual simplex, warm-started after bound changes)")
        .integer("max_iterations", 1000000, "simplex iterations per solve before giving up", at_least(1));
  }

  Outcome load(const LpModel& model) override {
    std::string why;
    simplex_.reset();  // a failed load leaves nothing to solve
    status_ = LpStatus::not_solved;
    if (!model.is_valid(&why)) return {Status::invalid_input, why};
    simplex_ = std::make_unique<ClpSimplex>();
    simplex_->setLogLevel(0);
    simplex_->setMaximumIterations(static_cast<int>(std::min<long long>(max_iterations_, 2147483647)));
    const Index rows = model.constraints.rows(), cols = model.constraints.cols();
    SparseMatrix matrix = model.constraints;
    matrix.makeCompressed();
    std::vector<double> column_lower(static_cast<std::size_t>(cols)), column_upper(static_cast<std::size_t>(cols));
    std::vector<double> row_lower(static_cast<std::size_t>(rows)), row_upper(static_cast<std::size_t>(rows));
    std::vector<double> objective(static_cast<std::size_t>(cols));
    const double sign = model.maximize ? -1.0 : 1.0;  // always minimise: duals in one convention
    for (Index j = 0; j < cols; ++j) {
      column_lower[static_cast<std::size_t>(j)] = to_clp(model.column_lower[j]);
      column_upper[static_cast<std::size_t>(j)] = to_clp(model.column_upper[j]);
      objective[static_cast<std::size_t>(j)] = sign * model.objective[j];
    }
    for (Index i = 0; i < rows; ++i) {
      row_lower[static_cast<std::size_t>(i)] = to_clp(model.row_lower[i]);
      row_upper[static_cast<std::size_t>(i)] = to_clp(model.row_upper[i]);
    }
    std::vector<CoinBigIndex> starts(matrix.outerIndexPtr(), matrix.outerIndexPtr() + cols + 1);
    simplex_->loadProblem(static_cast<int>(cols), static_cast<int>(rows), starts.data(), matrix.innerIndexPtr(),
                          matrix.valuePtr(), column_lower.data(), column_upper.data(), objective.data(),
                          row_lower.data(), row_upper.data());
    sign_ = sign;
    status_ = LpStatus::not_solved;
    iterations_ = 0;
    return {};
  }

  Outcome solve() override {
    if (!simplex_) return {Status::invalid_input, "clp: solve() before load()"};
    simplex_->dual();
    iterations_ = simplex_->numberIterations();
    switch (simplex_->status()) {
      case 0: status_ = LpStatus::optimal; break;
      case 1: status_ = LpStatus::infeasible; break;
      case 2: status_ = LpStatus::unbounded; break;
      default: status_ = LpStatus::failed; break;
    }
    if (status_ == LpStatus::failed) {
      return {Status::numerical_issue, "clp: the simplex stopped with status " + std::to_string(simplex_->status()) +
                                           " (3: iteration limit, 4: numerical difficulties)"};
    }
    return {};
  }
  LpStatus status() const override { return status_; }
  long long iterations() const override { return iterations_; }

  Outcome set_column_bounds(std::span<const Index> columns, VecIn lower, VecIn upper) override {
    if (!simplex_) return {Status::invalid_input, "clp: set_column_bounds() before load()"};
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const Index j = columns[k];
      const double low = lower[static_cast<Index>(k)], high = upper[static_cast<Index>(k)];
      if (j < 0 || j >= simplex_->numberColumns() || std::isnan(low) || std::isnan(high) || low > high) {
        return {Status::invalid_input, "clp: column " + std::to_string(j) + " bounds [" + format_real(low) + ", " +
                                           format_real(high) + "] are not an interval of an existing column"};
      }
      simplex_->setColumnBounds(static_cast<int>(j), to_clp(low), to_clp(high));
    }
    status_ = LpStatus::not_solved;
    return {};
  }

  double objective_value() const override { return sign_ * simplex_->objectiveValue(); }
  void primal(VecOut x) const override {
    const double* values = simplex_->primalColumnSolution();
    for (Index j = 0; j < x.size(); ++j) x[j] = values[j];
  }
  void dual(VecOut y) const override {
    const double* values = simplex_->dualRowSolution();
    for (Index i = 0; i < y.size(); ++i) y[i] = values[i];
  }
  void reduced_costs(VecOut d) const override {
    const double* values = simplex_->dualColumnSolution();
    for (Index j = 0; j < d.size(); ++j) d[j] = values[j];
  }

 private:
  long long max_iterations_;
  std::unique_ptr<ClpSimplex> simplex_;
  double sign_ = 1.0;
  LpStatus status_ = LpStatus::not_solved;
  long long iterations_ = 0;
};

void register_clp(Registry& registry) { registry.add<LpBackend, ClpBackend>("clp", ClpBackend::schema()); }

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-lp-clp", sparsepath::plugins::register_clp)
