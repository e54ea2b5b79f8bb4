// The epsilon-norm solver against bisection on its defining equation (MATH.md 9.2): random inputs
// with a + r = 1 and a + r != 1, single entries, the two limits (a = 0: ||x||_2 / r; r = 0:
// ||x||_inf / a), positive homogeneity, and Hoelder's inequality with its equality case.
#define BOOST_TEST_MODULE epsilon_norm
#include <boost/test/unit_test.hpp>

#include "epsilon_norm.hpp"

#include <algorithm>
#include <random>

using sparsepath::plugins::epsilon_norm;

namespace {

// The root of phi(nu) = sum (|x_i| - a nu)_+^2 - (r nu)^2, which decreases from phi(0) > 0.
double bisection(const std::vector<double>& x, double a, double r) {
  auto phi = [&](double nu) {
    double total = 0.0;
    for (double value : x) total += std::pow(std::max(std::abs(value) - a * nu, 0.0), 2);
    return total - r * r * nu * nu;
  };
  double low = 0.0, high = 1.0;
  while (phi(high) > 0.0) high *= 2.0;
  for (int step = 0; step < 200; ++step) {
    const double middle = 0.5 * (low + high);
    (phi(middle) > 0.0 ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

double norm_of(const std::vector<double>& x, double a, double r) {
  std::vector<double> scratch;
  return epsilon_norm(x, static_cast<long>(x.size()), a, r, scratch);
}

}  // namespace

BOOST_AUTO_TEST_CASE(matches_bisection) {
  std::mt19937 generator(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 2000; ++trial) {
    const int size = 1 + trial % 12;
    std::vector<double> x(static_cast<std::size_t>(size));
    for (double& value : x) value = normal(generator) * (trial % 3 == 0 ? 100.0 : 1.0);
    if (trial % 7 == 0) x[0] = 0.0;
    double a = unit(generator), r = unit(generator);
    if (trial % 2 == 0) r = 1.0 - a;  // the epsilon-norm proper: a = 1 - eps, r = eps
    const double computed = norm_of(x, a, r);
    if (std::all_of(x.begin(), x.end(), [](double value) { return value == 0.0; })) {
      BOOST_TEST(computed == 0.0);
      continue;
    }
    const double expected = bisection(x, a, r);
    BOOST_TEST(std::abs(computed - expected) <= 1e-10 * expected,
               "trial " << trial << " (size " << size << ", a " << a << ", r " << r << "): " << computed << " vs "
                        << expected);
  }
}

BOOST_AUTO_TEST_CASE(limits_and_single_entries) {
  const std::vector<double> x{3.0, -4.0, 1.0};
  BOOST_TEST(std::abs(norm_of(x, 0.0, 2.0) - std::sqrt(26.0) / 2.0) <= 1e-15);
  BOOST_TEST(norm_of(x, 0.5, 0.0) == 8.0);
  BOOST_TEST(norm_of({-2.0}, 0.3, 0.5) == 2.0 / 0.8);  // one entry: |x| / (a + r)
  BOOST_TEST(norm_of({0.0, 0.0}, 0.3, 0.5) == 0.0);
}

BOOST_AUTO_TEST_CASE(homogeneity_and_hoelder) {
  std::mt19937 generator(8);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<double> x(6);
    for (double& value : x) value = normal(generator);
    const double epsilon = unit(generator);
    const double nu = norm_of(x, 1.0 - epsilon, epsilon);
    std::vector<double> scaled = x;
    for (double& value : scaled) value *= 3.5;
    BOOST_TEST(std::abs(norm_of(scaled, 1.0 - epsilon, epsilon) - 3.5 * nu) <= 1e-13 * nu);
    // <x, b> <= ||x||_eps ((1 - eps)||b||_1 + eps ||b||_2), with equality at b = S_{(1-eps) nu}(x).
    auto dual = [&](const std::vector<double>& b) {
      double l1 = 0.0, l2 = 0.0;
      for (double value : b) l1 += std::abs(value), l2 += value * value;
      return (1.0 - epsilon) * l1 + epsilon * std::sqrt(l2);
    };
    auto pairing = [&](const std::vector<double>& b) {
      double total = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) total += x[i] * b[i];
      return total;
    };
    for (int k = 0; k < 20; ++k) {
      std::vector<double> b(6);
      for (double& value : b) value = normal(generator);
      BOOST_TEST(pairing(b) <= nu * dual(b) * (1.0 + 1e-12) + 1e-15);
    }
    std::vector<double> best(6);
    for (std::size_t i = 0; i < x.size(); ++i) {
      best[i] = std::copysign(std::max(std::abs(x[i]) - (1.0 - epsilon) * nu, 0.0), x[i]);
    }
    BOOST_TEST(std::abs(pairing(best) - nu * dual(best)) <= 1e-10 * std::abs(pairing(best)) + 1e-14);
  }
}

// Small r / a (the sparse-group lasso with alpha near 1, or tiny group weights), a / (a + r)
// rounding to 1, and ties: the regimes where a naive discriminant cancels or the filter drops
// every entry.
BOOST_AUTO_TEST_CASE(extreme_ratios_and_ties) {
  std::mt19937 generator(9);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double r : {1e-3, 1e-5, 1e-8}) {
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<double> x(static_cast<std::size_t>(2 + trial % 9));
      for (double& value : x) value = normal(generator);
      const double a = 0.9;
      const double expected = bisection(x, a, r);
      BOOST_TEST(std::abs(norm_of(x, a, r) - expected) <= 1e-13 * expected, "r " << r << ", trial " << trial);
    }
  }
  const double tiny = norm_of({3.0, -1.0, 2.0}, 0.3, 1e-17);  // a / (a + r) == 1 in doubles
  BOOST_TEST(std::isfinite(tiny));
  BOOST_TEST(std::abs(tiny - 3.0 / 0.3) <= 1e-12 * tiny);
  for (double a : {0.2, 0.5, 0.8}) {
    const std::vector<double> ties{2.0, -2.0, 1.0, 1.0, 2.0};
    const double expected = bisection(ties, a, 1.0 - a);
    BOOST_TEST(std::abs(norm_of(ties, a, 1.0 - a) - expected) <= 1e-12 * expected);
  }
}
