// Dense kernels backed by OpenBLAS, for plugins and the framework (the core library links BLAS so
// that plugins need not). All results are independent of the number of BLAS threads: each output
// entry is computed by one thread.
#pragma once

#include "sparsepath/core/types.hpp"

namespace sparsepath::blas {

// out = X^T v
SPARSEPATH_INTERFACE void gemv_t(const Matrix& x, const double* v, double* out);
// out = X w
SPARSEPATH_INTERFACE void gemv(const Matrix& x, const double* w, double* out);
// gram = X^T diag(weights) X (full symmetric p x p); weights may be null (all ones), scale
// multiplies the result.
SPARSEPATH_INTERFACE void weighted_gram(const Matrix& x, const Vector* weights, double scale, Matrix& gram);
// x . y and y += a x on contiguous vectors (OpenBLAS's runtime-dispatched kernels). dot uses
// OpenBLAS only up to 10000 entries, where it never splits the sum across threads, so results
// do not depend on the thread count.
SPARSEPATH_INTERFACE double dot(Index n, const double* x, const double* y);
SPARSEPATH_INTERFACE void axpy(Index n, double a, const double* x, double* y);
// Threads used by BLAS calls (the experiment's `threads`).
SPARSEPATH_INTERFACE void set_threads(int threads);

}  // namespace sparsepath::blas
