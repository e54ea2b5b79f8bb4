#include "sparsepath/core/blas.hpp"

#include <cblas.h>

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

void set_threads(int threads) { openblas_set_num_threads(threads); }

}  // namespace sparsepath::blas
