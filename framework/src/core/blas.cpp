#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/memory.hpp"

#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <thread>
#include <vector>

// LAPACK (bundled with OpenBLAS).
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info);
}

namespace sparsepath::blas {

namespace {
int thread_count = 1;  // set_threads; OpenBLAS itself stays on one thread (see gemv_t)
}  // namespace

// With several threads, X^T v is split into column blocks, one OpenBLAS call per thread on one
// thread each. Block boundaries are multiples of 16 columns: the kernel groups columns from the
// start of each call, so every column is summed in the same order as in a single call and the
// result is bit-identical to the one-thread result (a test checks shapes with odd n and p).
// OpenBLAS's own threaded gemv splits the rows instead, which changes the sums.
void gemv_t(const Matrix& x, const double* v, double* out) {
  const Index n = x.rows(), p = x.cols();
  const Index parts = std::min<Index>(thread_count, p / 64);
  if (parts < 2 || n * p < (Index{1} << 18)) {
    cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(n), static_cast<int>(p), 1.0, x.data(),
                static_cast<int>(n), v, 1, 0.0, out, 1);
    return;
  }
  auto block = [&](Index begin, Index end) {
    cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(n), static_cast<int>(end - begin), 1.0,
                x.data() + begin * n, static_cast<int>(n), v, 1, 0.0, out + begin, 1);
  };
  std::vector<std::thread> workers;
  Index begin = 0;
  for (Index part = 0; part < parts; ++part) {
    const Index end = part + 1 == parts ? p : (p * (part + 1) / parts) / 16 * 16;
    if (part + 1 == parts) block(begin, end);
    else workers.emplace_back(block, begin, end);
    begin = end;
  }
  for (std::thread& worker : workers) worker.join();
}

void gemv(const Matrix& x, const double* w, double* out) {
  cblas_dgemv(CblasColMajor, CblasNoTrans, static_cast<int>(x.rows()), static_cast<int>(x.cols()), 1.0,
              x.data(), static_cast<int>(x.rows()), w, 1, 0.0, out, 1);
}

void gemv_t(Index rows, Index cols, const double* a, Index lda, const double* v, double* out) {
  cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(rows), static_cast<int>(cols), 1.0, a,
              static_cast<int>(lda), v, 1, 0.0, out, 1);
}

namespace {

__attribute__((target("avx2,fma"))) inline double total(__m256d sum) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd(sum, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

// Both products of columns [begin, end), each column read once: four columns at a time, eight
// running sums (AVX2 and FMA where the machine has them: runtime dispatch; the last bits may
// differ between machines, never between thread counts or calls).
__attribute__((target("avx2,fma"))) void dual_dots_avx2(Index rows, const double* a, Index lda, Index begin, Index end,
                                                        const double* v1, const double* v2, double* out1, double* out2) {
  const Index wide = rows / 4 * 4;
  Index j = begin;
  for (; j + 4 <= end; j += 4) {
    const double* c0 = a + j * lda;
    const double* c1 = c0 + lda;
    const double* c2 = c1 + lda;
    const double* c3 = c2 + lda;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
    for (Index i = 0; i < wide; i += 4) {
      const __m256d x1 = _mm256_loadu_pd(v1 + i), x2 = _mm256_loadu_pd(v2 + i);
      const __m256d a0 = _mm256_loadu_pd(c0 + i), a1 = _mm256_loadu_pd(c1 + i);
      const __m256d a2 = _mm256_loadu_pd(c2 + i), a3 = _mm256_loadu_pd(c3 + i);
      s0 = _mm256_fmadd_pd(a0, x1, s0);
      t0 = _mm256_fmadd_pd(a0, x2, t0);
      s1 = _mm256_fmadd_pd(a1, x1, s1);
      t1 = _mm256_fmadd_pd(a1, x2, t1);
      s2 = _mm256_fmadd_pd(a2, x1, s2);
      t2 = _mm256_fmadd_pd(a2, x2, t2);
      s3 = _mm256_fmadd_pd(a3, x1, s3);
      t3 = _mm256_fmadd_pd(a3, x2, t3);
    }
    double r[8] = {total(s0), total(s1), total(s2), total(s3), total(t0), total(t1), total(t2), total(t3)};
    for (Index i = wide; i < rows; ++i) {
      r[0] += c0[i] * v1[i];
      r[1] += c1[i] * v1[i];
      r[2] += c2[i] * v1[i];
      r[3] += c3[i] * v1[i];
      r[4] += c0[i] * v2[i];
      r[5] += c1[i] * v2[i];
      r[6] += c2[i] * v2[i];
      r[7] += c3[i] * v2[i];
    }
    for (int c = 0; c < 4; ++c) {
      out1[j + c] = r[c];
      out2[j + c] = r[4 + c];
    }
  }
  for (; j < end; ++j) {
    const double* column = a + j * lda;
    __m256d s = _mm256_setzero_pd(), t = s;
    for (Index i = 0; i < wide; i += 4) {
      const __m256d x = _mm256_loadu_pd(column + i);
      s = _mm256_fmadd_pd(x, _mm256_loadu_pd(v1 + i), s);
      t = _mm256_fmadd_pd(x, _mm256_loadu_pd(v2 + i), t);
    }
    double first = total(s), second = total(t);
    for (Index i = wide; i < rows; ++i) {
      first += column[i] * v1[i];
      second += column[i] * v2[i];
    }
    out1[j] = first;
    out2[j] = second;
  }
}

const bool has_avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

}  // namespace

void gemv_t2(Index rows, Index cols, const double* a, Index lda, const double* v1, const double* v2,
             double* out1, double* out2) {
  constexpr Index width = 4;  // without AVX2: 4 columns of 10^4 rows stay in L2 between the two products
  auto block = [&](Index begin, Index end) {
    if (has_avx2_fma) {
      dual_dots_avx2(rows, a, lda, begin, end, v1, v2, out1, out2);
      return;
    }
    for (Index j = begin; j < end; j += width) {
      const int count = static_cast<int>(std::min(width, end - j));
      cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(rows), count, 1.0, a + j * lda,
                  static_cast<int>(lda), v1, 1, 0.0, out1 + j, 1);
      cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(rows), count, 1.0, a + j * lda,
                  static_cast<int>(lda), v2, 1, 0.0, out2 + j, 1);
    }
  };
  const Index parts = std::min<Index>(thread_count, cols / 64);
  if (parts < 2 || rows * cols < (Index{1} << 18)) {
    block(0, cols);
    return;
  }
  std::vector<std::thread> workers;
  Index begin = 0;
  for (Index part = 0; part < parts; ++part) {
    const Index end = part + 1 == parts ? cols : (cols * (part + 1) / parts) / width * width;
    if (part + 1 == parts) block(begin, end);
    else workers.emplace_back(block, begin, end);
    begin = end;
  }
  for (std::thread& worker : workers) worker.join();
}

int threads() { return thread_count; }

void gemv_add(Index rows, Index cols, double alpha, const double* a, Index lda, const double* x, double* y) {
  cblas_dgemv(CblasColMajor, CblasNoTrans, static_cast<int>(rows), static_cast<int>(cols), alpha, a,
              static_cast<int>(lda), x, 1, 1.0, y, 1);
}

void weighted_gram(const Matrix& x, const Vector* weights, double scale, Matrix& gram) {
  const int n = static_cast<int>(x.rows()), p = static_cast<int>(x.cols());
  resize_on_huge_pages(gram, p, p);
  // OpenBLAS's threaded syrk splits the output, not the sums: bit-identical to one thread
  // (checked by a test), so it may use every thread.
  struct Threads {
    explicit Threads(int count) { if (count > 1) openblas_set_num_threads(count); }
    ~Threads() { openblas_set_num_threads(1); }
  } threads(thread_count);
  if (weights == nullptr) {
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, n, scale, x.data(), n, 0.0, gram.data(), p);
  } else {
    Matrix scaled = weights->cwiseSqrt().asDiagonal() * x;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, n, scale, scaled.data(), n, 0.0, gram.data(), p);
  }
  gram.triangularView<Eigen::StrictlyLower>() = gram.transpose();
}

namespace {

// Four columns per pass over y (AVX2 and FMA where the machine has them: runtime dispatch, like
// OpenBLAS's kernels, so the last bits may differ between machines, never between thread counts).
__attribute__((target_clones("arch=haswell", "default")))
void scattered_columns_axpy(Index n, const double* x, Index ldx, const Index* columns, const double* coefficients,
                            std::size_t count, double* y) {
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const double* a = x + columns[k] * ldx;
    const double* b = x + columns[k + 1] * ldx;
    const double* c = x + columns[k + 2] * ldx;
    const double* d = x + columns[k + 3] * ldx;
    const double ca = coefficients[k], cb = coefficients[k + 1], cc = coefficients[k + 2], cd = coefficients[k + 3];
    for (Index i = 0; i < n; ++i) y[i] += (ca * a[i] + cb * b[i]) + (cc * c[i] + cd * d[i]);
  }
  for (; k < count; ++k) {
    const double* a = x + columns[k] * ldx;
    const double ca = coefficients[k];
    for (Index i = 0; i < n; ++i) y[i] += ca * a[i];
  }
}

}  // namespace

void columns_axpy(Index n, const double* x, Index ldx, std::span<const Index> columns, const double* coefficients,
                  double* y) {
  // Runs of at least 32 consecutive columns go to OpenBLAS's gemv (faster on long runs); the
  // others, gathered in order, to the four-column kernel.
  constexpr std::size_t long_run = 32;
  thread_local std::vector<Index> rest;
  thread_local std::vector<double> rest_coefficients;
  rest.clear();
  rest_coefficients.clear();
  const std::size_t count = columns.size();
  std::size_t k = 0;
  while (k < count) {
    std::size_t end = k + 1;
    while (end < count && columns[end] == columns[end - 1] + 1) ++end;
    if (end - k >= long_run) {
      cblas_dgemv(CblasColMajor, CblasNoTrans, static_cast<int>(n), static_cast<int>(end - k), 1.0,
                  x + columns[k] * ldx, static_cast<int>(ldx), coefficients + k, 1, 1.0, y, 1);
    } else {
      rest.insert(rest.end(), columns.begin() + static_cast<std::ptrdiff_t>(k), columns.begin() + static_cast<std::ptrdiff_t>(end));
      rest_coefficients.insert(rest_coefficients.end(), coefficients + k, coefficients + end);
    }
    k = end;
  }
  scattered_columns_axpy(n, x, ldx, rest.data(), rest_coefficients.data(), rest.size(), y);
}

double symmetric_product(const Matrix& g, const Vector& w, Vector& out) {
  const Index p = w.size();
  out.resize(p);
  Index nonzeros = 0;
  for (Index j = 0; j < p; ++j) nonzeros += w[j] != 0.0 ? 1 : 0;
  if (4 * nonzeros >= p && p > 0) {
    cblas_dsymv(CblasColMajor, CblasLower, static_cast<int>(p), 1.0, g.data(), static_cast<int>(g.rows()),
                w.data(), 1, 0.0, out.data(), 1);
    return 2.0 * static_cast<double>(p) * static_cast<double>(p);
  }
  out.setZero();
  for (Index j = 0; j < p; ++j) {
    if (w[j] != 0.0) axpy(p, w[j], g.col(j).data(), out.data());
  }
  return 2.0 * static_cast<double>(nonzeros) * static_cast<double>(p);
}

void weighted_columns_single(const Matrix& x, const Vector& weights, const Vector& centre,
                             std::span<const Index> columns, Index first, std::vector<float>& scratch) {
  const Index n = x.rows();
  const std::size_t needed = static_cast<std::size_t>(n * (first + static_cast<Index>(columns.size())));
  if (scratch.capacity() < needed) {
    // Room for every column at once (the metric grows to all of them), on huge pages.
    std::vector<float> grown;
    grown.reserve(std::max(needed, static_cast<std::size_t>(n * x.cols())));
    advise_huge_pages(grown.data(), grown.capacity() * sizeof(float));
    grown.assign(scratch.begin(), scratch.end());
    scratch.swap(grown);
  }
  if (scratch.size() < needed) scratch.resize(needed);
  const Vector root = weights.cwiseSqrt();
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const Index j = columns[k];
    const double* column = x.col(j).data();
    float* out = scratch.data() + (first + static_cast<Index>(k)) * n;
    const double c = centre[j];
    for (Index i = 0; i < n; ++i) out[i] = static_cast<float>(root[i] * (column[i] - c));
  }
}

void slot_gram_single(const std::vector<float>& scratch, Index n, std::span<const Index> slot_features, Index first,
                      Matrix& gram) {
  const Index count = static_cast<Index>(slot_features.size());
  const Index width = count - first;
  if (width <= 0) return;
  constexpr Index tile = 256;
  // Tiles of the upper triangle of columns [first, count): column tiles from first, row tiles
  // from 0 up to the column tile's end.
  std::vector<std::pair<Index, Index>> tiles;
  for (Index column = first; column < count; column += tile) {
    const Index column_end = std::min(count, column + tile);
    for (Index row = 0; row < column_end; row += tile) tiles.emplace_back(row, column);
  }
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> product(count, width);
  const float* data = scratch.data();
  auto compute = [&](std::size_t begin, std::size_t step) {
    for (std::size_t t = begin; t < tiles.size(); t += step) {
      const auto [row, column] = tiles[t];
      const Index columns_of_tile = std::min(tile, count - column);
      const Index rows_of_tile = std::min(tile, column + columns_of_tile - row);
      cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, static_cast<int>(rows_of_tile),
                  static_cast<int>(columns_of_tile), static_cast<int>(n), 1.0f, data + row * n, static_cast<int>(n),
                  data + column * n, static_cast<int>(n), 0.0f, product.data() + row + (column - first) * count,
                  static_cast<int>(count));
    }
  };
  const std::size_t workers_wanted = std::min<std::size_t>(static_cast<std::size_t>(thread_count), tiles.size());
  std::vector<std::thread> workers;
  for (std::size_t worker = 1; worker < workers_wanted; ++worker) workers.emplace_back(compute, worker, workers_wanted);
  compute(0, std::max<std::size_t>(1, workers_wanted));
  for (std::thread& worker : workers) worker.join();
  for (Index b = first; b < count; ++b) {
    const Index jb = slot_features[static_cast<std::size_t>(b)];
    for (Index a = 0; a <= b; ++a) {
      const Index ja = slot_features[static_cast<std::size_t>(a)];
      const double value = static_cast<double>(product(a, b - first));
      gram(ja, jb) = value;
      gram(jb, ja) = value;
    }
  }
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

void gemm_tn(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb, double* c, Index ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0,
              a, static_cast<int>(lda), b, static_cast<int>(ldb), 0.0, c, static_cast<int>(ldc));
}

void lower_solve(const double* l, Index m, Index lda, double* b, Index k, Index ldb) {
  if (m == 0 || k == 0) return;
  cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, static_cast<int>(m),
              static_cast<int>(k), 1.0, l, static_cast<int>(lda), b, static_cast<int>(ldb));
}

void lower_solve_vector(const double* l, Index m, Index lda, double* x) {
  if (m == 0) return;
  cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, static_cast<int>(m), l, static_cast<int>(lda), x, 1);
}

void lower_transpose_solve_vector(const double* l, Index m, Index lda, double* x) {
  if (m == 0) return;
  cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasNonUnit, static_cast<int>(m), l, static_cast<int>(lda), x, 1);
}

bool cholesky(Matrix& a) { return cholesky(a.data(), a.rows(), a.rows()); }

void cholesky_solve(const Matrix& factor, Vector& b) {
  char lower = 'L';
  int n = static_cast<int>(factor.rows()), columns = 1, info = 0;
  if (n == 0) return;
  dpotrs_(&lower, &n, &columns, factor.data(), &n, b.data(), &n, &info);
}

void set_threads(int threads) {
  thread_count = std::max(1, threads);
  openblas_set_num_threads(1);
}

}  // namespace sparsepath::blas
