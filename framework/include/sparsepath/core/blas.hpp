// Dense kernels backed by OpenBLAS, for plugins and the framework (the core library links BLAS so
// that plugins need not). All results are independent of the number of threads: each output
// entry is computed by one thread, in the same order.
#pragma once

#include <span>

#include "sparsepath/core/types.hpp"

#include <vector>

namespace sparsepath::blas {

// sum_k value[k] v[index[k]] over `count` entries, in four interleaved partial sums: the gather's
// chain of dependent additions, not memory, limits a single sum (header-only: no ABI surface).
inline double sparse_dot(const double* value, const SparseMatrix::StorageIndex* index, Index count, const double* v) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  Index k = 0;
  for (; k + 4 <= count; k += 4) {
    s0 += value[k] * v[index[k]];
    s1 += value[k + 1] * v[index[k + 1]];
    s2 += value[k + 2] * v[index[k + 2]];
    s3 += value[k + 3] * v[index[k + 3]];
  }
  for (; k < count; ++k) s0 += value[k] * v[index[k]];
  return (s0 + s1) + (s2 + s3);
}

// <x_j, v> for column j of a CSC matrix (sparse_dot over its entries).
inline double sparse_column_dot(const SparseMatrix& x, Index j, const double* v) {
  const Index begin = x.outerIndexPtr()[j];
  const Index end = x.isCompressed() ? x.outerIndexPtr()[j + 1] : begin + x.innerNonZeroPtr()[j];
  return sparse_dot(x.valuePtr() + begin, x.innerIndexPtr() + begin, end - begin, v);
}

// out = X^T v
SPARSEPATH_INTERFACE void gemv_t(const Matrix& x, const double* v, double* out);
// out = X w
SPARSEPATH_INTERFACE void gemv(const Matrix& x, const double* w, double* out);
// y += alpha A x for a column-major block A (rows x cols, leading dimension lda), e.g. some
// contiguous columns of a larger matrix; one OpenBLAS thread.
SPARSEPATH_INTERFACE void gemv_add(Index rows, Index cols, double alpha, const double* a, Index lda,
                                   const double* x, double* y);
// out = A^T v for a column-major block A (rows x cols, leading dimension lda); one OpenBLAS thread.
SPARSEPATH_INTERFACE void gemv_t(Index rows, Index cols, const double* a, Index lda, const double* v, double* out);
// out1 = A^T v1 and out2 = A^T v2 for a column-major block A (rows x cols, leading dimension
// lda) in one pass over A: each column read once for both (AVX2/FMA kernel; without them, blocks
// of 4 columns read for v1 and again, from cache, for v2). Split across the experiment's threads
// at multiples of 4 columns, so the result does not depend on the thread count.
SPARSEPATH_INTERFACE void gemv_t2(Index rows, Index cols, const double* a, Index lda, const double* v1,
                                  const double* v2, double* out1, double* out2);
// The thread count set by set_threads (for kernels that split their own work).
SPARSEPATH_INTERFACE int threads();
// gram = X^T diag(weights) X (full symmetric p x p); weights may be null (all ones), scale
// multiplies the result.
SPARSEPATH_INTERFACE void weighted_gram(const Matrix& x, const Vector* weights, double scale, Matrix& gram);
// y += sum_k coefficients[k] x_{columns[k]} over chosen columns of a column-major X (n rows,
// leading dimension ldx): runs of consecutive columns by OpenBLAS's gemv, scattered columns four
// per pass over y; a cost proportional to the columns chosen. Single-threaded.
SPARSEPATH_INTERFACE void columns_axpy(Index n, const double* x, Index ldx, std::span<const Index> columns,
                                       const double* coefficients, double* y);
// out = G w for a symmetric p x p matrix G (lower triangle read): OpenBLAS dsymv when at least a
// quarter of w is nonzero (half the matrix read, a third of the time of summing the columns),
// otherwise the sum of w_j G_j over the nonzero w_j. One OpenBLAS thread. Returns the flops.
// Host and optimizers share it, so a product formed by one is the other's bit for bit.
SPARSEPATH_INTERFACE double symmetric_product(const Matrix& g, const Vector& w, Vector& out);
// sum_i weights_i (x_i - centre)(x_i - centre)^T over the rows x_i of X restricted to some
// columns, formed in single precision (half the time of weighted_gram; entries good to ~1e-6
// relative) and returned in double: for approximate Hessians, whose errors only slow
// convergence. Centring before rounding keeps large column means from cancelling. In two pieces,
// so that the matrix can grow as columns are added: weighted_columns_single rounds sqrt(weights) o (x_j - centre_j) for each of `columns` into the
// scratch slots first, first + 1, ... (n floats per slot; scratch grows as needed, earlier slots
// kept). slot_gram_single then writes, in double, every product s_a . s_b of slots a <= b with
// b >= first into gram (p x p, both triangles) at (slot_features[a], slot_features[b]), for slots
// [0, slot_features.size()). Fixed tiles of 256 slots, each one single-threaded call, shared by
// the experiment's threads: the result does not depend on the thread count.
SPARSEPATH_INTERFACE void weighted_columns_single(const Matrix& x, const Vector& weights, const Vector& centre,
                                                  std::span<const Index> columns, Index first,
                                                  std::vector<float>& scratch);
SPARSEPATH_INTERFACE void slot_gram_single(const std::vector<float>& scratch, Index n,
                                           std::span<const Index> slot_features, Index first, Matrix& gram);
// x . y and y += a x on contiguous vectors (OpenBLAS's runtime-dispatched kernels). dot uses
// OpenBLAS only up to 10000 entries, where it never splits the sum across threads, so results
// do not depend on the thread count.
SPARSEPATH_INTERFACE double dot(Index n, const double* x, const double* y);
SPARSEPATH_INTERFACE void axpy(Index n, double a, const double* x, double* y);
// In-place Cholesky factor (lower triangle) of a symmetric positive definite matrix; false when
// the matrix is not numerically positive definite (LAPACK dpotrf).
SPARSEPATH_INTERFACE bool cholesky(Matrix& a);
// The same on the leading n x n block of a column-major array with leading dimension lda.
SPARSEPATH_INTERFACE bool cholesky(double* a, Index n, Index lda);
// C = A^T B for column-major A (k x m, leading dimension lda), B (k x n, ldb) and C (m x n, ldc);
// one OpenBLAS thread (dgemm).
SPARSEPATH_INTERFACE void gemm_tn(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb,
                                  double* c, Index ldc);
// B <- L^{-1} B for the lower triangle L of the leading m x m block of a column-major array
// (leading dimension lda) and an m x k column-major B (leading dimension ldb); OpenBLAS dtrsm.
SPARSEPATH_INTERFACE void lower_solve(const double* l, Index m, Index lda, double* b, Index k, Index ldb);
// x <- L^-1 x, then (with both) x <- L^-T x: L the lower triangle of the m x m matrix at l
// (leading dimension lda), x a vector of m entries (dtrsv; on the elastic-net benchmark path, whose
// support Newton factors reach ~1000, faster than Eigen's triangular solve).
SPARSEPATH_INTERFACE void lower_solve_vector(const double* l, Index m, Index lda, double* x);
SPARSEPATH_INTERFACE void lower_transpose_solve_vector(const double* l, Index m, Index lda, double* x);
// Solves A x = b in place from cholesky(A) (LAPACK dpotrs).
SPARSEPATH_INTERFACE void cholesky_solve(const Matrix& factor, Vector& b);
// Threads used by the kernels here (the experiment's `threads`): gemv_t splits columns across
// them; every result is bit-identical to the one-thread result.
SPARSEPATH_INTERFACE void set_threads(int threads);

}  // namespace sparsepath::blas
