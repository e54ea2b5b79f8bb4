#include "sparsepath/core/blas.hpp"

#include <cblas.h>

// LAPACK (bundled with OpenBLAS).
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info);
}

namespace sparsepath::blas {

void gemv_t(const Matrix& x, const double* v, double* out) {
  cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(x.rows()), static_cast<int>(x.cols()), 1.0,
              x.data(), static_cast<int>(x.rows()), v, 1, 0.0, out, 1);
}

void gemv(const Matrix& x, const double* w, double* out) {
  cblas_dgemv(CblasColMajor, CblasNoTrans, static_cast<int>(x.rows()), static_cast<int>(x.cols()), 1.0,
              x.data(), static_cast<int>(x.rows()), w, 1, 0.0, out, 1);
}

void weighted_gram(const Matrix& x, const Vector* weights, double scale, Matrix& gram) {
  const int n = static_cast<int>(x.rows()), p = static_cast<int>(x.cols());
  gram.resize(p, p);
  if (weights == nullptr) {
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, n, scale, x.data(), n, 0.0, gram.data(), p);
  } else {
    Matrix scaled = weights->cwiseSqrt().asDiagonal() * x;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, n, scale, scaled.data(), n, 0.0, gram.data(), p);
  }
  gram.triangularView<Eigen::StrictlyLower>() = gram.transpose();
}

double dot(Index n, const double* x, const double* y) {
  if (n <= 10000) return cblas_ddot(static_cast<int>(n), x, 1, y, 1);
  return Eigen::Map<const Vector>(x, n).dot(Eigen::Map<const Vector>(y, n));
}

void axpy(Index n, double a, const double* x, double* y) {
  cblas_daxpy(static_cast<int>(n), a, x, 1, y, 1);  // elementwise: thread-count independent
}

bool cholesky(double* a, Index n, Index lda) {
  char lower = 'L';
  int size = static_cast<int>(n), leading = static_cast<int>(lda), info = 0;
  if (size == 0) return true;
  dpotrf_(&lower, &size, a, &leading, &info);
  return info == 0;
}

bool cholesky(Matrix& a) { return cholesky(a.data(), a.rows(), a.rows()); }

void cholesky_solve(const Matrix& factor, Vector& b) {
  char lower = 'L';
  int n = static_cast<int>(factor.rows()), columns = 1, info = 0;
  if (n == 0) return;
  dpotrs_(&lower, &n, &columns, factor.data(), &n, b.data(), &n, &info);
}

void set_threads(int threads) { openblas_set_num_threads(threads); }

}  // namespace sparsepath::blas
