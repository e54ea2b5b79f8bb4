#include "coordinate_descent.hpp"

#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/memory.hpp"

#include "sparsepath/plugin/abi.hpp"

#include <type_traits>

#include <cmath>

namespace sparsepath::plugins {

namespace {

// Column access specialised on storage; all three expose the same small interface.
struct DenseColumns {
  const Matrix& x;
  // Optional: h o x_j formed beforehand (column slot[j]) for the weights h the kernel runs with.
  const Matrix* weighted = nullptr;
  const Index* slot = nullptr;
  double cost() const { return 2.0 * static_cast<double>(x.rows()); }  // flops of one dot
  double dot(Index j, const Vector& v) const { return blas::dot(x.rows(), x.col(j).data(), v.data()); }
  void axpy(Index j, double a, Vector& out) const { blas::axpy(x.rows(), a, x.col(j).data(), out.data()); }
  void weighted_axpy(Index j, double a, const Vector& h, Vector& out) const {
    if (weighted != nullptr) {
      blas::axpy(x.rows(), a, weighted->col(slot[j]).data(), out.data());
      return;
    }
    out.array() += a * h.array() * x.col(j).array();
  }
};

struct SparseColumns {
  const SparseMatrix& x;
  double cost() const { return 2.0 * static_cast<double>(x.nonZeros()) / static_cast<double>(std::max<Index>(1, x.cols())); }
  double dot(Index j, const Vector& v) const { return blas::sparse_column_dot(x, j, v.data()); }
  void axpy(Index j, double a, Vector& out) const {
    for (SparseMatrix::InnerIterator it(x, j); it; ++it) out[it.index()] += a * it.value();
  }
  void weighted_axpy(Index j, double a, const Vector& h, Vector& out) const {
    for (SparseMatrix::InnerIterator it(x, j); it; ++it) {
      out[it.index()] += a * h[it.index()] * it.value();
    }
  }
};

struct GenericColumns {
  const Design& x;
  mutable Vector scratch;
  double cost() const { return 2.0 * static_cast<double>(x.rows()); }
  double dot(Index j, const Vector& v) const { return x.col_dot(j, v); }
  void axpy(Index j, double a, Vector& out) const { x.col_axpy(j, a, out); }
  void weighted_axpy(Index j, double a, const Vector& h, Vector& out) const {
    scratch.setZero(x.rows());
    x.col_axpy(j, a, scratch);
    out.array() += h.array() * scratch.array();
  }
};

// Anderson acceleration of fixed-point iterations (Walker & Ni 2011), applied to coordinate
// descent passes as proposed by Bertrand & Massias (2021): from the last depth + 1 iterates,
// the affine combination whose successive differences have the smallest norm.
class AndersonExtrapolation {
 public:
  explicit AndersonExtrapolation(int depth) : depth_(depth) {}
  void reset() { count_ = 0; }
  // Records an iterate; returns true (and the extrapolated point) every depth + 1 iterates.
  bool push(const Vector& iterate, Vector& out) {
    if (depth_ <= 0) return false;
    if (count_ == 0 || history_.cols() != depth_ + 1 || history_.rows() != iterate.size()) {
      history_.resize(iterate.size(), depth_ + 1);
      count_ = 0;
    }
    history_.col(count_++) = iterate;
    if (count_ < depth_ + 1) return false;
    count_ = 0;
    const Matrix differences = history_.rightCols(depth_) - history_.leftCols(depth_);
    const Matrix gram = differences.transpose() * differences;
    const Vector ones = Vector::Ones(depth_);
    Eigen::LDLT<Matrix> solver(gram);
    if (solver.info() != Eigen::Success) return false;
    Vector weights = solver.solve(ones);
    const double total = weights.sum();
    if (!std::isfinite(total) || std::abs(total) < 1e-300 || !weights.allFinite()) return false;
    weights /= total;
    out = history_.rightCols(depth_) * weights;
    return out.allFinite();
  }

 private:
  int depth_;
  int count_ = 0;
  Matrix history_;
};

// The Anderson candidate for the active coordinates of w (then the intercept, when
// with_intercept), once enough iterates are recorded; false while there is none or when it leaves
// the penalty's domain.
bool anderson_candidate(AndersonExtrapolation& anderson, const Penalty& penalty, const Vector& w,
                        double b, bool with_intercept, std::span<const Index> active,
                        Vector& iterate, Vector& candidate) {
  const Index size = static_cast<Index>(active.size());
  iterate.resize(size + (with_intercept ? 1 : 0));
  for (Index a = 0; a < size; ++a) iterate[a] = w[active[static_cast<std::size_t>(a)]];
  if (with_intercept) iterate[size] = b;
  if (!anderson.push(iterate, candidate)) return false;
  for (Index a = 0; a < size; ++a) {
    if (!penalty.within_domain(active[static_cast<std::size_t>(a)], candidate[a])) return false;
  }
  return true;
}

// The penalty on the active set with the active coordinates of w replaced by the candidate's
// (w is left as it was; no copy of the full vector).
double penalty_at_candidate(const Penalty& penalty, Vector& w, std::span<const Index> active,
                            Vector& candidate) {
  const auto swap_in = [&]() {
    for (std::size_t a = 0; a < active.size(); ++a) std::swap(w[active[a]], candidate[static_cast<Index>(a)]);
  };
  swap_in();
  const double value = penalty.value_on(w, active);
  swap_in();  // swap back
  return value;
}

void accept_candidate(Vector& w, std::span<const Index> active, const Vector& candidate) {
  for (std::size_t a = 0; a < active.size(); ++a) w[active[a]] = candidate[static_cast<Index>(a)];
}

// Minimises 1/2 sum_i h_i r_i^2 + sum_j h_j(w_j) over the working set (and the intercept), where
// r = target - X dw - db is updated in place. With uniform weights h_i = uniform_weight.
struct KernelResult {
  bool converged = false;
  bool interrupted = false;
  double first_pass_change = 0.0;
};

template <class Columns, bool Uniform>
KernelResult run_kernel(const Columns& columns, const Penalty& penalty, double uniform_weight,
                        const Vector& h, double h_sum, Vector& r, Vector& hr, Vector& w, double& b,
                        bool fit_intercept, std::span<const Index> working_set,
                        const Vector& column_curvature, std::vector<Index>& active,
                        const SolveControl& control, SolveStats& stats, long long& passes_left,
                        int anderson_depth, const std::function<bool()>& certified_now,
                        SupportNewton* newton) {
  KernelResult result;
  int since_check = 0;
  const double column_cost = columns.cost();  // flops of one dot with a column
  const double n_flops = static_cast<double>(r.size());
  AndersonExtrapolation anderson(anderson_depth);
  Vector iterate, extrapolated, trial_r, trial_hr;
  auto data_value = [&](const Vector& residual, const Vector& weighted) {
    return Uniform ? 0.5 * uniform_weight * residual.squaredNorm()
                   : 0.5 * (weighted.array().square() / h.array()).sum();
  };
  // Tries the extrapolated point of the active coordinates (and intercept); keeps it if it lowers
  // the subproblem objective.
  auto try_extrapolation = [&]() {
    if (!anderson_candidate(anderson, penalty, w, b, true, active, iterate, extrapolated)) return;
    const Index size = static_cast<Index>(active.size());
    stats.flops += column_cost * static_cast<double>(size) + 6.0 * static_cast<double>(r.size());
    if constexpr (Uniform) trial_r = r;
    else trial_hr = hr;
    for (Index a = 0; a < size; ++a) {
      const Index j = active[static_cast<std::size_t>(a)];
      const double delta = extrapolated[a] - w[j];
      if (delta == 0.0) continue;
      if constexpr (Uniform) columns.axpy(j, -delta, trial_r);
      else columns.weighted_axpy(j, -delta, h, trial_hr);
    }
    const double intercept_delta = fit_intercept ? extrapolated[size] - b : 0.0;
    if (intercept_delta != 0.0) {
      if constexpr (Uniform) trial_r.array() -= intercept_delta;
      else trial_hr -= intercept_delta * h;
    }
    const double candidate = data_value(trial_r, trial_hr) + penalty_at_candidate(penalty, w, active, extrapolated);
    if (candidate < data_value(r, hr) + penalty.value_on(w, active)) {
      if constexpr (Uniform) r.swap(trial_r);
      else hr.swap(trial_hr);
      accept_candidate(w, active, extrapolated);
      b += intercept_delta;
    }
  };
  const Penalty::SoftThresholdTable threshold = penalty.soft_threshold_table();  // inlined prox when offered
  auto sweep = [&](std::span<const Index> set) {
    double max_change = 0.0;
    stats.flops += column_cost * static_cast<double>(set.size()) + 2.0 * n_flops;
    for (Index j : set) {
      const double curvature = column_curvature[j];
      if (!(curvature > 0.0)) continue;
      const double gradient = Uniform ? uniform_weight * columns.dot(j, r) : columns.dot(j, hr);
      const double old = w[j];
      const double moved = old + gradient / curvature;
      const double updated = threshold.available() ? threshold.prox(j, moved, curvature) : penalty.prox_1d(j, moved, curvature);
      if (updated != old) {
        const double delta = updated - old;
        w[j] = updated;
        stats.flops += Uniform ? column_cost : 1.5 * column_cost;
        // With weights only h o r is kept current (r = hr / h is rebuilt on exit).
        if constexpr (Uniform) columns.axpy(j, -delta, r);
        else columns.weighted_axpy(j, -delta, h, hr);
        max_change = std::max(max_change, curvature * delta * delta);
      }
    }
    if (fit_intercept && h_sum > 0.0) {
      const double delta = (Uniform ? uniform_weight * r.sum() : hr.sum()) / h_sum;
      if (delta != 0.0) {
        b += delta;
        if constexpr (Uniform) r.array() -= delta;
        else hr -= delta * h;
        max_change = std::max(max_change, h_sum * delta * delta);
      }
    }
    ++stats.passes;
    --passes_left;
    return max_change;
  };
  auto finish = [&]() -> KernelResult& {
    if constexpr (!Uniform) r = hr.cwiseQuotient(h);
    return result;
  };
  bool first = true;
  while (passes_left > 0) {
    const double change = sweep(working_set);
    if (first) result.first_pass_change = change;
    first = false;
    if (change < control.tolerance) {
      result.converged = true;
      return finish();
    }
    if (control.stop_requested()) {
      result.interrupted = true;
      return finish();
    }
    active.clear();
    for (Index j : working_set) {
      if (w[j] != 0.0) active.push_back(j);
    }
    anderson.reset();
    int inner_passes = 0;
    while (passes_left > 0) {
      const double inner = sweep(active);
      if (inner < control.tolerance) break;
      ++inner_passes;
      if constexpr (std::is_same_v<Columns, DenseColumns> && Uniform) {
        // Passes that keep going on a settled support: a Newton step usually ends them.
        if (newton != nullptr &&
            newton->worth_trying(penalty, w, active, columns.x.rows(), inner_passes, &columns.x,
                                 fit_intercept ? uniform_weight : -uniform_weight) &&  // attempt()'s key
            newton->attempt(columns.x, penalty, uniform_weight, r, w, b, fit_intercept, active, stats.flops)) {
          anderson.reset();
          continue;
        }
      }
      try_extrapolation();
      if (certified_now && ++since_check >= control.check_every) {
        since_check = 0;
        if (certified_now()) {
          result.converged = true;
          return finish();
        }
        break;  // not yet: a pass over the whole working set lets waiting features enter
      }
      if ((stats.passes & 63) == 0 && control.stop_requested()) {
        result.interrupted = true;
        return finish();
      }
    }
  }
  return finish();
}

// Sparse columns with an intercept: coordinate j is updated jointly with the intercept (exactly
// as if the column were centred, x_j - m_j with m_j = sum h x_j / sum h), without ever densifying
// the column. The residual is kept as r_raw + offset * 1, so each update touches only the
// column's nonzeros.
template <bool Uniform>
KernelResult run_sparse_centred_kernel(const SparseMatrix& x, const Penalty& penalty,
                                       double uniform_weight, const Vector& h, double h_sum,
                                       Vector& r, Vector& hr, Vector& w, double& b,
                                       std::span<const Index> working_set,
                                       const Vector& column_curvature, std::vector<Index>& active,
                                       const SolveControl& control, SolveStats& stats,
                                       long long& passes_left, int anderson_depth,
                                       const std::function<bool()>& certified_now,
                                       SupportNewton* newton, PackedSparseColumns& packed) {
  KernelResult result;
  int since_check = 0;
  const Index size = static_cast<Index>(working_set.size());
  {
    const SparseMatrix::StorageIndex* outer = x.outerIndexPtr();
    const SparseMatrix::StorageIndex* rows = x.innerIndexPtr();
    const double* values = x.valuePtr();
    packed.begin.resize(static_cast<std::size_t>(size) + 1);
    packed.mean.resize(static_cast<std::size_t>(size));
    packed.weighted_sum.resize(static_cast<std::size_t>(size));
    packed.curvature.resize(static_cast<std::size_t>(size));
    Index total_entries = 0;
    for (Index k = 0; k < size; ++k) {
      const Index j = working_set[static_cast<std::size_t>(k)];
      packed.begin[static_cast<std::size_t>(k)] = total_entries;
      total_entries += x.isCompressed() ? outer[j + 1] - outer[j] : x.innerNonZeroPtr()[j];
    }
    packed.begin[static_cast<std::size_t>(size)] = total_entries;
    // Filled by an earlier call of this solve (its Newton steps share the design and working
    // set): only the constants change.
    const bool same_columns = packed.filled;
    if (!same_columns) {
      packed.row.resize(static_cast<std::size_t>(total_entries));
      packed.value.resize(static_cast<std::size_t>(total_entries));
      packed.filled = true;
    }
    for (Index k = 0; k < size; ++k) {
      const Index j = working_set[static_cast<std::size_t>(k)];
      const Index from = outer[j], count = packed.begin[static_cast<std::size_t>(k) + 1] - packed.begin[static_cast<std::size_t>(k)];
      if (!same_columns) {
        std::copy(rows + from, rows + from + count, packed.row.begin() + packed.begin[static_cast<std::size_t>(k)]);
        std::copy(values + from, values + from + count, packed.value.begin() + packed.begin[static_cast<std::size_t>(k)]);
      }
      double weighted = 0.0;
      for (Index e = from; e < from + count; ++e) weighted += (Uniform ? uniform_weight : h[rows[e]]) * values[e];
      packed.weighted_sum[static_cast<std::size_t>(k)] = weighted;
      packed.mean[static_cast<std::size_t>(k)] = weighted / h_sum;
      packed.curvature[static_cast<std::size_t>(k)] = std::max(0.0, column_curvature[j] - weighted * weighted / h_sum);
    }
  }
  const Index* begin = packed.begin.data();
  const SparseMatrix::StorageIndex* row = packed.row.data();
  const double* value = packed.value.data();
  const double* mean = packed.mean.data();
  const double* weighted_sum = packed.weighted_sum.data();
  const double* centred_curvature = packed.curvature.data();
  double offset = 0.0;
  double residual_sum = Uniform ? uniform_weight * r.sum() : hr.sum();  // sum_i h_i r_i (true residual)
  const double column_cost = SparseColumns{x}.cost();
  const Penalty::SoftThresholdTable threshold = penalty.soft_threshold_table();  // inlined prox when offered
  // One pass over the given positions of the working set (all of them when all is set).
  auto sweep = [&](std::span<const Index> positions, bool all) {
    double max_change = 0.0;
    const Index count = all ? size : static_cast<Index>(positions.size());
    stats.flops += column_cost * static_cast<double>(count);
    for (Index c = 0; c < count; ++c) {
      const Index k = all ? c : positions[static_cast<std::size_t>(c)];
      const double curvature = centred_curvature[k];
      if (!(curvature > 0.0)) continue;
      const Index from = begin[k], entries = begin[k + 1] - from;
      double dot = 0.0;
      if constexpr (Uniform) {
        dot = uniform_weight * blas::sparse_dot(value + from, row + from, entries, r.data()) + offset * weighted_sum[k];
      } else {
        dot = blas::sparse_dot(value + from, row + from, entries, hr.data()) + offset * weighted_sum[k];
      }
      const double gradient = dot - mean[k] * residual_sum;
      const Index j = working_set[static_cast<std::size_t>(k)];
      const double old = w[j];
      const double moved = old + gradient / curvature;
      const double updated = threshold.available() ? threshold.prox(j, moved, curvature) : penalty.prox_1d(j, moved, curvature);
      if (updated == old) continue;
      const double delta = updated - old;
      w[j] = updated;
      stats.flops += Uniform ? column_cost : 2.0 * column_cost;
      b -= delta * mean[k];
      offset += delta * mean[k];
      for (Index e = from; e < from + entries; ++e) {
        r[row[e]] -= delta * value[e];
        if constexpr (!Uniform) hr[row[e]] -= delta * h[row[e]] * value[e];
      }
      max_change = std::max(max_change, curvature * delta * delta);
    }
    if (h_sum > 0.0 && residual_sum != 0.0) {
      const double delta = residual_sum / h_sum;
      b += delta;
      offset -= delta;
      residual_sum = 0.0;
      max_change = std::max(max_change, h_sum * delta * delta);
    }
    ++stats.passes;
    --passes_left;
    return max_change;
  };
  // Anderson acceleration (see run_kernel); squared loss only here.
  AndersonExtrapolation anderson(anderson_depth);
  Vector iterate, extrapolated, trial_r;
  auto try_extrapolation = [&]() {
    if (!anderson_candidate(anderson, penalty, w, b, true, active, iterate, extrapolated)) return;
    const Index active_size = static_cast<Index>(active.size());
    stats.flops += column_cost * static_cast<double>(active_size) + 6.0 * static_cast<double>(r.size());
    r.array() += offset;  // make r the true residual
    offset = 0.0;
    trial_r = r;
    for (Index a = 0; a < active_size; ++a) {
      const Index j = active[static_cast<std::size_t>(a)];
      const double delta = extrapolated[a] - w[j];
      if (delta == 0.0) continue;
      const Index k = packed.positions[static_cast<std::size_t>(a)];
      for (Index e = begin[k]; e < begin[k + 1]; ++e) trial_r[row[e]] -= delta * value[e];
    }
    const double intercept_delta = extrapolated[active_size] - b;
    trial_r.array() -= intercept_delta;
    const double current = 0.5 * uniform_weight * r.squaredNorm() + penalty.value_on(w, active);
    const double candidate = 0.5 * uniform_weight * trial_r.squaredNorm() +
                             penalty_at_candidate(penalty, w, active, extrapolated);
    if (candidate < current) {
      r.swap(trial_r);
      accept_candidate(w, active, extrapolated);
      b += intercept_delta;
      residual_sum = uniform_weight * r.sum();
    }
  };
  bool first = true;
  while (passes_left > 0 && !result.converged && !result.interrupted) {
    const double change = sweep({}, true);
    if (first) result.first_pass_change = change;
    first = false;
    if (change < control.tolerance) {
      result.converged = true;
      break;
    }
    if (control.stop_requested()) {
      result.interrupted = true;
      break;
    }
    active.clear();
    packed.positions.clear();
    for (Index k = 0; k < size; ++k) {
      if (w[working_set[static_cast<std::size_t>(k)]] != 0.0) {
        active.push_back(working_set[static_cast<std::size_t>(k)]);
        packed.positions.push_back(k);
      }
    }
    anderson.reset();
    int inner_passes = 0;
    while (passes_left > 0) {
      if (sweep(packed.positions, false) < control.tolerance) break;
      ++inner_passes;
      if constexpr (Uniform) {
        if (newton != nullptr && newton->worth_trying(penalty, w, active, std::max<Index>(1, x.nonZeros() / std::max<Index>(1, x.cols())),
                                                      inner_passes, &x, uniform_weight)) {  // attempt()'s key (intercept)
          r.array() += offset;  // the true residual y - X w - b
          offset = 0.0;
          if (newton->attempt(x, penalty, uniform_weight, r, w, b, true, active, stats.flops)) {
            residual_sum = uniform_weight * r.sum();
            anderson.reset();
            continue;
          }
        }
      }
      if constexpr (Uniform) try_extrapolation();
      if (certified_now && ++since_check >= control.check_every) {
        since_check = 0;
        r.array() += offset;  // make the residual current for the check
        if constexpr (!Uniform) hr += offset * h;
        offset = 0.0;
        if (certified_now()) {
          result.converged = true;
          return result;
        }
        break;  // not yet: a pass over the whole working set lets waiting features enter
      }
    }
  }
  // Fold the constant shift back into the residual vectors.
  r.array() += offset;
  if constexpr (!Uniform) hr += offset * h;
  return result;
}

template <bool Uniform>
KernelResult dispatch_kernel(const Design& design, const Penalty& penalty, double uniform_weight,
                             const Vector& h, double h_sum, Vector& r, Vector& hr, Vector& w,
                             double& b, bool fit_intercept, std::span<const Index> working_set,
                             const Vector& column_curvature, std::vector<Index>& active,
                             const SolveControl& control, SolveStats& stats,
                             long long& passes_left, int anderson_depth,
                             const std::function<bool()>& certified_now, SupportNewton* newton,
                             PackedSparseColumns& packed,
                             const Matrix* weighted_columns = nullptr, const Index* weighted_slot = nullptr) {
  if (const Matrix* dense = design.dense_view()) {
    return run_kernel<DenseColumns, Uniform>(DenseColumns{*dense, weighted_columns, weighted_slot}, penalty,
                                             uniform_weight, h, h_sum,
                                             r, hr, w, b, fit_intercept, working_set,
                                             column_curvature, active, control, stats, passes_left,
                                             anderson_depth, certified_now, newton);
  }
  if (const SparseMatrix* sparse = design.sparse_view(); sparse != nullptr && fit_intercept) {
    return run_sparse_centred_kernel<Uniform>(*sparse, penalty, uniform_weight, h, h_sum, r, hr, w, b,
                                              working_set, column_curvature, active, control, stats,
                                              passes_left, anderson_depth, certified_now, newton, packed);
  }
  if (const SparseMatrix* sparse = design.sparse_view()) {
    return run_kernel<SparseColumns, Uniform>(SparseColumns{*sparse}, penalty, uniform_weight, h,
                                              h_sum, r, hr, w, b, fit_intercept, working_set,
                                              column_curvature, active, control, stats, passes_left,
                                              anderson_depth, certified_now, nullptr);
  }
  return run_kernel<GenericColumns, Uniform>(GenericColumns{design, Vector()}, penalty,
                                             uniform_weight, h, h_sum, r, hr, w, b, fit_intercept,
                                             working_set, column_curvature, active, control, stats,
                                             passes_left, anderson_depth, certified_now, nullptr);
}

// sq_norms: the host's col_sq_norm table (Problem::column_sq_norms), or null.
void compute_column_curvature(const Design& design, const Vector& h, double uniform_weight,
                              bool uniform, std::span<const Index> working_set, Vector& out,
                              const Vector* sq_norms = nullptr) {
  if (out.size() != design.cols()) out.setZero(design.cols());
  if (uniform && sq_norms != nullptr && sq_norms->size() == design.cols()) {
    for (Index j : working_set) out[j] = uniform_weight * (*sq_norms)[j];
    return;
  }
  for (Index j : working_set) {
    out[j] = uniform ? uniform_weight * design.col_sq_norm(j) : design.col_weighted_sq_norm(j, h);
  }
}

// first = X_W^T a and second = X_W^T b on the working set W, in one pass over its columns: runs
// of consecutive columns go to blas::gemv_t2 as blocks.
void correlate_pair(const Matrix& x, std::span<const Index> working_set, const Vector& a, const Vector& b,
                    Vector& first, Vector& second) {
  const Index n = x.rows(), p = x.cols();
  if (2 * static_cast<Index>(working_set.size()) >= p) {
    blas::gemv_t2(n, p, x.data(), n, a.data(), b.data(), first.data(), second.data());
    return;
  }
  std::size_t k = 0;
  while (k < working_set.size()) {
    std::size_t end = k + 1;
    while (end < working_set.size() && working_set[end] == working_set[end - 1] + 1) ++end;
    const Index start = working_set[k];
    blas::gemv_t2(n, static_cast<Index>(end - k), x.col(start).data(), n, a.data(), b.data(),
                  first.data() + start, second.data() + start);
    k = end;
  }
}

void recompute_linear_predictor(const Design& design, const Vector& w, double b, Vector& z) {
  z.setConstant(design.rows(), b);
  if (const Matrix* x = design.dense_view()) {
    // Over the nonzero columns only (runs by gemv, scattered columns four per pass over z).
    std::vector<Index> columns;
    std::vector<double> coefficients;
    for (Index j = 0; j < w.size(); ++j) {
      if (w[j] == 0.0) continue;
      columns.push_back(j);
      coefficients.push_back(w[j]);
    }
    blas::columns_axpy(x->rows(), x->data(), x->rows(), columns, coefficients.data(), z.data());
    return;
  }
  for (Index j = 0; j < w.size(); ++j) {
    if (w[j] != 0.0) design.col_axpy(j, w[j], z);
  }
}

}  // namespace

bool CoordinateDescentOptions::is_valid(std::string* why) const {
  if (max_newton_iterations < 1) {
    if (why) *why = "optimizer.max_newton_iterations = " + std::to_string(max_newton_iterations) +
                    " violates max_newton_iterations >= 1";
    return false;
  }
  if (!(min_curvature_probability > 0.0 && min_curvature_probability < 0.5)) {
    if (why) *why = "optimizer.min_curvature_probability = " + format_real(min_curvature_probability) +
                    " violates 0 < min_curvature_probability < 0.5";
    return false;
  }
  return true;
}

CoordinateDescent::CoordinateDescent(const Params& params) {
  options_.max_newton_iterations = params.integer("max_newton_iterations");
  const std::string gram = params.text("gram");
  options_.gram = gram == "always" ? GramMode::always : gram == "never" ? GramMode::never : GramMode::automatic;
  options_.gram_memory_mb = params.real("gram_memory_mb");
  options_.anderson_depth = static_cast<int>(params.integer("anderson_depth"));
  options_.min_curvature_probability = params.real("min_curvature_probability");
  options_.support_newton = params.boolean("support_newton");
  options_.newton_metric = params.boolean("newton_metric");
  options_.single_precision_metric = params.text("metric_precision") == "single";
  std::string why;
  if (!options_.is_valid(&why)) throw Error(why);
}

Schema CoordinateDescent::schema() {
  return Schema("cd",
                "Cyclic coordinate descent with active-set iterations; proximal Newton (IRLS) "
                "outer loop for non-quadratic losses")
      .integer("max_newton_iterations", 200, "proximal-Newton outer iterations per solve",
               at_least(1))
      .choice("gram", "auto", {"auto", "always", "never"},
              "covariance updates for quadratic losses on dense designs: the gradient of the "
              "working set is updated from cached Gram columns (O(|working set|) per update "
              "instead of O(n)); auto uses them when n >= p and n >= 2 |working set|")
      .integer("anderson_depth", 5,
               "Anderson acceleration of coordinate passes on the active set (iterates combined; "
               "0 turns it off)",
               closed(0, 20))
      .boolean("support_newton", true,
               "Newton steps on a settled support (Cholesky of the support's Gram matrix; at most "
               "2000 coordinates): exact for the lasso and elastic net once support and signs are "
               "right, where coordinate passes converge slowly (p > n, correlated designs)")
      .boolean("newton_metric", true,
               "non-quadratic losses on dense designs with n >= 2p (p <= 4000): proximal Newton "
               "steps solved in p x p space with X^T H X, which is rebuilt (BLAS-3) only when it "
               "stops predicting the objective's decrease; two passes over the data per step "
               "instead of one per coordinate sweep")
      .choice("metric_precision", "single", {"single", "double"},
              "precision in which newton_metric's X^T H X is formed: single halves the BLAS-3 "
              "time; the metric only shapes the steps (gradients, line search and certificates "
              "stay in double); a step from a fresh single-precision metric that the line search "
              "cuts back turns later builds to double")
      .real("gram_memory_mb", 2048.0, "memory cap for cached Gram columns (MiB)", greater_than(0.0))
      .real("min_curvature_probability", 1e-5,
            "IRLS weights use p clipped to [value, 1 - value] (glmnet's pmin)",
            Range{0.0, 0.5, true, true});
}

Outcome CoordinateDescent::solve(const Problem& problem, std::span<const Index> working_set,
                                 SolverState& state, const SolveControl& control,
                                 SolveStats& stats) {
  packed_.filled = false;  // packed columns are reused only within one solve (design and working set fixed)
  if (!problem.loss.is_quadratic()) {
    if (use_metric(problem, working_set)) return solve_newton_metric(problem, working_set, state, control, stats);
    return solve_newton(problem, working_set, state, control, stats);
  }
  if (use_gram(problem, working_set)) return solve_gram(problem, working_set, state, control, stats);
  return solve_quadratic(problem, working_set, state, control, stats);
}

bool CoordinateDescent::use_gram(const Problem& problem, std::span<const Index> working_set) const {
  if (problem.gram != nullptr && options_.gram != GramMode::never) return true;
  if (problem.gram != nullptr) return false;
  if (options_.gram == GramMode::never || problem.design.dense_view() == nullptr) return false;
  const double column_mb = 8.0 * static_cast<double>(problem.design.cols()) / (1024.0 * 1024.0);
  if (column_mb * static_cast<double>(working_set.size()) > options_.gram_memory_mb) return false;
  if (options_.gram == GramMode::always) return true;
  // A Gram column costs O(n p) once; it pays when the design is tall (n >= p) and the working set
  // is small next to n (each update then costs O(|working set|) instead of O(n)).
  return problem.design.rows() >= problem.design.cols() &&
         problem.design.rows() >= 2 * static_cast<Index>(working_set.size());
}

Eigen::Ref<const Vector> CoordinateDescent::gram_column(const Problem& problem, Index j) {
  if (problem.gram != nullptr) return problem.gram->col(j);
  Vector& column = gram_columns_[static_cast<std::size_t>(j)];
  if (column.size() == 0) {
    const Matrix& x = *problem.design.dense_view();
    column.noalias() = x.transpose() * x.col(j).cwiseProduct(gram_weights_);
  }
  return column;
}

Outcome CoordinateDescent::solve_gram(const Problem& problem, std::span<const Index> working_set,
                                      SolverState& state, const SolveControl& control,
                                      SolveStats& stats) {
  const Design& design = problem.design;
  const Index n = design.rows(), p = design.cols();
  const bool host_gram = problem.gram != nullptr;  // covariance mode of the path solver: no z
  if (gradient_.size() != p) gradient_.setZero(p);
  if (column_sums_.size() != p) column_sums_.setZero(p);
  if (column_curvature_.size() != p) column_curvature_.setZero(p);
  double h_sum = 0.0, residual_sum = 0.0;
  if (host_gram) {
    // gradient = X^T H (y - b) - G w, from the host's Gram matrix (columns are h-centred, so the
    // intercept is exact and never moves).
    const Matrix& gram = *problem.gram;
    // G w: the host's, when it formed it at this w (it evaluated the warm start), else formed here
    // by the same function.
    const bool shared = problem.gram_product != nullptr && problem.gram_product_of != nullptr &&
                        problem.gram_product_of->size() == p && *problem.gram_product_of == state.w;
    if (!shared) stats.flops += blas::symmetric_product(gram, state.w, start_product_);
    const Vector& product = shared ? *problem.gram_product : start_product_;
    for (Index j : working_set) {
      gradient_[j] = (*problem.gram_xty)[j] - product[j];
      column_curvature_[j] = gram(j, j);
      column_sums_[j] = 0.0;
    }
  } else {
    const Matrix& x = *design.dense_view();
    curvature_.resize(n);
    problem.loss.curvature(problem.y, problem.v, state.z, curvature_);
    // The cache is valid for one design and one set of curvature weights.
    if (gram_design_ != &design || gram_weights_.size() != n || gram_weights_ != curvature_) {
      gram_design_ = &design;
      gram_weights_ = curvature_;
      gram_columns_.assign(static_cast<std::size_t>(p), Vector());
    }
    h_sum = curvature_.sum();
    residual_.resize(n);
    problem.loss.residual(problem.y, problem.v, state.z, residual_);  // h o r
    compute_column_curvature(design, curvature_, 0.0, false, working_set, column_curvature_);
    for (Index j : working_set) {
      gradient_[j] = x.col(j).dot(residual_);
      column_sums_[j] = x.col(j).dot(curvature_);
    }
    residual_sum = residual_.sum();  // sum_i h_i r_i
  }
  start_w_ = state.w;
  const double start_b = state.b;
  const Penalty& penalty = problem.penalty;
  // Update the whole gradient vector when the working set is a large part of it.
  const bool dense_update = 4 * static_cast<Index>(working_set.size()) >= p;
  if (dense_update) {
    // Entries outside the working set are then meaningless but harmless (never read).
    for (Index j = 0; j < p; ++j) {
      if (!std::isfinite(gradient_[j])) gradient_[j] = 0.0;
    }
  }
  // Newton first: in the host's covariance mode with a factor that needs only a few updates,
  // a Newton step on the support replaces the passes over it (each O(p |support|)); the passes
  // over the working set then only bring features in and confirm convergence.
  const double key = problem.gram == &metric_ ? metric_generation_ : 0.0;
  const bool newton_first = host_gram && dense_update && newton() != nullptr;
  // Set before each pass over the working set: nonzero only while a Newton step can follow and
  // take the skipped tails (a factor that needs only updates, rounds left).
  double negligible_change = 0.0;
  const Penalty::SoftThresholdTable threshold = penalty.soft_threshold_table();  // inlined prox when offered
  auto sweep = [&](std::span<const Index> set) {
    double max_change = 0.0;
    stats.flops += 4.0 * static_cast<double>(set.size());
    for (Index j : set) {
      const double curvature = column_curvature_[j];
      if (!(curvature > 0.0)) continue;
      const double old = state.w[j];
      const double moved = old + gradient_[j] / curvature;
      const double updated = threshold.available() ? threshold.prox(j, moved, curvature) : penalty.prox_1d(j, moved, curvature);
      if (updated == old) continue;
      const double delta = updated - old;
      const double change = curvature * delta * delta;
      // A move far below the tolerance on a support coordinate is not worth its O(p) update:
      // it cannot decide convergence, and the support's Newton steps take such tails in bulk.
      if (change < negligible_change && old != 0.0 && updated != 0.0) {
        max_change = std::max(max_change, change);
        continue;
      }
      state.w[j] = updated;
      stats.flops += 2.0 * static_cast<double>(dense_update ? p : static_cast<Index>(working_set.size()));
      const auto column = gram_column(problem, j);
      if (dense_update) {
        gradient_.noalias() -= delta * column;  // contiguous and vectorised
      } else {
        for (Index k : working_set) gradient_[k] -= delta * column[k];
      }
      residual_sum -= delta * column_sums_[j];
      max_change = std::max(max_change, change);
    }
    if (!host_gram && problem.fit_intercept && h_sum > 0.0) {
      const double delta = residual_sum / h_sum;
      if (delta != 0.0) {
        state.b += delta;
        residual_sum -= delta * h_sum;
        if (dense_update) gradient_.noalias() -= delta * column_sums_;
        else for (Index k : working_set) gradient_[k] -= delta * column_sums_[k];
        max_change = std::max(max_change, h_sum * delta * delta);
      }
    }
    ++stats.passes;
    return max_change;
  };
  long long passes_left = control.max_passes;
  bool converged = false, interrupted = false;
  // Anderson acceleration in p x p space: the extrapolated point's gradient is
  // g - G d (d = the step), and its objective change is -g'd + d'Gd/2 + the penalty change.
  AndersonExtrapolation anderson(options_.anderson_depth);
  Vector iterate, extrapolated, step_product;
  auto try_extrapolation = [&]() {
    if (!anderson_candidate(anderson, penalty, state.w, state.b, false, active_, iterate, extrapolated)) return;
    const Index size = static_cast<Index>(active_.size());
    stats.flops += 2.0 * static_cast<double>(size) * static_cast<double>(p);
    step_product.setZero(p);
    double linear = 0.0;
    for (Index a = 0; a < size; ++a) {
      const Index j = active_[static_cast<std::size_t>(a)];
      const double delta = extrapolated[a] - state.w[j];
      if (delta == 0.0) continue;
      step_product.noalias() += delta * gram_column(problem, j);
      linear += gradient_[j] * delta;
    }
    double quadratic = 0.0;
    for (Index a = 0; a < size; ++a) {
      const Index j = active_[static_cast<std::size_t>(a)];
      quadratic += (extrapolated[a] - state.w[j]) * step_product[j];
    }
    const double change = -linear + 0.5 * quadratic +
                          penalty_at_candidate(penalty, state.w, active_, extrapolated) -
                          penalty.value_on(state.w, active_);
    if (change < 0.0) {
      accept_candidate(state.w, active_, extrapolated);
      gradient_.noalias() -= step_product;
    }
  };
  int newton_rounds = 0;
  auto newton_possible = [&]() {
    return newton_first && newton_rounds < 4 && newton()->updatable(penalty, state.w, active_, problem.gram, key);
  };
  auto newton_step = [&]() {
    if (!newton_possible()) return false;
    ++newton_rounds;
    return newton()->attempt_gram(*problem.gram, penalty, gradient_, state.w, active_, working_set,
                                  dense_update, stats.flops, key);
  };
  if (newton_first) {
    active_.clear();
    for (Index j : working_set) {
      if (state.w[j] != 0.0) active_.push_back(j);
    }
    newton_step();
  }
  while (passes_left-- > 0) {
    negligible_change = newton_possible() ? 1e-3 * control.tolerance : 0.0;
    if (sweep(working_set) < control.tolerance) {
      converged = true;
      break;
    }
    if (control.stop_requested()) {
      interrupted = true;
      break;
    }
    active_.clear();
    for (Index j : working_set) {
      if (state.w[j] != 0.0) active_.push_back(j);
    }
    if (newton_step()) continue;
    negligible_change = 0.0;  // the passes below are on their own: every move counts
    int since_check = 0;
    anderson.reset();
    int inner_passes = 0;
    while (passes_left-- > 0) {
      if (sweep(active_) < control.tolerance) break;
      ++inner_passes;
      if (host_gram && newton() != nullptr &&
          newton()->worth_trying(penalty, state.w, active_, dense_update ? p : static_cast<Index>(working_set.size()),
                                 inner_passes, problem.gram, key) &&
          newton()->attempt_gram(*problem.gram, penalty, gradient_, state.w, active_, working_set,
                                 dense_update, stats.flops, key)) {
        anderson.reset();
        continue;
      }
      if (dense_update && (host_gram || !problem.fit_intercept)) try_extrapolation();
      if (host_gram && control.certified && ++since_check >= control.check_every) {
        since_check = 0;
        if (control.certified(state)) {  // z is not used in covariance mode
          converged = true;
          break;
        }
        break;  // not yet: a pass over the whole working set lets waiting features enter
      }
    }
    if (converged) break;
  }
  // Bring the linear predictor up to date from the coordinates that moved (not in the host's
  // covariance mode, where z is not maintained).
  if (!host_gram) {
    const Matrix& x = *design.dense_view();
    state.z.array() += state.b - start_b;
    for (Index j : working_set) {
      const double delta = state.w[j] - start_w_[j];
      if (delta != 0.0) state.z.noalias() += delta * x.col(j);
    }
  }
  if (interrupted) return {Status::interrupted, "stopped by interrupt or time budget"};
  if (!converged) return {Status::not_converged, "coordinate descent reached max_passes"};
  return {};
}

Outcome CoordinateDescent::solve_quadratic(const Problem& problem, std::span<const Index> working_set,
                                           SolverState& state, const SolveControl& control,
                                           SolveStats& stats) {
  const Design& design = problem.design;
  const Index n = design.rows();
  // For a quadratic loss f'' is constant: curvature h = v * f''.
  curvature_.resize(n);
  problem.loss.curvature(problem.y, problem.v, state.z, curvature_);
  const bool uniform = problem.uniform_weights && (curvature_.array() == curvature_[0]).all();
  const double uniform_weight = curvature_[0];
  const double h_sum = curvature_.sum();
  // r: the Newton working residual, equal to y - z for the squared loss.
  residual_.resize(n);
  problem.loss.residual(problem.y, problem.v, state.z, residual_);
  residual_.array() /= curvature_.array();
  if (!uniform) weighted_residual_ = curvature_.cwiseProduct(residual_);
  compute_column_curvature(design, curvature_, uniform_weight, uniform, working_set, column_curvature_,
                           problem.column_sq_norms);
  start_residual_ = residual_;
  long long passes_left = control.max_passes;
  const Vector start_z = state.z;
  std::function<bool()> certified_now;
  if (control.certified) {
    certified_now = [&]() {
      state.z = start_z + (start_residual_ - residual_);
      return control.certified(state);
    };
  }
  KernelResult result =
      uniform ? dispatch_kernel<true>(design, problem.penalty, uniform_weight, curvature_, h_sum,
                                      residual_, weighted_residual_, state.w, state.b,
                                      problem.fit_intercept, working_set, column_curvature_,
                                      active_, control, stats, passes_left, options_.anderson_depth, certified_now,
                                      newton(), packed_)
              : dispatch_kernel<false>(design, problem.penalty, uniform_weight, curvature_, h_sum,
                                       residual_, weighted_residual_, state.w, state.b,
                                       problem.fit_intercept, working_set, column_curvature_,
                                       active_, control, stats, passes_left, options_.anderson_depth, certified_now,
                                      newton(), packed_);
  state.z = start_z + (start_residual_ - residual_);
  if (result.interrupted) return {Status::interrupted, "stopped by interrupt or time budget"};
  if (!result.converged) return {Status::not_converged, "coordinate descent reached max_passes"};
  return {};
}

// Quadratic-model curvature at z, floored like glmnet's pmin: h_i >= v_i p (1 - p).
void CoordinateDescent::irls_curvature(const Problem& problem, const Vector& z) {
  const Index n = problem.design.rows();
  curvature_.resize(n);
  problem.loss.curvature(problem.y, problem.v, z, curvature_);
  const double probability = options_.min_curvature_probability;
  for (Index i = 0; i < n; ++i) {
    curvature_[i] = std::max(curvature_[i], problem.v[i] * probability * (1.0 - probability));
  }
}

// Backtracking on the true objective along z + t (dz + shift), previous_w_ + t (target - previous_w_),
// halving t from 1 until the objective does not increase (at most 40 halvings). Leaves that
// point in candidate_z_ and trial_w_; returns t and the objective there.
std::pair<double, double> CoordinateDescent::line_search(const Problem& problem, const Vector& z,
                                                         const Vector& dz, double shift,
                                                         const Vector& target,
                                                         double previous_objective, SolveStats& stats,
                                                         const std::span<const Index>* working_set,
                                                         double outside_penalty) {
  const double n = static_cast<double>(z.size());
  const double p = static_cast<double>(working_set != nullptr ? static_cast<Index>(working_set->size()) : target.size());
  double step = 1.0, objective = 0.0;
  if (working_set != nullptr) trial_w_ = previous_w_;  // equal to target outside the working set
  for (int halving = 0; halving < 40; ++halving) {
    stats.flops += 12.0 * n + 2.0 * p;
    candidate_z_ = z + step * dz;
    if (shift != 0.0) candidate_z_.array() += step * shift;
    double penalty_value = 0.0;
    if (working_set != nullptr) {
      for (Index j : *working_set) trial_w_[j] = previous_w_[j] + step * (target[j] - previous_w_[j]);
      penalty_value = outside_penalty + problem.penalty.value_on(trial_w_, *working_set);
    } else {
      trial_w_ = previous_w_ + step * (target - previous_w_);
      penalty_value = problem.penalty.value(trial_w_);
    }
    objective = problem.loss.value(problem.y, problem.v, candidate_z_) + penalty_value;
    if (objective <= previous_objective + 1e-12 * std::abs(previous_objective)) break;
    step *= 0.5;
  }
  return {step, objective};
}

Outcome CoordinateDescent::solve_newton(const Problem& problem, std::span<const Index> working_set,
                                        SolverState& state, const SolveControl& control,
                                        SolveStats& stats) {
  const Design& design = problem.design;
  const Index n = design.rows();
  const Loss& loss = problem.loss;
  const Penalty& penalty = problem.penalty;
  long long passes_left = control.max_passes;
  residual_.resize(n);
  double previous_step_change = std::numeric_limits<double>::infinity();
  // Only the working set moves: the penalty of the other coordinates is fixed for this solve.
  const double outside_penalty = penalty.value(state.w) - penalty.value_on(state.w, working_set);
  for (long long outer = 0; outer < options_.max_newton_iterations; ++outer) {
    ++stats.outer;
    stats.flops += 30.0 * static_cast<double>(n) + 3.0 * static_cast<double>(n) * static_cast<double>(working_set.size());
    // Quadratic model of the loss at z: curvature h (floored like glmnet's pmin) and working
    // residual rho / h.
    irls_curvature(problem, state.z);
    loss.residual(problem.y, problem.v, state.z, residual_);
    residual_.array() /= curvature_.array();
    weighted_residual_ = curvature_.cwiseProduct(residual_);
    const double h_sum = curvature_.sum();
    // h o x_j once per step for the working set (up to 2^24 entries, 128 MB): the kernel's
    // updates become axpys, and the curvature sum_i h_i x_ij^2 is a dot with it.
    const Matrix* dense = n * static_cast<Index>(working_set.size()) <= (Index{1} << 24) ? design.dense_view() : nullptr;
    if (dense != nullptr) {
      const Index p = design.cols();
      if (static_cast<Index>(weighted_slot_.size()) != p) weighted_slot_.assign(static_cast<std::size_t>(p), -1);
      if (column_curvature_.size() != p) column_curvature_.setZero(p);
      // The buffer only grows (by half again): reallocating it at every step's working-set size
      // would hand back fresh pages to fault in each time (measured on d2: 22 000 page faults).
      const Index needed_columns = static_cast<Index>(working_set.size());
      if (weighted_columns_.rows() != n || weighted_columns_.cols() < needed_columns) {
        const Index grown = std::min(weighted_columns_.rows() == n ? weighted_columns_.cols() * 3 / 2 : Index{0},
                                     (Index{1} << 24) / n);
        resize_on_huge_pages(weighted_columns_, n, std::max(needed_columns, grown));
      }
      for (std::size_t k = 0; k < working_set.size(); ++k) {
        const Index j = working_set[k];
        weighted_columns_.col(static_cast<Index>(k)) = curvature_.cwiseProduct(dense->col(j));
        weighted_slot_[static_cast<std::size_t>(j)] = static_cast<Index>(k);
        column_curvature_[j] = blas::dot(n, dense->col(j).data(), weighted_columns_.col(static_cast<Index>(k)).data());
      }
      stats.flops += 3.0 * static_cast<double>(n) * static_cast<double>(working_set.size());
    } else {
      compute_column_curvature(design, curvature_, 0.0, false, working_set, column_curvature_);
    }
    start_residual_ = residual_;
    previous_w_ = state.w;
    const double previous_b = state.b;
    const double previous_objective = loss.value(problem.y, problem.v, state.z) + outside_penalty +
                                      penalty.value_on(state.w, working_set);

    // Inexact Newton: each quadratic subproblem is solved only as far as the previous step's size
    // warrants (the first step gets a loose tolerance); the host's certificate decides the end.
    SolveControl inner = control;
    inner.certified = nullptr;
    inner.tolerance = std::max(control.tolerance, 1e-3 * previous_step_change);
    KernelResult result = dispatch_kernel<false>(design, penalty, 0.0, curvature_, h_sum, residual_,
                                                 weighted_residual_, state.w, state.b,
                                                 problem.fit_intercept, working_set,
                                                 column_curvature_, active_, inner, stats,
                                                 passes_left, options_.anderson_depth, {}, newton(), packed_,
                                                 dense != nullptr ? &weighted_columns_ : nullptr,
                                                 weighted_slot_.data());
    // Newton step dz = X dw + db = start_residual - residual; backtrack on the true objective.
    step_z_ = start_residual_ - residual_;
    const auto [step, objective] =
        line_search(problem, state.z, step_z_, 0.0, state.w, previous_objective, stats, &working_set, outside_penalty);
    if (step != 1.0) {
      state.w = trial_w_;
      state.b = previous_b + step * (state.b - previous_b);
    }
    state.z = candidate_z_;
    if (!std::isfinite(objective)) {
      return {Status::numerical_issue, "objective became non-finite in the Newton step"};
    }
    // Converged when the first coordinate pass of the subproblem barely moved (in the kernel's own
    // metric, which for sparse designs is that of the implicitly centred columns) and the full
    // Newton step was accepted.
    const double change = step == 1.0 ? result.first_pass_change : std::numeric_limits<double>::infinity();
    previous_step_change = result.first_pass_change;
    if (result.interrupted) {
      recompute_linear_predictor(design, state.w, state.b, state.z);
      return {Status::interrupted, "stopped by interrupt or time budget"};
    }
    if (change < control.tolerance) {
      recompute_linear_predictor(design, state.w, state.b, state.z);
      return {};
    }
    if (control.certified && control.certified(state)) return {};
    if (passes_left <= 0) break;
  }
  recompute_linear_predictor(design, state.w, state.b, state.z);
  return {Status::not_converged, "proximal Newton reached max_newton_iterations or max_passes"};
}

bool CoordinateDescent::use_metric(const Problem& problem, std::span<const Index> working_set) const {
  if (!options_.newton_metric) return false;
  const Matrix* x = problem.design.dense_view();
  if (x == nullptr) return false;
  const Index n = x->rows(), p = x->cols();
  // The metric costs n p^2 / 2 flops (BLAS-3) per rebuild: worth it once the working set is a
  // sizeable part of p, on tall designs where a coordinate sweep costs O(n) per coordinate.
  return p <= 4000 && n >= 2 * p && 4 * static_cast<Index>(working_set.size()) >= p;
}

void CoordinateDescent::build_metric(const Problem& problem, const Vector& z, std::span<const Index> needed) {
  const Matrix& x = *problem.design.dense_view();
  const Index p = x.cols();
  irls_curvature(problem, z);
  metric_sums_.resize(p);
  blas::gemv_t(x, curvature_.data(), metric_sums_.data());
  metric_h_sum_ = curvature_.sum();
  const bool centre = problem.fit_intercept && metric_h_sum_ > 0.0;
  metric_fresh_single_ = options_.single_precision_metric && !single_refused_;
  // Over the needed features only while they are under half of p (n |needed|^2 / 2 flops instead
  // of n p^2 / 2); features needed later are added by extend_metric, whose narrow products read
  // every member's column again (beyond half of p, a whole build costs less than the extensions
  // until the next one: measured on the logistic benchmark case d1).
  const bool all = !metric_fresh_single_ || 2 * static_cast<Index>(needed.size()) >= p;
  metric_members_.clear();
  metric_slot_.assign(static_cast<std::size_t>(p), -1);
  if (all) {
    for (Index j = 0; j < p; ++j) metric_members_.push_back(j);
  } else {
    metric_members_.assign(needed.begin(), needed.end());
    std::sort(metric_members_.begin(), metric_members_.end());
  }
  for (std::size_t k = 0; k < metric_members_.size(); ++k) metric_slot_[static_cast<std::size_t>(metric_members_[k])] = static_cast<Index>(k);
  if (metric_fresh_single_) {
    // X_c^T H X_c with X_c = X - 1 a^T / sum h: the intercept eliminated before rounding.
    metric_centre_ = centre ? Vector(metric_sums_ / metric_h_sum_) : Vector(Vector::Zero(p));
    metric_weights_ = curvature_;
    resize_on_huge_pages(metric_, p, p);
    if (!all) metric_.setZero();
    blas::weighted_columns_single(x, metric_weights_, metric_centre_, metric_members_, 0, metric_scratch_);
    blas::slot_gram_single(metric_scratch_, x.rows(), metric_members_, 0, metric_);
  } else {
    blas::weighted_gram(x, &curvature_, 1.0, metric_);
    if (centre) metric_.noalias() -= (metric_sums_ / metric_h_sum_) * metric_sums_.transpose();
  }
  metric_design_ = &problem.design;
  metric_valid_ = true;
  metric_generation_ += 1.0;
}

double CoordinateDescent::extend_metric(const Problem& problem, std::span<const Index> needed) {
  metric_fresh_.clear();
  for (Index j : needed) {
    if (metric_slot_[static_cast<std::size_t>(j)] < 0) {
      metric_slot_[static_cast<std::size_t>(j)] = 0;  // marked; the slot is set below
      metric_fresh_.push_back(j);
    }
  }
  if (metric_fresh_.empty()) return 0.0;
  const Matrix& x = *problem.design.dense_view();
  const Index first = static_cast<Index>(metric_members_.size());
  for (std::size_t k = 0; k < metric_fresh_.size(); ++k) {
    metric_slot_[static_cast<std::size_t>(metric_fresh_[k])] = first + static_cast<Index>(k);
    metric_members_.push_back(metric_fresh_[k]);
  }
  // Entries among the members do not change: the Newton factor on them stays valid.
  blas::weighted_columns_single(x, metric_weights_, metric_centre_, metric_fresh_, first, metric_scratch_);
  blas::slot_gram_single(metric_scratch_, x.rows(), metric_members_, first, metric_);
  return 2.0 * static_cast<double>(x.rows()) * static_cast<double>(metric_members_.size()) *
         static_cast<double>(metric_fresh_.size());
}

// Proximal Newton in p x p space. Each step solves the quadratic model
//     -g^T d - g_b e + 1/2 [d; e]^T [X 1]^T H [X 1] [d; e] + penalty(w + d)
// (g = X^T rho, g_b = 1^T rho at the current point; e, the intercept's step, eliminated) by
// coordinate descent on the metric (solve_gram, with Newton steps on the support), then takes
// the step with a backtracking line search on the true objective. H is that of the point where
// the metric was last built: reused while the step is accepted whole and the objective falls by
// at least half the model's prediction, rebuilt otherwise. A step costs two passes over the
// data (g, and X d) instead of one per coordinate sweep.
Outcome CoordinateDescent::solve_newton_metric(const Problem& problem, std::span<const Index> working_set,
                                               SolverState& state, const SolveControl& control,
                                               SolveStats& stats) {
  const Design& design = problem.design;
  const Matrix& x = *design.dense_view();
  const Index n = x.rows(), p = x.cols();
  const Loss& loss = problem.loss;
  const Penalty& penalty = problem.penalty;
  if (metric_design_ != &design || metric_.rows() != p) metric_valid_ = false;
  long long passes_left = control.max_passes;
  residual_.resize(n);
  double previous_change = std::numeric_limits<double>::infinity();
  const bool intercept = problem.fit_intercept;
  for (long long outer = 0; outer < options_.max_newton_iterations; ++outer) {
    stats.flops += 20.0 * static_cast<double>(n) +
                   2.0 * static_cast<double>(n) * static_cast<double>(2 * static_cast<Index>(working_set.size()) >= p ? p : static_cast<Index>(working_set.size()));
    // The model's linear term at the current point, in the working set.
    loss.residual(problem.y, problem.v, state.z, residual_);
    const double residual_sum = intercept ? residual_.sum() : 0.0;
    if (gradient_full_.size() != p) gradient_full_.setZero(p);
    // After a step, the host's certificate needs X_W^T rho for its dual residual rho: computed in
    // the same pass over the data as the gradient (the state is consistent here). The first step
    // is always taken, as the coordinate sweeps take at least one pass.
    bool gradient_ready = false;
    if (outer == 0 && gradient_cached_ && gradient_design_ == &design && gradient_z_ == state.z &&
        gradient_y_ == problem.y && gradient_v_ == problem.v) {
      gradient_ready = true;  // the state the previous solve certified: its gradient still holds
    }
    gradient_cached_ = false;
    if (outer > 0 && control.certified_with) {
      const bool certified = control.certified_with(state, [&](const Vector& rho, Vector& correlation) {
        correlate_pair(x, working_set, residual_, rho, gradient_full_, correlation);
        gradient_ready = true;
        if (2 * static_cast<Index>(working_set.size()) >= p) {  // correlate_pair then covers all
          gradient_z_ = state.z;
          gradient_y_ = problem.y;
          gradient_v_ = problem.v;
          gradient_design_ = &design;
          gradient_cached_ = true;
        }
      });
      if (certified) return {};
      gradient_cached_ = false;
    }
    if (!gradient_ready && 2 * static_cast<Index>(working_set.size()) >= p) {
      blas::gemv_t(x, residual_.data(), gradient_full_.data());
    } else if (!gradient_ready) {
      for (Index j : working_set) gradient_full_[j] = blas::dot(n, x.col(j).data(), residual_.data());
    }
    ++stats.outer;
    // The features the metric must cover: the working set and every nonzero coefficient.
    metric_mark_.assign(static_cast<std::size_t>(p), 0);
    metric_needed_.assign(working_set.begin(), working_set.end());
    for (Index j : working_set) metric_mark_[static_cast<std::size_t>(j)] = 1;
    for (Index j = 0; j < p; ++j) {
      if (state.w[j] != 0.0 && !metric_mark_[static_cast<std::size_t>(j)]) metric_needed_.push_back(j);
    }
    if (!metric_valid_) {
      build_metric(problem, state.z, metric_needed_);
      const double covered = static_cast<double>(metric_members_.size());
      stats.flops += static_cast<double>(n) * (covered * (covered + 1.0) + 2.0 * static_cast<double>(p));
    } else {
      stats.flops += extend_metric(problem, metric_needed_);
    }
    // The target with which solve_gram's gradient, target - M w', is the model's at w'; the
    // model's gradient at w (g minus the intercept's share) is kept in gradient_full_.
    stats.flops += blas::symmetric_product(metric_, state.w, metric_start_product_);
    metric_target_ = metric_start_product_;
    for (Index j : working_set) {
      if (intercept && metric_h_sum_ > 0.0) gradient_full_[j] -= metric_sums_[j] * residual_sum / metric_h_sum_;
      metric_target_[j] += gradient_full_[j];
    }
    const double previous_objective = loss.value(problem.y, problem.v, state.z) + penalty.value(state.w);
    Problem model = problem;
    model.gram = &metric_;
    model.gram_xty = &metric_target_;
    metric_state_.w = state.w;
    model.gram_product = &metric_start_product_;  // M w, for solve_gram's start at w
    model.gram_product_of = &metric_state_.w;
    metric_state_.b = state.b;
    SolveControl inner = control;
    inner.certified = nullptr;
    // Passes over the metric cost O(p |working set|), far less than one over the data: each
    // model is solved to the final tolerance, so the outer iterations converge quadratically.
    inner.tolerance = control.tolerance;
    inner.max_passes = passes_left;
    const long long passes_before = stats.passes;
    const Outcome solved = solve_gram(model, working_set, metric_state_, inner, stats);
    passes_left -= stats.passes - passes_before;
    if (solved.status == Status::interrupted) return solved;
    // The step, its intercept part, and the model's predicted change.
    metric_direction_.setZero(n);
    double intercept_step = residual_sum, linear = 0.0, change = 0.0;
    moved_.clear();
    for (Index j : working_set) {
      const double d = metric_state_.w[j] - state.w[j];
      if (d == 0.0) continue;
      moved_.push_back(j);
      stats.flops += 2.0 * static_cast<double>(n + p);
      if (intercept) intercept_step -= metric_sums_[j] * d;
      linear += gradient_full_[j] * d;
      change = std::max(change, metric_(j, j) * d * d);
    }
    // X d over the moved columns only (blas::columns_axpy) and M d (blas::symmetric_product).
    moved_step_.resize(moved_.size());
    metric_step_.setZero(p);
    for (std::size_t k = 0; k < moved_.size(); ++k) {
      moved_step_[k] = metric_state_.w[moved_[k]] - state.w[moved_[k]];
      metric_step_[moved_[k]] = moved_step_[k];
    }
    blas::columns_axpy(n, x.data(), n, moved_, moved_step_.data(), metric_direction_.data());
    blas::symmetric_product(metric_, metric_step_, metric_product_);
    intercept_step = intercept && metric_h_sum_ > 0.0 ? intercept_step / metric_h_sum_ : 0.0;
    // The intercept's move counts in the stopping test like a coordinate's.
    if (intercept) change = std::max(change, metric_h_sum_ * intercept_step * intercept_step);
    double quadratic = 0.0;
    for (Index j : moved_) quadratic += (metric_state_.w[j] - state.w[j]) * metric_product_[j];
    // The model's change from the current point: with the intercept eliminated it also gains
    // -g_b^2 / (2 sum h), the intercept's own decrease.
    double predicted = -linear + 0.5 * quadratic + penalty.value(metric_state_.w) - penalty.value(state.w);
    if (intercept && metric_h_sum_ > 0.0) predicted -= residual_sum * residual_sum / (2.0 * metric_h_sum_);
    // Backtracking on the true objective.
    previous_w_ = state.w;
    const auto [step, objective] = line_search(problem, state.z, metric_direction_, intercept_step,
                                               metric_state_.w, previous_objective, stats);
    if (!std::isfinite(objective)) {
      recompute_linear_predictor(design, state.w, state.b, state.z);
      return {Status::numerical_issue, "objective became non-finite in the Newton step"};
    }
    state.w = trial_w_;
    state.b += step * intercept_step;
    state.z = candidate_z_;
    // Keep the metric while it predicts well; rebuild it at the next step otherwise
    const double actual = objective - previous_objective;
    // (Either way: a model that misses by more than a tenth converges only linearly, slowly.)
    const bool measurable = std::abs(predicted) > 1e-12 * std::abs(previous_objective);
    if (step != 1.0 || (measurable && std::abs(actual / predicted - 1.0) > 0.1)) metric_valid_ = false;
    if (step != 1.0 && metric_fresh_single_) single_refused_ = true;
    metric_fresh_single_ = false;
    previous_change = change;
    if (step == 1.0 && change < control.tolerance) {
      recompute_linear_predictor(design, state.w, state.b, state.z);
      return {};
    }
    // With certified_with the next iteration asks, sharing its pass over the data.
    if (!control.certified_with && control.certified && control.certified(state)) return {};
    if (passes_left <= 0) break;
  }
  recompute_linear_predictor(design, state.w, state.b, state.z);
  return {Status::not_converged, "proximal Newton reached max_newton_iterations or max_passes"};
}

void register_cd(Registry& registry) {
  registry.add<Optimizer, CoordinateDescent>("cd", CoordinateDescent::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-optimizer-cd", sparsepath::plugins::register_cd)
