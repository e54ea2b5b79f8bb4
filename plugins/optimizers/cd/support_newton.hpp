// Newton steps on a fixed support for coordinate descent on a least-squares model.
//
// On the nonzero coordinates N of the active set, with every h_j smooth there (capability
// smooth_on_support), the subproblem
//     min  1/2 sum_i h (r_i - x_{N,i}^T d - e)^2 + sum_{j in N} (g_j d_j + s_j d_j^2 / 2)
// (g_j = h_j'(w_j), s_j = h_j''(w_j), e the intercept step) equals the objective on the orthant
// of w for piecewise-quadratic penalties (lasso, elastic net). Its minimiser solves
//     M d = X_N^T h r - g - u (h 1^T r) / sum h,   M = h X_N^T X_N + diag(s) - u u^T / sum h,
// u = h X_N^T 1 (the intercept eliminated), with a Cholesky factor of M. A step that would take a
// coordinate across zero is cut there and the coordinate leaves N; along each such segment the
// objective is the convex model, so it decreases, and the next step from the new point needs only
// the factor with one row removed and the right-hand side updated by M times the step (O(|N|^2)).
// The factor is kept between calls and updated as coordinates enter and leave, so on a path where
// the support changes by a few coordinates per lambda each step costs O(|N|^2) plus a pass over
// the support's columns, where coordinate descent on an ill-conditioned support (p > n,
// correlated designs) needs hundreds of passes.
//
// Used with uniform sample weights (the squared loss), on the residual or in covariance mode.
#pragma once

#include "sparsepath/core/interfaces.hpp"

#include <functional>
#include <span>
#include <vector>

namespace sparsepath::plugins {

class SupportNewton {
 public:
  // Largest support a step is attempted on.
  static constexpr Index max_support = 2000;
  // Features whose Gram rows are cached (uniform weights); beyond it the cache restarts.
  static constexpr Index max_cached = 6000;

  // Whether to try a step after `passes` coordinate passes over a support of this size, each
  // coordinate costing O(pass_length) (n, or p in covariance mode).
  // `source` and `key` are those the step will be given (the matrix and its contents key): a
  // factor kept for another matrix is priced as a rebuild.
  bool worth_trying(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                    Index pass_length, int passes, const void* source, double key) const;
  // Whether the kept factor serves this support with a few updates (no rebuild), for the
  // covariance matrix `source` with contents `key` (as passed to attempt_gram).
  bool updatable(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                 const void* source, double key) const;

  // Residual form: r = y - X w - b with weight h per sample (uniform_weight), updated in place.
  // Returns true when (w, b) moved, and only if the subproblem objective did not increase.
  // Each call adds its estimated floating-point operations to `flops`.
  bool attempt(const Matrix& x, const Penalty& penalty, double uniform_weight, Vector& r,
               Vector& w, double& b, bool fit_intercept, std::span<const Index> active, double& flops);
  // The same for CSC columns (stored uncentred; the intercept term centres them).
  bool attempt(const SparseMatrix& x, const Penalty& penalty, double uniform_weight, Vector& r,
               Vector& w, double& b, bool fit_intercept, std::span<const Index> active, double& flops);

  // Covariance mode: gram = X^T H X (h-centred columns, fixed intercept) and gradient_j =
  // x_j^T H r, kept for every j when dense_update, else for j in `tracked`.
  bool attempt_gram(const Matrix& gram, const Penalty& penalty, Vector& gradient, Vector& w,
                    std::span<const Index> active, std::span<const Index> tracked, bool dense_update,
                    double& flops, double key = 0.0);  // key: changes whenever gram's contents do


 private:
  // M's entry for two features (no s): scale * table(slot(i), slot(j)), less u_i u_j / sum h when
  // centred (u_j = scale * sums(slot(j))). A plain struct, so that the loops over a factor's
  // entries inline it.
  struct Entry {
    const Matrix* table = nullptr;
    const std::vector<Index>* slot = nullptr;  // feature -> row of table; null: the feature itself
    double scale = 1.0;
    const Vector* sums = nullptr;  // centring (null: none)
    double h_sum = 1.0;
    Index row(Index feature) const { return slot ? (*slot)[static_cast<std::size_t>(feature)] : feature; }
    double operator()(Index i, Index j) const {
      const Index a = row(i), b = row(j);
      double value = scale * (*table)(a, b);
      if (sums) value -= (scale * (*sums)[a]) * (scale * (*sums)[b]) / h_sum;
      return value;
    }
  };
  // Collects N with the penalty's derivatives; false when no step should be tried.
  bool collect(const Penalty& penalty, const Vector& w, std::span<const Index> active, bool ridge_needed_beyond,
               Index rows);
  // Brings the factor to the features of set_ (in any order), updating or rebuilding it.
  bool sync_factor(const Entry& entry, const void* source, double key);
  bool rebuild_factor(const Entry& entry);
  void reserve(Index size);  // capacity of factor_ (its leading block is the factor)
  bool append_to_factor(const Entry& entry, Index feature, double second);
  bool append_block_to_factor(const Entry& entry, const std::vector<Index>& entering);
  void remove_from_factor(Index position);
  // The path of cut steps from w on set_: fills values_ (the new coordinates, per set_ entry).
  // False when no step was taken.
  bool solve_path(const Penalty& penalty, const Vector& w);
  // Features entering or leaving the kept factor for this support and matrix (source, key), or
  // -1 when it must be rebuilt.
  Index factor_changes(const Penalty& penalty, const Vector& w, std::span<const Index> active,
                       const void* source, double key) const;
  // Iterative refinement of step_ for the ridge terms that moved (correction_); false when it
  // does not converge (the factor is then rebuilt next time).
  bool refine(Index m);

  std::vector<Index> set_;
  Vector first_, second_, rhs_, total_;
  // The factor: L L^T = M on factor_set_ (in factor order), with the s_j it was built with; it
  // is the leading |factor_set_| block of factor_ (lower triangle; the rest is scratch).
  Matrix factor_;
  std::vector<Index> factor_set_;
  std::vector<double> factor_second_;
  const void* factor_source_ = nullptr;
  double factor_key_ = 0.0;
  std::vector<Index> position_;  // feature -> position in factor_set_, or -1 (size p)
  // Uniform weights: X^T X and column sums of the features seen so far, grown as new ones enter.
  template <class Columns>
  bool attempt_on(const Columns& x, const Penalty& penalty, double uniform_weight, Vector& r,
                  Vector& w, double& b, bool fit_intercept, std::span<const Index> active);
  double flops_ = 0.0;  // running estimate, reported through the attempt functions
  std::vector<Index> fresh_features(const void* design, Index rows, Index cols);
  void cache_gram(const Matrix& x);
  void cache_gram(const SparseMatrix& x);
  const void* cached_design_ = nullptr;
  std::vector<Index> cached_;  // sparse designs: cached features in slot order
  Vector scatter_;
  std::vector<Index> slot_;   // feature -> row of cached_gram_, or -1
  Index cached_count_ = 0;
  Matrix cached_gram_, cached_columns_;
  Vector cached_sums_;
  // Scratch.
  Vector work_, values_, step_, moved_, direction_, correction_, residual_, product_, step_full_;
  Matrix border_, corner_;  // append_block_to_factor
  Vector initial_;          // refine
  bool refresh_ = false;  // the next sync rebuilds the factor
  std::vector<Index> order_, blocked_;
};

}  // namespace sparsepath::plugins
