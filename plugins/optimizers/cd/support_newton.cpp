#include "support_newton.hpp"

#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/memory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparsepath::plugins {

namespace {

// A factor built with ridge terms s_old serves M = G + diag(s_new) through iterative refinement
// (solve_path) when both are positive; from or to zero it has to be rebuilt.
bool same_or_refinable(double built, double now) { return built == now || (built > 0.0 && now > 0.0); }

}  // namespace

Index SupportNewton::factor_changes(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                                    const void* source, double key) const {
  // A factor kept for another matrix, or state from a problem with another number of features
  // (collect() resets it), is void: sync_factor would rebuild.
  if (source != factor_source_ || key != factor_key_ || static_cast<Index>(position_.size()) != w.size() ||
      factor_set_.empty() || refresh_) {
    return -1;
  }
  const Index size = static_cast<Index>(active.size());
  Index overlap = 0;
  for (Index j : active) overlap += position_[static_cast<std::size_t>(j)] >= 0 ? 1 : 0;
  const Index changes = size + static_cast<Index>(factor_set_.size()) - 2 * overlap;
  // A ridge term that moved with lambda (elastic net) is refined, unless it left or reached zero.
  const Index j = factor_set_.front();
  double first = 0.0, second = 0.0;
  if (w[j] != 0.0 && penalty.derivatives(j, w[j], first, second) && !same_or_refinable(factor_second_.front(), second)) {
    return -1;
  }
  return changes > std::max<Index>(8, size / 4) ? -1 : changes;
}

bool SupportNewton::updatable(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                              const void* source, double key) const {
  return active.size() >= 2 && factor_changes(penalty, w, active, source, key) >= 0;
}

bool SupportNewton::worth_trying(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                                 Index pass_length, int passes, const void* source, double key) const {
  // Ski rental on estimated flops. A coordinate pass over the support costs 2 pass_length |N|
  // (pass_length: n, the nonzeros of a sparse column, or p in covariance mode). A factor kept up
  // to date costs about |N|^2 per feature entering or leaving plus two triangular solves, at
  // similar speed; a factor rebuilt costs |N|^3 / 3 at BLAS-3 speed, some 10 times faster per
  // flop. Try once the passes spent have cost as much as the step, then every 8 passes (or as
  // many as the step costs) while they go on.
  const Index size = static_cast<Index>(active.size());
  if (size < 2) return false;
  const Index changes = factor_changes(penalty, w, active, source, key);
  const double m = static_cast<double>(size);
  const double pass = 2.0 * static_cast<double>(std::max<Index>(pass_length, 1)) * m;
  const double step = changes < 0 ? m * m * m / 30.0 : static_cast<double>(changes + 2) * m * m;
  const int first = std::max(2, static_cast<int>(std::min(1e6, std::ceil(step / pass))));
  return passes >= first && (passes - first) % std::max(8, first) == 0;
}

bool SupportNewton::collect(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                            bool ridge_needed_beyond, Index rows) {
  set_.clear();
  for (Index j : active) {
    if (w[j] != 0.0) set_.push_back(j);
  }
  const Index size = static_cast<Index>(set_.size());
  if (size < 2 || size > max_support) return false;
  first_.resize(size);
  second_.resize(size);
  bool ridge = true;
  for (Index a = 0; a < size; ++a) {
    const Index j = set_[static_cast<std::size_t>(a)];
    if (!penalty.derivatives(j, w[j], first_[a], second_[a])) return false;
    ridge = ridge && second_[a] > 0.0;
  }
  // Without a ridge term, more coordinates than samples make M singular.
  if (ridge_needed_beyond && !ridge && size >= rows) return false;
  if (static_cast<Index>(position_.size()) != w.size()) {
    position_.assign(static_cast<std::size_t>(w.size()), -1);
    factor_set_.clear();
    factor_second_.clear();
  }
  return true;
}

void SupportNewton::reserve(Index size) {
  if (factor_.rows() >= size) return;
  const Index capacity = std::max<Index>(size, 2 * factor_.rows());
  Matrix grown;
  resize_on_huge_pages(grown, capacity, capacity);
  const Index m = static_cast<Index>(factor_set_.size());
  grown.topLeftCorner(m, m) = factor_.topLeftCorner(m, m);
  factor_.swap(grown);
}

bool SupportNewton::rebuild_factor(const Entry& entry) {
  refresh_ = false;
  for (Index j : factor_set_) position_[static_cast<std::size_t>(j)] = -1;
  factor_set_.clear();
  factor_second_.clear();
  const Index m = static_cast<Index>(set_.size());
  reserve(m);
  for (Index c = 0; c < m; ++c) {
    for (Index a = c; a < m; ++a) factor_(a, c) = entry(set_[static_cast<std::size_t>(a)], set_[static_cast<std::size_t>(c)]);
    factor_(c, c) += second_[c];
  }
  flops_ += static_cast<double>(m) * static_cast<double>(m) * (1.5 + static_cast<double>(m) / 3.0);
  Vector diagonal(m);
  for (Index a = 0; a < m; ++a) diagonal[a] = factor_(a, a);
  if (!blas::cholesky(factor_.data(), m, factor_.rows())) return false;
  // The same test as append_to_factor: a pivot below 1e-10 of its diagonal entry means the
  // support is (numerically) dependent, and its steps would be huge and rejected.
  for (Index a = 0; a < m; ++a) {
    if (!(factor_(a, a) * factor_(a, a) > 1e-10 * diagonal[a])) return false;
  }
  for (Index a = 0; a < m; ++a) {
    factor_set_.push_back(set_[static_cast<std::size_t>(a)]);
    factor_second_.push_back(second_[a]);
    position_[static_cast<std::size_t>(set_[static_cast<std::size_t>(a)])] = a;
  }
  return true;
}

// Deleting row and column k of M: the trailing block of the factor absorbs the rank-one term
// l l^T, l = L[k+1:, k] (a stable Cholesky update, O(m^2)).
void SupportNewton::remove_from_factor(Index k) {
  const Index m = static_cast<Index>(factor_set_.size());
  const Index tail = m - k - 1;
  flops_ += 4.0 * static_cast<double>(tail) * static_cast<double>(tail);
  work_ = factor_.col(k).segment(k + 1, tail);
  for (Index i = 0; i < tail; ++i) {
    const Index a = k + 1 + i;
    const double diagonal = factor_(a, a);
    const double radius = std::hypot(diagonal, work_[i]);
    const double c = radius / diagonal, s = work_[i] / diagonal;
    factor_(a, a) = radius;
    const Index below = tail - i - 1;
    if (below > 0) {
      auto column = factor_.col(a).segment(a + 1, below);
      auto rest = work_.tail(below);
      column = (column + s * rest) / c;
      rest = c * rest - s * column;
    }
  }
  // Drop row and column k.
  if (tail > 0) {
    factor_.block(k, 0, tail, k) = factor_.block(k + 1, 0, tail, k).eval();
    factor_.block(k, k, tail, tail) = factor_.block(k + 1, k + 1, tail, tail).eval();
  }
  position_[static_cast<std::size_t>(factor_set_[static_cast<std::size_t>(k)])] = -1;
  factor_set_.erase(factor_set_.begin() + k);
  factor_second_.erase(factor_second_.begin() + k);
  for (Index a = k; a < m - 1; ++a) position_[static_cast<std::size_t>(factor_set_[static_cast<std::size_t>(a)])] = a;
}

// Bordering: M' = [M b; b^T d] has factor [L 0; l^T sqrt(d - l^T l)] with L l = b.
bool SupportNewton::append_to_factor(const Entry& entry, Index feature, double second) {
  const Index m = static_cast<Index>(factor_set_.size());
  flops_ += static_cast<double>(m) * static_cast<double>(m + 3);
  work_.resize(m);
  for (Index a = 0; a < m; ++a) work_[a] = entry(factor_set_[static_cast<std::size_t>(a)], feature);
  const double diagonal = entry(feature, feature) + second;
  if (m > 0) factor_.topLeftCorner(m, m).triangularView<Eigen::Lower>().solveInPlace(work_);
  const double pivot = diagonal - work_.squaredNorm();
  if (!(pivot > 1e-10 * diagonal)) return false;  // (numerically) dependent on the others
  reserve(m + 1);
  factor_.row(m).head(m) = work_.transpose();
  factor_(m, m) = std::sqrt(pivot);
  factor_set_.push_back(feature);
  factor_second_.push_back(second);
  position_[static_cast<std::size_t>(feature)] = m;
  return true;
}

bool SupportNewton::sync_factor(const Entry& entry, const void* source, double key) {
  const Index size = static_cast<Index>(set_.size());
  if (source != factor_source_ || key != factor_key_ || factor_set_.empty() || refresh_) {
    factor_source_ = source;
    factor_key_ = key;
    return rebuild_factor(entry);
  }
  // Features leaving (or whose s changed) and entering.
  std::vector<Index> leaving, entering;
  std::vector<char> keep(factor_set_.size(), 0);
  for (Index a = 0; a < size; ++a) {
    const Index j = set_[static_cast<std::size_t>(a)];
    const Index at = position_[static_cast<std::size_t>(j)];
    if (at >= 0 && same_or_refinable(factor_second_[static_cast<std::size_t>(at)], second_[a])) keep[static_cast<std::size_t>(at)] = 1;
    else entering.push_back(a);
  }
  for (std::size_t at = 0; at < factor_set_.size(); ++at) {
    if (!keep[at]) leaving.push_back(static_cast<Index>(at));
  }
  if (leaving.size() + entering.size() > std::max<std::size_t>(8, static_cast<std::size_t>(size) / 4)) {
    return rebuild_factor(entry);
  }
  for (auto it = leaving.rbegin(); it != leaving.rend(); ++it) remove_from_factor(*it);
  if (entering.size() >= 2 && append_block_to_factor(entry, entering)) return true;
  for (Index a : entering) {
    if (!append_to_factor(entry, set_[static_cast<std::size_t>(a)], second_[a])) return rebuild_factor(entry);
  }
  return true;
}

// Bordering by k features at once: M' = [M B; B^T D] has factor [L 0; X^T L22] with L X = B (one
// blocked triangular solve, BLAS-3, instead of k memory-bound ones) and L22 L22^T = D - X^T X.
// Leaves the factor untouched and returns false when a pivot fails the append test (the caller
// then appends one at a time, which finds the dependent feature).
bool SupportNewton::append_block_to_factor(const Entry& entry, const std::vector<Index>& entering) {
  const Index m = static_cast<Index>(factor_set_.size());
  const Index k = static_cast<Index>(entering.size());
  flops_ += static_cast<double>(m) * static_cast<double>(m) * static_cast<double>(k) +
            static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(k) +
            static_cast<double>(k) * static_cast<double>(k) * static_cast<double>(k) / 3.0;
  border_.resize(m, k);
  corner_.resize(k, k);
  Vector diagonal(k);
  for (Index c = 0; c < k; ++c) {
    const Index feature = set_[static_cast<std::size_t>(entering[static_cast<std::size_t>(c)])];
    for (Index a = 0; a < m; ++a) border_(a, c) = entry(factor_set_[static_cast<std::size_t>(a)], feature);
    for (Index r = c; r < k; ++r) corner_(r, c) = entry(set_[static_cast<std::size_t>(entering[static_cast<std::size_t>(r)])], feature);
    corner_(c, c) += second_[entering[static_cast<std::size_t>(c)]];
    diagonal[c] = corner_(c, c);
  }
  if (m > 0) {
    blas::lower_solve(factor_.data(), m, factor_.rows(), border_.data(), k, m);
    corner_.selfadjointView<Eigen::Lower>().rankUpdate(border_.transpose(), -1.0);  // D - X^T X
  }
  if (!blas::cholesky(corner_.data(), k, k)) return false;
  for (Index c = 0; c < k; ++c) {
    if (!(corner_(c, c) * corner_(c, c) > 1e-10 * diagonal[c])) return false;  // as append_to_factor
  }
  reserve(m + k);
  factor_.block(m, 0, k, m) = border_.transpose();
  factor_.block(m, m, k, k).triangularView<Eigen::Lower>() = corner_.triangularView<Eigen::Lower>();
  for (Index c = 0; c < k; ++c) {
    const Index a = entering[static_cast<std::size_t>(c)];
    const Index feature = set_[static_cast<std::size_t>(a)];
    factor_set_.push_back(feature);
    factor_second_.push_back(second_[a]);
    position_[static_cast<std::size_t>(feature)] = m + c;
  }
  return true;
}

bool SupportNewton::refine(Index m) {
  // step_ solves (M - diag(correction)) step = right, with the factor L L^T of M - diag(correction);
  // the fixed point of s = L^-T L^-1 (right - diag(correction) s) solves M s = right. Each
  // iteration costs two triangular solves (the residual right - M s is never formed: it is the
  // update itself), and the error contracts by the spectral radius of (L L^T)^{-1}
  // diag(correction), below 1 while the ridge terms shrink along the path (and tiny next to the
  // eigenvalues of G on most supports).
  const auto correction = correction_.head(m);
  initial_ = step_;  // L^-T L^-1 right
  double previous = std::numeric_limits<double>::infinity();
  for (int iteration = 1; iteration <= 20; ++iteration) {
    flops_ += 4.0 * static_cast<double>(m) * static_cast<double>(m);
    residual_ = correction.cwiseProduct(step_);
    blas::lower_solve_vector(factor_.data(), m, factor_.rows(), residual_.data());
    blas::lower_transpose_solve_vector(factor_.data(), m, factor_.rows(), residual_.data());
    residual_ = initial_ - residual_ - step_;  // the update of step_
    step_ += residual_;
    const double size = residual_.lpNorm<Eigen::Infinity>(), scale = step_.lpNorm<Eigen::Infinity>();
    if (!std::isfinite(size) || !std::isfinite(scale)) break;
    // Accurate enough for a step (the coordinate passes that follow confirm it), or stalled at
    // rounding level.
    if (size <= 1e-8 * scale || (size > 0.5 * previous && size <= 1e-6 * scale)) {
      if (iteration > 6) refresh_ = true;  // slow: a fresh factor is cheaper next time
      return true;
    }
    previous = size;
  }
  refresh_ = true;
  return false;
}

bool SupportNewton::solve_path(const Penalty& penalty, const Vector& w) {
  // Work in factor order; values_ holds the new coordinates in set_ order.
  Index m = static_cast<Index>(factor_set_.size());
  order_.resize(static_cast<std::size_t>(m));  // factor position -> index in set_
  for (Index a = 0; a < static_cast<Index>(set_.size()); ++a) {
    order_[static_cast<std::size_t>(position_[static_cast<std::size_t>(set_[static_cast<std::size_t>(a)])])] = a;
  }
  values_.resize(static_cast<Index>(set_.size()));
  for (Index a = 0; a < static_cast<Index>(set_.size()); ++a) values_[a] = w[set_[static_cast<std::size_t>(a)]];
  Vector right(m), current(m);
  for (Index a = 0; a < m; ++a) {
    right[a] = rhs_[order_[static_cast<std::size_t>(a)]];
    current[a] = values_[order_[static_cast<std::size_t>(a)]];
  }
  // Ridge terms that moved since the factor was built (elastic net along the path):
  // M = L L^T + diag(correction), solved by iterative refinement.
  correction_.resize(m);
  bool corrected = false;
  for (Index a = 0; a < m; ++a) {
    correction_[a] = second_[order_[static_cast<std::size_t>(a)]] - factor_second_[static_cast<std::size_t>(a)];
    corrected = corrected || correction_[a] != 0.0;
  }
  bool moved = false;
  for (Index iteration = 0; iteration < 2 * static_cast<Index>(set_.size()) + 10 && m > 0; ++iteration) {
    step_ = right;
    flops_ += 8.0 * static_cast<double>(m) * static_cast<double>(m);
    blas::lower_solve_vector(factor_.data(), m, factor_.rows(), step_.data());
    blas::lower_transpose_solve_vector(factor_.data(), m, factor_.rows(), step_.data());
    if (corrected && !refine(m)) return moved;
    if (!step_.allFinite()) return moved;
    double length = 1.0;
    for (Index a = 0; a < m; ++a) {
      const double next = current[a] + step_[a];
      if (next == 0.0 || (next > 0.0) != (current[a] > 0.0)) length = std::min(length, -current[a] / step_[a]);
    }
    // Every coordinate that reaches zero at this length (ties included, and any that rounding
    // would leave a hair past zero) stops exactly there and leaves the support.
    blocked_.clear();
    for (Index a = 0; a < m; ++a) {
      const double next = current[a] + length * step_[a];
      const bool crossing = next == 0.0 || (next > 0.0) != (current[a] > 0.0) ||
                            std::abs(next) <= 4.0 * std::numeric_limits<double>::epsilon() * std::abs(current[a]);
      if (crossing) blocked_.push_back(a);
    }
    for (Index a = 0; a < m; ++a) {
      const bool stops = std::find(blocked_.begin(), blocked_.end(), a) != blocked_.end();
      const double next = stops ? 0.0 : current[a] + length * step_[a];
      if (!penalty.within_domain(factor_set_[static_cast<std::size_t>(a)], next)) return moved;  // a box: leave it to CD
    }
    step_ *= length;
    for (Index a : blocked_) step_[a] = -current[a];
    current += step_;
    for (Index a : blocked_) current[a] = 0.0;
    for (Index a = 0; a < m; ++a) values_[order_[static_cast<std::size_t>(a)]] = current[a];
    moved = true;
    if (blocked_.empty()) break;
    // The gradient of the model moves by -M step: right -= L (L^T step) (only needed when the
    // path goes on from the blocked point).
    direction_ = factor_.topLeftCorner(m, m).transpose().triangularView<Eigen::Upper>() * step_;
    right.noalias() -= factor_.topLeftCorner(m, m).triangularView<Eigen::Lower>() * direction_;
    if (corrected) right -= correction_.head(m).cwiseProduct(step_);
    // The blocked coordinates leave the support (and the factor), last position first.
    for (auto it = blocked_.rbegin(); it != blocked_.rend(); ++it) {
      const Index k = *it;
      remove_from_factor(k);
      const Index tail = m - k - 1;
      right.segment(k, tail) = right.tail(tail).eval();
      correction_.segment(k, tail) = correction_.segment(k + 1, tail).eval();
      current.segment(k, tail) = current.tail(tail).eval();
      order_.erase(order_.begin() + k);
      --m;
      right.conservativeResize(m);
      current.conservativeResize(m);
    }
  }
  return moved;
}

namespace {

double column_dot(const Matrix& x, Index j, const Vector& r) { return blas::dot(x.rows(), x.col(j).data(), r.data()); }
double column_dot(const SparseMatrix& x, Index j, const Vector& r) { return blas::sparse_column_dot(x, j, r.data()); }
void column_axpy(const Matrix& x, Index j, double a, Vector& out) { blas::axpy(x.rows(), a, x.col(j).data(), out.data()); }
void column_axpy(const SparseMatrix& x, Index j, double a, Vector& out) {
  for (SparseMatrix::InnerIterator it(x, j); it; ++it) out[it.index()] += a * it.value();
}

}  // namespace

std::vector<Index> SupportNewton::fresh_features(const void* design, Index rows, Index cols) {
  // A new design, or a cache that new features would grow past its cap (every feature ever on a
  // support is kept): start again from the current support.
  const bool same_design = cached_design_ == design && static_cast<Index>(slot_.size()) == cols;
  Index fresh_count = 0;
  if (same_design) {
    for (Index j : set_) fresh_count += slot_[static_cast<std::size_t>(j)] < 0 ? 1 : 0;
  }
  if (!same_design || cached_count_ + fresh_count > max_cached) {
    cached_design_ = design;
    slot_.assign(static_cast<std::size_t>(cols), -1);
    cached_count_ = 0;
    cached_gram_.resize(0, 0);
    cached_columns_.resize(rows, 0);
    cached_sums_.resize(0);
    cached_.clear();
  }
  std::vector<Index> fresh;
  for (Index j : set_) {
    if (slot_[static_cast<std::size_t>(j)] < 0) fresh.push_back(j);
  }
  const Index new_size = cached_count_ + static_cast<Index>(fresh.size());
  if (!fresh.empty() && cached_gram_.rows() < new_size) {
    const Index old_size = cached_count_;
    const Index capacity = std::max<Index>(new_size, 2 * cached_gram_.rows());
    Matrix gram(capacity, capacity);
    gram.topLeftCorner(old_size, old_size) = cached_gram_.topLeftCorner(old_size, old_size);
    Vector sums(capacity);
    sums.head(old_size) = cached_sums_.head(old_size);
    cached_gram_.swap(gram);
    cached_sums_.swap(sums);
  }
  return fresh;
}

void SupportNewton::cache_gram(const Matrix& x) {
  const std::vector<Index> fresh = fresh_features(&x, x.rows(), x.cols());
  if (fresh.empty()) return;
  const Index old_size = cached_count_;
  const Index added = static_cast<Index>(fresh.size());
  const Index new_size = old_size + added;
  if (cached_columns_.cols() < new_size) {
    Matrix columns(x.rows(), cached_gram_.rows());
    columns.leftCols(old_size) = cached_columns_.leftCols(old_size);
    cached_columns_.swap(columns);
  }
  for (Index j : fresh) {
    slot_[static_cast<std::size_t>(j)] = cached_count_;
    cached_columns_.col(cached_count_++) = x.col(j);
  }
  // The new columns against every cached one: one BLAS-3 product on the contiguous copy.
  flops_ += 2.0 * static_cast<double>(x.rows()) * static_cast<double>(new_size) * static_cast<double>(added);
  Matrix block(new_size, added);
  blas::gemm_tn(new_size, added, x.rows(), cached_columns_.data(), cached_columns_.rows(),
                cached_columns_.col(old_size).data(), cached_columns_.rows(), block.data(), new_size);
  cached_gram_.block(0, old_size, new_size, added) = block;
  cached_gram_.block(old_size, 0, added, new_size) = block.transpose();
  cached_sums_.segment(old_size, added) = cached_columns_.middleCols(old_size, added).colwise().sum().transpose();
}

void SupportNewton::cache_gram(const SparseMatrix& x) {
  const std::vector<Index> fresh = fresh_features(&x, x.rows(), x.cols());
  if (fresh.empty()) return;
  for (Index j : fresh) {
    slot_[static_cast<std::size_t>(j)] = cached_count_;
    cached_.push_back(j);
    ++cached_count_;
  }
  // Each new column scattered once, then dotted with every cached column's nonzeros.
  scatter_.setZero(x.rows());
  for (Index j : fresh) {
    const Index column = slot_[static_cast<std::size_t>(j)];
    double sum = 0.0;
    for (SparseMatrix::InnerIterator it(x, j); it; ++it) {
      scatter_[it.index()] = it.value();
      sum += it.value();
    }
    cached_sums_[column] = sum;
    flops_ += 2.0 * static_cast<double>(x.nonZeros()) / static_cast<double>(std::max<Index>(1, x.cols())) *
              static_cast<double>(column + 1);
    for (Index other = 0; other <= column; ++other) {
      double total = 0.0;
      for (SparseMatrix::InnerIterator it(x, cached_[static_cast<std::size_t>(other)]); it; ++it) {
        total += it.value() * scatter_[it.index()];
      }
      cached_gram_(other, column) = total;
      cached_gram_(column, other) = total;
    }
    for (SparseMatrix::InnerIterator it(x, j); it; ++it) scatter_[it.index()] = 0.0;
  }
}

bool SupportNewton::attempt(const Matrix& x, const Penalty& penalty, double uniform_weight, Vector& r,
                            Vector& w, double& b, bool fit_intercept, std::span<const Index> active,
                            double& flops) {
  const double before = flops_;
  const bool moved = attempt_on(x, penalty, uniform_weight, r, w, b, fit_intercept, active);
  flops += flops_ - before;
  return moved;
}

bool SupportNewton::attempt(const SparseMatrix& x, const Penalty& penalty, double uniform_weight,
                            Vector& r, Vector& w, double& b, bool fit_intercept,
                            std::span<const Index> active, double& flops) {
  const double before = flops_;
  const bool moved = attempt_on(x, penalty, uniform_weight, r, w, b, fit_intercept, active);
  flops += flops_ - before;
  return moved;
}

template <class Columns>
bool SupportNewton::attempt_on(const Columns& x, const Penalty& penalty, double uniform_weight,
                               Vector& r, Vector& w, double& b, bool fit_intercept,
                               std::span<const Index> active) {
  const Index n = x.rows();
  if (!collect(penalty, w, active, true, n)) return false;
  cache_gram(x);
  const double h = uniform_weight, h_sum = h * static_cast<double>(n);
  const bool centre = fit_intercept && h_sum > 0.0;
  auto sum_of = [&](Index j) { return h * cached_sums_[slot_[static_cast<std::size_t>(j)]]; };  // u_j
  Entry entry;
  entry.table = &cached_gram_;
  entry.slot = &slot_;
  entry.scale = h;
  if (centre) {
    entry.sums = &cached_sums_;
    entry.h_sum = h_sum;
  }
  if (!sync_factor(entry, &x, centre ? h : -h)) return false;
  const Index size = static_cast<Index>(set_.size());
  const double residual_sum = h * r.sum();  // h 1^T r
  // Right-hand side and residual update: two dot/axpy passes over the support's columns.
  flops_ += 4.0 * static_cast<double>(size) * static_cast<double>(x.nonZeros()) / static_cast<double>(std::max<Index>(1, x.cols())) +
            8.0 * static_cast<double>(n);
  rhs_.resize(size);
  for (Index a = 0; a < size; ++a) {
    const Index j = set_[static_cast<std::size_t>(a)];
    rhs_[a] = h * column_dot(x, j, r) - first_[a];
    if (centre) rhs_[a] -= sum_of(j) * residual_sum / h_sum;
  }
  if (!solve_path(penalty, w)) return false;
  // Apply the total step; the intercept takes its optimal value for it.
  double intercept_step = residual_sum;
  moved_ = r;
  for (Index a = 0; a < size; ++a) {
    const Index j = set_[static_cast<std::size_t>(a)];
    const double delta = values_[a] - w[j];
    if (delta == 0.0) continue;
    column_axpy(x, j, -delta, moved_);
    intercept_step -= sum_of(j) * delta;
  }
  intercept_step = centre ? intercept_step / h_sum : 0.0;
  if (intercept_step != 0.0) moved_.array() -= intercept_step;
  // The decrease must be real (rounding, or a penalty that is not piecewise quadratic).
  const double before = 0.5 * h * r.squaredNorm() + penalty.value_on(w, set_);
  for (Index a = 0; a < size; ++a) std::swap(w[set_[static_cast<std::size_t>(a)]], values_[a]);
  const double after = 0.5 * h * moved_.squaredNorm() + penalty.value_on(w, set_);
  if (!(after <= before)) {
    for (Index a = 0; a < size; ++a) std::swap(w[set_[static_cast<std::size_t>(a)]], values_[a]);
    return false;
  }
  r.swap(moved_);
  b += intercept_step;
  return true;
}

bool SupportNewton::attempt_gram(const Matrix& gram, const Penalty& penalty, Vector& gradient,
                                 Vector& w, std::span<const Index> active,
                                 std::span<const Index> tracked, bool dense_update, double& flops, double key) {
  // Whatever the exit, the work done is reported.
  struct Report {
    double& out;
    const double& running;
    double start;
    ~Report() { out += running - start; }
  } report{flops, flops_, flops_};
  if (!collect(penalty, w, active, false, gram.rows())) return false;
  Entry entry;
  entry.table = &gram;
  if (!sync_factor(entry, &gram, key)) return false;
  const Index size = static_cast<Index>(set_.size());
  rhs_.resize(size);
  for (Index a = 0; a < size; ++a) rhs_[a] = gradient[set_[static_cast<std::size_t>(a)]] - first_[a];
  if (!solve_path(penalty, w)) return false;
  // Objective change: -gradient^T d + d^T G d / 2 + the penalty's change, with G d computed
  // once (over the tracked rows, or all of them) and reused for the gradient update.
  total_.resize(size);
  double linear = 0.0;
  for (Index a = 0; a < size; ++a) {
    total_[a] = values_[a] - w[set_[static_cast<std::size_t>(a)]];
    linear += gradient[set_[static_cast<std::size_t>(a)]] * total_[a];
  }
  const Index rows = gram.rows();
  flops_ += 2.0 * static_cast<double>(size) * static_cast<double>(dense_update ? rows : static_cast<Index>(tracked.size()));
  if (dense_update) {
    step_full_.setZero(rows);
    for (Index a = 0; a < size; ++a) step_full_[set_[static_cast<std::size_t>(a)]] = total_[a];
    blas::symmetric_product(gram, step_full_, product_);
  } else {
    product_.setZero(rows);
    for (Index a = 0; a < size; ++a) {
      const double delta = total_[a];
      if (delta == 0.0) continue;
      const double* column = gram.col(set_[static_cast<std::size_t>(a)]).data();
      for (Index k : tracked) product_[k] += delta * column[k];  // the support is within tracked
    }
  }
  double quadratic = 0.0;
  for (Index a = 0; a < size; ++a) quadratic += total_[a] * product_[set_[static_cast<std::size_t>(a)]];
  const double before = penalty.value_on(w, set_);
  for (Index a = 0; a < size; ++a) std::swap(w[set_[static_cast<std::size_t>(a)]], values_[a]);
  const double change = -linear + 0.5 * quadratic + penalty.value_on(w, set_) - before;
  if (!(change <= 0.0)) {
    for (Index a = 0; a < size; ++a) std::swap(w[set_[static_cast<std::size_t>(a)]], values_[a]);
    return false;
  }
  if (dense_update) {
    gradient -= product_;
  } else {
    for (Index k : tracked) gradient[k] -= product_[k];
  }
  return true;
}

}  // namespace sparsepath::plugins
