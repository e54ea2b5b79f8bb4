// LP backend on GLPK (primal/dual simplex without presolve, so the basis survives between solves
// and a re-solve after bound changes starts from the previous optimum).
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <glpk.h>

namespace sparsepath::plugins {

namespace {
// GLPK's bound type from a (lower, upper) pair with infinities.
int bound_type(double lower, double upper) {
  const bool has_lower = std::isfinite(lower), has_upper = std::isfinite(upper);
  if (has_lower && has_upper) return lower == upper ? GLP_FX : GLP_DB;
  if (has_lower) return GLP_LO;
  if (has_upper) return GLP_UP;
  return GLP_FR;
}
double finite_or_zero(double bound) { return std::isfinite(bound) ? bound : 0.0; }
}  // namespace

class GlpkBackend final : public LpBackend {
 public:
  explicit GlpkBackend(const Params& params) : max_iterations_(params.integer("max_iterations")) {}
  ~GlpkBackend() override {
    if (problem_ != nullptr) glp_delete_prob(problem_);
  }
  GlpkBackend(const GlpkBackend&) = delete;
  GlpkBackend& operator=(const GlpkBackend&) = delete;
  static Schema schema() {
    return Schema("glpk", "GLPK simplex (no presolve: warm-started after bound changes)")
        .integer("max_iterations", 1000000, "simplex iterations per solve before giving up", at_least(1));
  }

  Outcome load(const LpModel& model) override {
    std::string why;
    if (problem_ != nullptr) glp_delete_prob(problem_);  // a failed load leaves nothing to solve
    problem_ = nullptr;
    status_ = LpStatus::not_solved;
    if (!model.is_valid(&why)) return {Status::invalid_input, why};
    problem_ = glp_create_prob();
    glp_set_obj_dir(problem_, GLP_MIN);  // always minimise: duals in one convention
    sign_ = model.maximize ? -1.0 : 1.0;
    const int rows = static_cast<int>(model.constraints.rows()), cols = static_cast<int>(model.constraints.cols());
    if (rows > 0) glp_add_rows(problem_, rows);
    if (cols > 0) glp_add_cols(problem_, cols);
    for (int i = 0; i < rows; ++i) {
      const double low = model.row_lower[i], high = model.row_upper[i];
      glp_set_row_bnds(problem_, i + 1, bound_type(low, high), finite_or_zero(low), finite_or_zero(high));
    }
    for (int j = 0; j < cols; ++j) {
      const double low = model.column_lower[j], high = model.column_upper[j];
      glp_set_col_bnds(problem_, j + 1, bound_type(low, high), finite_or_zero(low), finite_or_zero(high));
      glp_set_obj_coef(problem_, j + 1, sign_ * model.objective[j]);
    }
    // glp_load_matrix takes 1-based triplets (entry 0 unused).
    std::vector<int> row_index{0}, column_index{0};
    std::vector<double> values{0.0};
    for (int k = 0; k < model.constraints.outerSize(); ++k) {
      for (SparseMatrix::InnerIterator it(model.constraints, k); it; ++it) {
        if (it.value() == 0.0) continue;
        row_index.push_back(static_cast<int>(it.row()) + 1);
        column_index.push_back(static_cast<int>(it.col()) + 1);
        values.push_back(it.value());
      }
    }
    glp_load_matrix(problem_, static_cast<int>(values.size()) - 1, row_index.data(), column_index.data(), values.data());
    status_ = LpStatus::not_solved;
    iterations_ = 0;
    return {};
  }

  Outcome solve() override {
    if (problem_ == nullptr) return {Status::invalid_input, "glpk: solve() before load()"};
    glp_smcp parameters;
    glp_init_smcp(&parameters);
    parameters.msg_lev = GLP_MSG_OFF;
    parameters.meth = GLP_DUALP;  // dual simplex, falling back to the primal
    parameters.presolve = GLP_OFF;
    parameters.it_lim = static_cast<int>(std::min<long long>(max_iterations_, 2147483647));
    const int before = glp_get_it_cnt(problem_);
    const int code = glp_simplex(problem_, &parameters);
    iterations_ = glp_get_it_cnt(problem_) - before;
    if (code == GLP_EBADB || code == GLP_ESING || code == GLP_ECOND) {
      // An unusable starting basis: rebuild a standard one and try once more.
      glp_std_basis(problem_);
      const int again = glp_simplex(problem_, &parameters);
      iterations_ = glp_get_it_cnt(problem_) - before;
      if (again != 0) return fail("the simplex failed twice (GLPK code " + std::to_string(again) + ")");
    } else if (code == GLP_EITLIM) {
      return fail("iteration limit reached");
    } else if (code != 0) {
      return fail("the simplex failed (GLPK code " + std::to_string(code) + ")");
    }
    switch (glp_get_status(problem_)) {
      case GLP_OPT: status_ = LpStatus::optimal; break;
      case GLP_NOFEAS: status_ = LpStatus::infeasible; break;
      case GLP_UNBND: status_ = LpStatus::unbounded; break;
      default:
        // Dual simplex may stop on dual infeasibility without a primal verdict: decide with the
        // primal status.
        if (glp_get_prim_stat(problem_) == GLP_NOFEAS) status_ = LpStatus::infeasible;
        else if (glp_get_dual_stat(problem_) == GLP_NOFEAS) status_ = LpStatus::unbounded;
        else return fail("no verdict (GLPK status " + std::to_string(glp_get_status(problem_)) + ")");
    }
    return {};
  }
  LpStatus status() const override { return status_; }
  long long iterations() const override { return iterations_; }

  Outcome set_column_bounds(std::span<const Index> columns, VecIn lower, VecIn upper) override {
    if (problem_ == nullptr) return {Status::invalid_input, "glpk: set_column_bounds() before load()"};
    const int cols = glp_get_num_cols(problem_);
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const Index j = columns[k];
      const double low = lower[static_cast<Index>(k)], high = upper[static_cast<Index>(k)];
      if (j < 0 || j >= cols || std::isnan(low) || std::isnan(high) || low > high) {
        return {Status::invalid_input, "glpk: column " + std::to_string(j) + " bounds [" + format_real(low) + ", " +
                                           format_real(high) + "] are not an interval of an existing column"};
      }
      glp_set_col_bnds(problem_, static_cast<int>(j) + 1, bound_type(low, high), finite_or_zero(low), finite_or_zero(high));
    }
    status_ = LpStatus::not_solved;
    return {};
  }

  double objective_value() const override { return sign_ * glp_get_obj_val(problem_); }
  void primal(VecOut x) const override {
    for (Index j = 0; j < x.size(); ++j) x[j] = glp_get_col_prim(problem_, static_cast<int>(j) + 1);
  }
  void dual(VecOut y) const override {
    for (Index i = 0; i < y.size(); ++i) y[i] = glp_get_row_dual(problem_, static_cast<int>(i) + 1);
  }
  void reduced_costs(VecOut d) const override {
    for (Index j = 0; j < d.size(); ++j) d[j] = glp_get_col_dual(problem_, static_cast<int>(j) + 1);
  }

 private:
  Outcome fail(const std::string& why) {
    status_ = LpStatus::failed;
    return {Status::numerical_issue, "glpk: " + why};
  }
  long long max_iterations_;
  glp_prob* problem_ = nullptr;
  double sign_ = 1.0;
  LpStatus status_ = LpStatus::not_solved;
  long long iterations_ = 0;
};

void register_glpk(Registry& registry) { registry.add<LpBackend, GlpkBackend>("glpk", GlpkBackend::schema()); }

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-lp-glpk", sparsepath::plugins::register_glpk)
