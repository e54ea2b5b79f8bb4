// The dense design's batched column dot products (one gemv per run of consecutive columns, a dot
// for the rest) against one dot per column, for lists with runs of every length, gaps, and the
// whole matrix.
#define BOOST_TEST_MODULE dense_design
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <random>

using namespace sparsepath;
using sparsepath::testing::make_component;

BOOST_AUTO_TEST_CASE(col_dots_equal_single_dot_products) {
  const Index n = 57, p = 40;
  std::mt19937 generator(11u);
  std::normal_distribution<double> normal(0.0, 1.0);
  Matrix x(n, p);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = normal(generator);
  Vector v(n);
  for (Index i = 0; i < n; ++i) v[i] = normal(generator);
  std::vector<std::string> names;
  for (Index j = 0; j < p; ++j) names.push_back("c" + std::to_string(j));
  auto design = make_component<Design>("dense", {});
  DataMatrix data;
  data.dense = &x;
  data.names = &names;
  BOOST_REQUIRE(design->bind(data).ok());
  // Runs of lengths 1, 2, 3, 4, 5 and 9 with gaps between them, and every column.
  const std::vector<std::vector<Index>> lists = {
      {0, 2, 3, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28, 39},
      {}, {7}, {30, 31, 32, 33}};
  std::vector<Index> all(static_cast<std::size_t>(p));
  for (Index j = 0; j < p; ++j) all[static_cast<std::size_t>(j)] = j;
  auto check = [&](const std::vector<Index>& columns) {
    std::vector<double> dots(columns.size(), -1.0);
    design->col_dots(v, columns, dots.data());
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const double expected = x.col(columns[k]).dot(v);
      BOOST_TEST(std::abs(dots[k] - expected) <= 1e-13 * (1.0 + x.col(columns[k]).norm() * v.norm()),
                 "column " << columns[k] << ": " << dots[k] << " vs " << expected);
    }
  };
  for (const auto& columns : lists) check(columns);
  check(all);
}
