// The implicit interaction design against the materialized matrix [X, x_i o x_k]: every column
// operation, the blocked X^T v with one and two threads (bit-identical), X w, names and origins,
// the include list and its errors.
#define BOOST_TEST_MODULE pairwise_interactions
#include <boost/test/unit_test.hpp>

#include "sparsepath/core/blas.hpp"
#include "test_support.hpp"

#include <random>

using namespace sparsepath;
using sparsepath::testing::make_component;

namespace {

struct Data {
  Matrix x;
  std::vector<std::string> names;
  Data(Index n, Index p, unsigned seed) : x(n, p) {
    std::mt19937 generator(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < p; ++j) x(i, j) = normal(generator);
    }
    for (Index j = 0; j < p; ++j) names.push_back("c" + std::to_string(j));
  }
  std::unique_ptr<Design> bind(const std::vector<std::pair<std::string, std::string>>& values = {}) const {
    auto design = make_component<Design>("pairwise_interactions", values);
    DataMatrix matrix;
    matrix.dense = &x;
    matrix.names = &names;
    const Outcome outcome = design->bind(matrix);
    if (!outcome.ok()) throw Error(outcome.message);
    return design;
  }
};

Matrix materialize(const Matrix& x) {
  const Index n = x.rows(), p = x.cols();
  Matrix out(n, p + p * (p - 1) / 2);
  out.leftCols(p) = x;
  Index k = p;
  for (Index i = 0; i < p; ++i) {
    for (Index j = i + 1; j < p; ++j) out.col(k++) = x.col(i).cwiseProduct(x.col(j));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(matches_the_materialized_matrix) {
  for (Index p : {2, 3, 7, 40}) {
    BOOST_TEST_CONTEXT("p " << p) {
      const Data data(37, p, static_cast<unsigned>(p));
      auto design = data.bind();
      const Matrix full = materialize(data.x);
      BOOST_REQUIRE(design->cols() == full.cols());
      BOOST_TEST(design->rows() == 37);
      std::mt19937 generator(9);
      std::normal_distribution<double> normal(0.0, 1.0);
      Vector v(37), h(37);
      for (Index i = 0; i < 37; ++i) v[i] = normal(generator), h[i] = std::abs(normal(generator));
      Index k = p;
      for (Index i = 0; i < p; ++i) {
        for (Index j = i + 1; j < p; ++j, ++k) {
          const FeatureOrigin origin = design->origin(k);
          BOOST_TEST((origin.first == i && origin.second == j), "feature " << k);
          BOOST_TEST(design->feature_name(k) == data.names[static_cast<std::size_t>(i)] + ":" + data.names[static_cast<std::size_t>(j)]);
        }
      }
      for (Index j = 0; j < full.cols(); ++j) {
        const double scale = 1.0 + full.col(j).norm() * v.norm();
        BOOST_TEST(std::abs(design->col_dot(j, v) - full.col(j).dot(v)) <= 1e-13 * scale);
        BOOST_TEST(std::abs(design->col_sum(j) - full.col(j).sum()) <= 1e-12 * (1.0 + full.col(j).cwiseAbs().sum()));
        BOOST_TEST(std::abs(design->col_sq_norm(j) - full.col(j).squaredNorm()) <= 1e-12 * full.col(j).squaredNorm());
        BOOST_TEST(std::abs(design->col_weighted_sq_norm(j, h) - (full.col(j).array().square() * h.array()).sum()) <=
                   1e-12 * (1.0 + (full.col(j).array().square() * h.array()).sum()));
        Vector out = v;
        design->col_axpy(j, 0.7, out);
        BOOST_TEST((out - (v + 0.7 * full.col(j))).cwiseAbs().maxCoeff() <= 1e-13 * scale);
      }
      // Batched dot products (shared parents reused) equal the single ones.
      std::vector<Index> columns;
      for (Index j = 0; j < full.cols(); j += 1 + static_cast<Index>(j % 3)) columns.push_back(j);
      std::vector<double> dots(columns.size());
      design->col_dots(v, columns, dots.data());
      for (std::size_t k = 0; k < columns.size(); ++k) {
        BOOST_TEST(std::abs(dots[k] - full.col(columns[k]).dot(v)) <= 1e-12 * (1.0 + full.col(columns[k]).norm() * v.norm()));
      }
      Vector product(full.cols());
      design->gemv_t(v, product);
      const Vector expected = full.transpose() * v;
      BOOST_TEST((product - expected).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + expected.cwiseAbs().maxCoeff()));
      blas::set_threads(2);
      Vector threaded(full.cols());
      design->gemv_t(v, threaded);
      blas::set_threads(1);
      BOOST_TEST((threaded.array() == product.array()).all(), "two threads changed X^T v");
      Vector w = Vector::Zero(full.cols());
      for (Index j = 0; j < full.cols(); j += 3) w[j] = normal(generator);
      Vector z(37);
      design->gemv(w, z);
      BOOST_TEST((z - full * w).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + (full * w).cwiseAbs().maxCoeff()));
    }
  }
}

BOOST_AUTO_TEST_CASE(include_list) {
  const Data data(20, 5, 3u);
  auto design = data.bind({{"include", "c3:c1, c0:c4"}});
  BOOST_TEST(design->cols() == 7);
  BOOST_TEST(design->feature_name(5) == "c0:c4");  // lexicographic order of the pairs
  BOOST_TEST(design->feature_name(6) == "c1:c3");
  const Vector expected = data.x.col(1).cwiseProduct(data.x.col(3));
  Vector v = Vector::Ones(20);
  BOOST_TEST(std::abs(design->col_dot(6, v) - expected.sum()) <= 1e-12);
  for (const std::string bad : {"c1:c9", "c1c2", "c2:c2", "c1:c3, c3:c1"}) {
    BOOST_CHECK_THROW(data.bind({{"include", bad}}), Error);
  }
  try {
    data.bind({{"include", "c1:c3, c3:c1"}});
  } catch (const Error& error) {
    BOOST_TEST(std::string(error.what()).find("repeats") != std::string::npos, error.what());
  }
}
