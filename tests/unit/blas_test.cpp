// The dense kernels give bit-identical results whatever the thread count (what makes whole
// paths bit-identical across `threads`), and the Cholesky helpers solve what they claim.
#define BOOST_TEST_MODULE blas
#include <boost/test/unit_test.hpp>

#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/memory.hpp"

#include <random>
#include <utility>

using namespace sparsepath;

namespace {
Matrix random_matrix(Index rows, Index cols, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Matrix x(rows, cols);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = normal(generator);
  return x;
}
struct OneThreadAfter {
  ~OneThreadAfter() { blas::set_threads(1); }
};
}  // namespace

BOOST_AUTO_TEST_CASE(gemv_t_is_bit_identical_across_threads) {
  OneThreadAfter restore;
  // Odd and even shapes, column counts that are and are not multiples of the block size.
  for (const auto& [n, p] : {std::pair<Index, Index>{1001, 777}, {1000, 4096}, {333, 20011}, {2048, 1203}, {64, 9000}}) {
    const Matrix x = random_matrix(n, p, static_cast<unsigned>(n + p));
    const Vector v = random_matrix(n, 1, 7).col(0);
    Vector one(p), two(p), three(p);
    blas::set_threads(1);
    blas::gemv_t(x, v.data(), one.data());
    blas::set_threads(2);
    blas::gemv_t(x, v.data(), two.data());
    blas::set_threads(3);
    blas::gemv_t(x, v.data(), three.data());
    BOOST_TEST_CONTEXT("n " << n << " p " << p) {
      BOOST_TEST((one == two));
      BOOST_TEST((one == three));
      BOOST_TEST((one - x.transpose() * v).cwiseAbs().maxCoeff() <= 1e-10 * v.norm() * std::sqrt(double(n)));
    }
  }
}

BOOST_AUTO_TEST_CASE(gemv_t2_gives_both_products_bit_identically_across_threads) {
  OneThreadAfter restore;
  // Whole matrices and a block of columns with its own leading dimension; counts that are and
  // are not multiples of the 4-column block.
  for (const auto& [n, p] : {std::pair<Index, Index>{1001, 777}, {1000, 4096}, {64, 9001}, {513, 3}}) {
    const Matrix x = random_matrix(n, p, static_cast<unsigned>(n * p));
    const Vector v1 = random_matrix(n, 1, 8).col(0), v2 = random_matrix(n, 1, 9).col(0);
    const Index first = p > 10 ? 5 : 0, count = p - first;
    Vector one1(count), one2(count), two1(count), two2(count);
    blas::set_threads(1);
    blas::gemv_t2(n, count, x.col(first).data(), n, v1.data(), v2.data(), one1.data(), one2.data());
    blas::set_threads(2);
    blas::gemv_t2(n, count, x.col(first).data(), n, v1.data(), v2.data(), two1.data(), two2.data());
    BOOST_TEST_CONTEXT("n " << n << " p " << p) {
      BOOST_TEST((one1 == two1));
      BOOST_TEST((one2 == two2));
      const auto block = x.rightCols(count);
      BOOST_TEST((one1 - block.transpose() * v1).cwiseAbs().maxCoeff() <= 1e-10 * v1.norm() * std::sqrt(double(n)));
      BOOST_TEST((one2 - block.transpose() * v2).cwiseAbs().maxCoeff() <= 1e-10 * v2.norm() * std::sqrt(double(n)));
    }
  }
}

BOOST_AUTO_TEST_CASE(weighted_gram_is_bit_identical_across_threads) {
  OneThreadAfter restore;
  for (const auto& [n, p] : {std::pair<Index, Index>{1001, 777}, {3000, 1203}}) {
    const Matrix x = random_matrix(n, p, 3);
    const Vector h = random_matrix(n, 1, 5).col(0).cwiseAbs();
    Matrix one, two;
    blas::set_threads(1);
    blas::weighted_gram(x, &h, 1.0, one);
    blas::set_threads(2);
    blas::weighted_gram(x, &h, 1.0, two);
    BOOST_TEST_CONTEXT("n " << n << " p " << p) {
      BOOST_TEST((one == two));
      const Matrix expected = x.transpose() * h.asDiagonal() * x;
      BOOST_TEST((one - expected).cwiseAbs().maxCoeff() <= 1e-9 * expected.cwiseAbs().maxCoeff());
    }
  }
}

BOOST_AUTO_TEST_CASE(single_precision_centred_gram_is_close_and_bit_identical_across_threads) {
  // Columns with means far above their spread: centring after the product would cancel most
  // digits of a single-precision result; centring before rounding keeps ~1e-6. Several tiles
  // (p > 256) and a ragged last one.
  OneThreadAfter restore;
  const Index n = 2000, p = 601;
  Matrix x = random_matrix(n, p, 13);
  for (Index j = 0; j < p; ++j) x.col(j).array() += 50.0 * static_cast<double>(j % 7 + 1);
  const Vector h = random_matrix(n, 1, 17).col(0).cwiseAbs();
  const Vector centre = (x.transpose() * h) / h.sum();
  std::vector<float> scratch;
  std::vector<Index> columns(static_cast<std::size_t>(p));
  for (Index j = 0; j < p; ++j) columns[static_cast<std::size_t>(j)] = j;
  blas::weighted_columns_single(x, h, centre, columns, 0, scratch);
  Matrix one(p, p), two(p, p);
  blas::set_threads(1);
  blas::slot_gram_single(scratch, n, columns, 0, one);
  blas::set_threads(2);
  blas::slot_gram_single(scratch, n, columns, 0, two);
  BOOST_TEST((one == two));
  const Matrix centred = x.rowwise() - centre.transpose();
  const Matrix expected = centred.transpose() * h.asDiagonal() * centred;
  const double error = (one - expected).cwiseAbs().maxCoeff() / expected.cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE("single-precision centred Gram: max error / max entry " << error);
  BOOST_TEST(error <= 1e-5);
  BOOST_TEST(error > 0.0);  // it is single precision
  BOOST_TEST((one - one.transpose()).cwiseAbs().maxCoeff() == 0.0);
}

BOOST_AUTO_TEST_CASE(a_single_precision_gram_grown_by_slots_matches_the_exact_one_on_its_members) {
  // Built over some columns, then extended twice (more than one 256-tile, a ragged last one):
  // member entries within single-precision error of the exact centred Gram, exactly symmetric,
  // zero outside the members, the same bits with 1 and 2 threads.
  OneThreadAfter restore;
  const Index n = 700, p = 700;
  Matrix x = random_matrix(n, p, 23);
  for (Index j = 0; j < p; ++j) x.col(j).array() += 20.0 * static_cast<double>(j % 5);
  const Vector h = random_matrix(n, 1, 29).col(0).cwiseAbs();
  const Vector centre = (x.transpose() * h) / h.sum();
  std::vector<Index> first, second, third;
  for (Index j = 0; j < p; ++j) (j % 3 == 0 ? first : j % 3 == 1 ? second : third).push_back(j);
  third.resize(third.size() / 2);  // some columns never join
  auto grow = [&](int threads) {
    blas::set_threads(threads);
    std::vector<float> scratch;
    Matrix gram = Matrix::Zero(p, p);
    std::vector<Index> members;
    for (const std::vector<Index>* part : {&first, &second, &third}) {
      const Index start = static_cast<Index>(members.size());
      members.insert(members.end(), part->begin(), part->end());
      blas::weighted_columns_single(x, h, centre, *part, start, scratch);
      blas::slot_gram_single(scratch, n, members, start, gram);
    }
    return std::make_pair(gram, members);
  };
  const auto [one, members] = grow(1);
  const auto two = grow(2).first;
  BOOST_TEST((one == two));
  BOOST_TEST((one - one.transpose()).cwiseAbs().maxCoeff() == 0.0);
  const Matrix centred = x.rowwise() - centre.transpose();
  const Matrix expected = centred.transpose() * h.asDiagonal() * centred;
  std::vector<char> member(static_cast<std::size_t>(p), 0);
  for (Index j : members) member[static_cast<std::size_t>(j)] = 1;
  double worst = 0.0, outside = 0.0;
  for (Index a = 0; a < p; ++a) {
    for (Index b = 0; b < p; ++b) {
      if (member[static_cast<std::size_t>(a)] && member[static_cast<std::size_t>(b)]) {
        worst = std::max(worst, std::abs(one(a, b) - expected(a, b)));
      } else {
        outside = std::max(outside, std::abs(one(a, b)));
      }
    }
  }
  BOOST_TEST(worst / expected.cwiseAbs().maxCoeff() <= 1e-5);
  BOOST_TEST(outside == 0.0);
}

BOOST_AUTO_TEST_CASE(triangular_vector_solves_invert_the_leading_block) {
  // The leading m x m block of a larger array (leading dimension lda > m), junk above the diagonal
  // and beyond the block: L^-1 x and L^-T x must satisfy L y = x and L^T y = x.
  const Index lda = 40, m = 29;
  Matrix array = random_matrix(lda, lda, 21);
  for (Index j = 0; j < m; ++j) array(j, j) = 3.0 + std::abs(array(j, j));  // well conditioned
  const auto lower = array.topLeftCorner(m, m).triangularView<Eigen::Lower>();
  const Vector x = random_matrix(m, 1, 22).col(0);
  Vector forward = x, backward = x;
  blas::lower_solve_vector(array.data(), m, lda, forward.data());
  blas::lower_transpose_solve_vector(array.data(), m, lda, backward.data());
  const Vector lower_times = lower * forward;
  const Vector transpose_times = lower.transpose() * backward;
  BOOST_TEST((lower_times - x).cwiseAbs().maxCoeff() <= 1e-12 * x.cwiseAbs().maxCoeff());
  BOOST_TEST((transpose_times - x).cwiseAbs().maxCoeff() <= 1e-12 * x.cwiseAbs().maxCoeff());
  BOOST_TEST((forward - backward).cwiseAbs().maxCoeff() > 1e-6);  // the two are different solves
}

BOOST_AUTO_TEST_CASE(columns_axpy_adds_the_chosen_columns) {
  // A long run (gemv), short runs and scattered columns (the four-column kernel), unsorted.
  const Index n = 301, p = 200;
  const Matrix x = random_matrix(n, p, 31);
  std::vector<Index> columns;
  for (Index j = 10; j < 60; ++j) columns.push_back(j);  // a run of 50
  for (Index j : {199, 3, 4, 5, 150, 151, 77, 120, 0, 90, 91, 92}) columns.push_back(j);
  const Vector coefficients = random_matrix(static_cast<Index>(columns.size()), 1, 37).col(0);
  Vector y = random_matrix(n, 1, 41).col(0);
  Vector expected = y;
  for (std::size_t k = 0; k < columns.size(); ++k) expected += coefficients[static_cast<Index>(k)] * x.col(columns[k]);
  blas::columns_axpy(n, x.data(), n, columns, coefficients.data(), y.data());
  BOOST_TEST((y - expected).cwiseAbs().maxCoeff() <= 1e-12 * expected.cwiseAbs().maxCoeff());
}

BOOST_AUTO_TEST_CASE(huge_page_storage_keeps_every_entry) {
  // Moving a sparse matrix's arrays (above and below the 4 MiB threshold) changes no entry and
  // no structure; resizing a dense matrix on huge pages gives the asked shape.
  for (const Index columns : {Index{40}, Index{6000}}) {
    std::vector<Eigen::Triplet<double>> entries;
    std::mt19937 generator(static_cast<unsigned>(columns));
    std::uniform_int_distribution<Index> row(0, 999);
    for (Index j = 0; j < columns; ++j) {
      for (int k = 0; k < 120; ++k) entries.emplace_back(row(generator), j, static_cast<double>(j + k) + 0.5);
    }
    SparseMatrix matrix(1000, columns);
    matrix.setFromTriplets(entries.begin(), entries.end());
    const SparseMatrix before = matrix;
    move_to_huge_pages(matrix);
    BOOST_TEST_CONTEXT("columns " << columns) {
      BOOST_TEST(matrix.isCompressed());
      BOOST_TEST(matrix.nonZeros() == before.nonZeros());
      BOOST_TEST((Matrix(matrix) == Matrix(before)));
    }
  }
  Matrix dense;
  resize_on_huge_pages(dense, 1500, 700);
  BOOST_TEST(dense.rows() == 1500);
  BOOST_TEST(dense.cols() == 700);
  dense.setOnes();
  BOOST_TEST(dense.sum() == 1500.0 * 700.0);
}

BOOST_AUTO_TEST_CASE(cholesky_solves_and_refuses_indefinite_matrices) {
  const Matrix a = random_matrix(40, 12, 9);
  Matrix spd = a.transpose() * a;
  const Vector b = random_matrix(12, 1, 11).col(0);
  Matrix factor = spd;
  BOOST_REQUIRE(blas::cholesky(factor));
  Vector x = b;
  blas::cholesky_solve(factor, x);
  BOOST_TEST((spd * x - b).norm() <= 1e-10 * b.norm() * spd.norm());
  Matrix indefinite = spd;
  indefinite(3, 3) = -1.0;
  BOOST_TEST(!blas::cholesky(indefinite));
}
