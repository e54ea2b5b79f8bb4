// Newton steps on a fixed support, checked against the lasso / elastic-net optimality conditions
// on that support, against a descent requirement when the support is wrong, and (factor kept up
// to date across calls) against a fresh factorisation.
#define BOOST_TEST_MODULE support_newton
#include <boost/test/unit_test.hpp>

#include "support_newton.hpp"
#include "test_support.hpp"

#include <cmath>

using namespace sparsepath;
using namespace sparsepath::testing;
using sparsepath::plugins::SupportNewton;

namespace {

double flops = 0.0;  // the steps' work estimates (not checked here)

struct Setup {
  RandomProblem data;
  std::unique_ptr<Penalty> penalty;
  double h;  // uniform sample weight: the data term is h/2 ||r||^2
  Setup(Index n, Index p, unsigned seed, double alpha, double lambda, double correlation)
      : data(n, p, seed, false, correlation), h(1.0 / static_cast<double>(n)) {
    std::vector<std::pair<std::string, std::string>> values;
    if (alpha < 1.0) values.emplace_back("alpha", format_real(alpha));
    penalty = bound_penalty(data, alpha < 1.0 ? "elastic_net" : "lasso", values);
    penalty->set_lambda(lambda);
  }
  Vector residual(const Vector& w, double b) const { return (data.y - data.x * w).array() - b; }
  double objective(const Vector& w, double b) const {
    return 0.5 * h * residual(w, b).squaredNorm() + penalty->value(w);
  }
  // Largest violation of the stationarity conditions on the nonzero coordinates and of the
  // intercept's (sum r = 0), relative to lambda.
  double stationarity(const Vector& w, double b) const {
    const Vector r = residual(w, b);
    double worst = std::abs(h * r.sum());
    for (Index j = 0; j < w.size(); ++j) {
      if (w[j] == 0.0) continue;
      double first = 0.0, second = 0.0;
      BOOST_REQUIRE(penalty->derivatives(j, w[j], first, second));
      worst = std::max(worst, std::abs(h * data.x.col(j).dot(r) - first));
    }
    return worst / penalty->lambda();
  }
};

// A point with a chosen support and signs, solved exactly on that support by a dense solve.
Vector solve_on_support(const Setup& setup, const std::vector<Index>& support, const Vector& signs,
                        double alpha, double& b) {
  const Index n = setup.data.x.rows(), k = static_cast<Index>(support.size());
  const double lambda = setup.penalty->lambda();
  Matrix columns(n, k);
  for (Index a = 0; a < k; ++a) columns.col(a) = setup.data.x.col(support[static_cast<std::size_t>(a)]);
  const Vector means = columns.colwise().mean();
  const Matrix centred = columns.rowwise() - means.transpose();
  const Vector yc = setup.data.y.array() - setup.data.y.mean();
  Matrix system = setup.h * centred.transpose() * centred;
  system.diagonal().array() += lambda * (1.0 - alpha);
  const Vector rhs = setup.h * centred.transpose() * yc - lambda * alpha * signs;
  const Vector solution = system.ldlt().solve(rhs);
  Vector w = Vector::Zero(setup.data.x.cols());
  for (Index a = 0; a < k; ++a) w[support[static_cast<std::size_t>(a)]] = solution[a];
  b = setup.data.y.mean() - means.dot(solution);
  return w;
}

// Covariance mode for a Setup: G = h Xc^T Xc and h Xc^T yc (centred columns, fixed intercept).
struct Gram {
  Matrix gram;
  Vector xty;
  std::vector<Index> all;
  explicit Gram(const Setup& setup) {
    const Matrix& x = setup.data.x;
    const Matrix centred = x.rowwise() - x.colwise().mean();
    const Vector yc = setup.data.y.array() - setup.data.y.mean();
    gram = setup.h * centred.transpose() * centred;
    xty = setup.h * centred.transpose() * yc;
    for (Index j = 0; j < x.cols(); ++j) all.push_back(j);
  }
  Vector gradient(const Vector& w) const { return xty - gram * w; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(one_step_solves_the_problem_on_a_settled_support) {
  // Tall and wide designs, lasso and elastic net: from a point with the optimum's signs, one step
  // satisfies the stationarity conditions to rounding.
  for (const auto& [n, p] : {std::pair<Index, Index>{80, 12}, {30, 60}}) {
    for (double alpha : {1.0, 0.5}) {
      Setup setup(n, p, 11u + static_cast<unsigned>(p), alpha, 0.002, 0.5);
      // A support with a sign pattern its own solution agrees with: start from 8 coordinates with
      // the signs of the near-least-squares fit, drop any that disagree, repeat.
      std::vector<Index> support;
      for (Index j = 0; j < 8; ++j) support.push_back(j * (p / 8));
      double b_exact = 0.0;
      Vector signs = Vector::Ones(8);
      Vector exact = solve_on_support(setup, support, signs, alpha, b_exact);
      bool consistent = false;
      for (int round = 0; round < 20 && !consistent; ++round) {
        std::vector<Index> kept;
        Vector kept_signs(static_cast<Index>(support.size()));
        for (std::size_t a = 0; a < support.size(); ++a) {
          const double value = exact[support[a]];
          const bool agrees = round == 0 || value * signs[static_cast<Index>(a)] > 0.0;
          if (!agrees) continue;
          kept_signs[static_cast<Index>(kept.size())] = value >= 0.0 ? 1.0 : -1.0;
          kept.push_back(support[a]);
        }
        consistent = kept.size() == support.size() && round > 0;
        support = kept;
        signs = kept_signs.head(static_cast<Index>(kept.size()));
        exact = solve_on_support(setup, support, signs, alpha, b_exact);
      }
      for (std::size_t a = 0; a < support.size(); ++a) consistent &= exact[support[a]] * signs[static_cast<Index>(a)] > 0.0;
      BOOST_REQUIRE(consistent);
      BOOST_REQUIRE(support.size() >= 4);
      // Start away from it, on the same orthant.
      Vector w = exact;
      for (Index j : support) w[j] *= 1.3;
      double b = 0.0;
      Vector r = setup.residual(w, b);
      const double before = setup.objective(w, b);
      SupportNewton newton;
      BOOST_TEST_CONTEXT("n " << n << " p " << p << " alpha " << alpha) {
        BOOST_TEST(newton.attempt(setup.data.x, *setup.penalty, setup.h, r, w, b, true, support, flops));
        BOOST_TEST(flops > 0.0);  // the step reports its work
        BOOST_TEST(setup.objective(w, b) < before);
        BOOST_TEST(setup.stationarity(w, b) < 1e-9);
        BOOST_TEST((w - exact).lpNorm<Eigen::Infinity>() < 1e-8 * exact.lpNorm<Eigen::Infinity>());
        BOOST_TEST(std::abs(b - b_exact) < 1e-8 * std::max(1.0, std::abs(b_exact)));
        // The residual it kept is the residual of the new point.
        BOOST_TEST((r - setup.residual(w, b)).lpNorm<Eigen::Infinity>() < 1e-10 * setup.data.y.norm());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_support_is_cut_at_zero_and_the_objective_decreases) {
  Setup setup(50, 20, 5u, 1.0, 0.05, 0.3);
  // Every coordinate nonzero with an arbitrary sign: most must leave the support.
  Vector w(20);
  for (Index j = 0; j < 20; ++j) w[j] = (j % 3 == 0 ? -0.2 : 0.15);
  double b = 0.3;
  std::vector<Index> active(20);
  for (Index j = 0; j < 20; ++j) active[static_cast<std::size_t>(j)] = j;
  const Vector start = w;
  Vector r = setup.residual(w, b);
  const double before = setup.objective(w, b);
  SupportNewton newton;
  BOOST_REQUIRE(newton.attempt(setup.data.x, *setup.penalty, setup.h, r, w, b, true, active, flops));
  BOOST_TEST(setup.objective(w, b) < before);
  Index zeroed = 0;
  for (Index j = 0; j < 20; ++j) {
    // Each coordinate stayed on its orthant or stopped exactly at zero.
    BOOST_TEST((w[j] == 0.0 || w[j] * start[j] > 0.0));
    zeroed += w[j] == 0.0;
  }
  BOOST_TEST(zeroed > 0);
  BOOST_TEST((r - setup.residual(w, b)).lpNorm<Eigen::Infinity>() < 1e-10 * setup.data.y.norm());
}

BOOST_AUTO_TEST_CASE(a_factor_kept_up_to_date_gives_the_rebuilt_factors_steps) {
  // One object sees supports that grow and shrink (factor updated); a fresh object per call
  // (factor rebuilt) must give the same step.
  Setup setup(60, 40, 9u, 0.5, 0.01, 0.6);
  const std::vector<std::vector<Index>> supports = {
      {0, 3, 5, 8, 13, 21},      {0, 3, 5, 8, 13, 21, 30, 31},  {0, 5, 8, 13, 21, 30, 31},
      {0, 5, 8, 13, 21, 30, 31}, {1, 5, 8, 13, 21, 30, 31, 39}, {1, 2, 5, 8, 13, 22, 30, 39}};
  SupportNewton kept;
  for (std::size_t k = 0; k < supports.size(); ++k) {
    Vector w = Vector::Zero(40);
    for (Index j : supports[k]) w[j] = (j % 2 == 0 ? 0.4 : -0.3);
    double b = 0.1;
    Vector r = setup.residual(w, b);
    Vector w_fresh = w, r_fresh = r;
    double b_fresh = b;
    SupportNewton fresh;
    const bool moved = kept.attempt(setup.data.x, *setup.penalty, setup.h, r, w, b, true, supports[k], flops);
    const bool moved_fresh = fresh.attempt(setup.data.x, *setup.penalty, setup.h, r_fresh, w_fresh, b_fresh, true, supports[k], flops);
    BOOST_TEST_CONTEXT("support " << k) {
      BOOST_TEST(moved == moved_fresh);
      BOOST_TEST((w - w_fresh).lpNorm<Eigen::Infinity>() < 1e-10);
      BOOST_TEST(std::abs(b - b_fresh) < 1e-10);
    }
  }
}

BOOST_AUTO_TEST_CASE(blocks_of_entering_features_give_the_rebuilt_factors_steps) {
  // Several features entering at once border the factor in one blocked solve; a block with a
  // feature that duplicates a kept one must fail like the one-at-a-time append (no step), and
  // the kept object must then recover on the next support.
  Setup setup(80, 40, 17u, 1.0, 0.01, 0.5);  // lasso: no ridge to make the duplicate independent
  setup.data.x.col(12) = setup.data.x.col(3);  // 12 duplicates 3
  const std::vector<std::vector<Index>> supports = {
      {0, 3, 5, 8},
      {0, 3, 5, 8, 14, 15, 16, 17, 18},          // 5 enter
      {0, 3, 5, 8, 14, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30, 32},  // 7 enter
      {0, 3, 5, 8, 12, 14, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30, 32, 34},  // 12 and 34 enter: dependent
      {0, 3, 5, 8, 14, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30, 32, 34, 35, 36}};
  SupportNewton kept;
  Gram gram_of(setup);
  for (std::size_t k = 0; k < supports.size(); ++k) {
    Vector w = Vector::Zero(40);
    for (Index j : supports[k]) w[j] = (j % 3 == 0 ? 0.2 : -0.15);
    Vector gradient = gram_of.gradient(w), gradient_fresh = gradient;
    Vector w_fresh = w;
    SupportNewton fresh;
    const bool moved = kept.attempt_gram(gram_of.gram, *setup.penalty, gradient, w, supports[k], gram_of.all, true, flops);
    const bool moved_fresh = fresh.attempt_gram(gram_of.gram, *setup.penalty, gradient_fresh, w_fresh, supports[k], gram_of.all, true, flops);
    BOOST_TEST_CONTEXT("support " << k) {
      BOOST_TEST(moved == moved_fresh);
      if (k == 3) BOOST_TEST(!moved);
      BOOST_TEST((w - w_fresh).lpNorm<Eigen::Infinity>() < 1e-10);
      BOOST_TEST((gradient - gradient_fresh).lpNorm<Eigen::Infinity>() < 1e-10);
    }
  }
}

BOOST_AUTO_TEST_CASE(covariance_mode_step_matches_the_residual_step) {
  // The same step from X^T X (columns centred, so the intercept is fixed) as from the residual.
  Setup setup(70, 25, 3u, 1.0, 0.03, 0.4);
  const Matrix centred = setup.data.x.rowwise() - setup.data.x.colwise().mean();
  const Vector yc = setup.data.y.array() - setup.data.y.mean();
  const Matrix gram = setup.h * centred.transpose() * centred;
  std::vector<Index> support = {1, 4, 7, 10, 15, 22};
  Vector w = Vector::Zero(25);
  for (Index j : support) w[j] = 0.2;
  Vector w_gram = w;
  Vector gradient = setup.h * centred.transpose() * (yc - centred * w);
  double b = 0.0;
  Vector r = yc - centred * w;
  SupportNewton residual_form, gram_form;
  std::vector<Index> all(25);
  for (Index j = 0; j < 25; ++j) all[static_cast<std::size_t>(j)] = j;
  BOOST_REQUIRE(residual_form.attempt(centred, *setup.penalty, setup.h, r, w, b, false, support, flops));
  BOOST_REQUIRE(gram_form.attempt_gram(gram, *setup.penalty, gradient, w_gram, support, all, true, flops));
  BOOST_TEST((w - w_gram).lpNorm<Eigen::Infinity>() < 1e-10);
  // The gradient it kept is the gradient of the new point.
  const Vector expected = setup.h * centred.transpose() * (yc - centred * w_gram);
  BOOST_TEST((gradient - expected).lpNorm<Eigen::Infinity>() < 1e-12);
}

BOOST_AUTO_TEST_CASE(sparse_columns_take_the_dense_step) {
  // The same matrix stored dense and CSC (with zeros thinned out): the same step.
  Setup setup(60, 30, 17u, 1.0, 0.01, 0.2);
  Matrix thinned = setup.data.x;
  for (Index i = 0; i < thinned.rows(); ++i) {
    for (Index j = 0; j < thinned.cols(); ++j) {
      if ((i * 7 + j * 3) % 4 != 0) thinned(i, j) = 0.0;
    }
  }
  const SparseMatrix sparse = thinned.sparseView();
  std::vector<Index> support = {0, 2, 5, 9, 14, 20, 27};
  Vector w_dense = Vector::Zero(30);
  for (Index j : support) w_dense[j] = (j % 2 == 0 ? 0.3 : -0.2);
  Vector w_sparse = w_dense;
  double b_dense = 0.4, b_sparse = 0.4;
  Vector r_dense = (setup.data.y - thinned * w_dense).array() - b_dense;
  Vector r_sparse = r_dense;
  SupportNewton dense_form, sparse_form;
  const bool moved_dense = dense_form.attempt(thinned, *setup.penalty, setup.h, r_dense, w_dense, b_dense, true, support, flops);
  const bool moved_sparse = sparse_form.attempt(sparse, *setup.penalty, setup.h, r_sparse, w_sparse, b_sparse, true, support, flops);
  BOOST_REQUIRE(moved_dense);
  BOOST_TEST(moved_sparse);
  BOOST_TEST((w_dense - w_sparse).lpNorm<Eigen::Infinity>() < 1e-10);
  BOOST_TEST(std::abs(b_dense - b_sparse) < 1e-10);
  BOOST_TEST((r_dense - r_sparse).lpNorm<Eigen::Infinity>() < 1e-10);
}

BOOST_AUTO_TEST_CASE(kept_factor_follows_a_ridge_that_shrinks_along_the_path) {
  // Elastic net in covariance mode: the ridge term lambda (1 - alpha) moves with lambda, so a
  // factor kept from an earlier lambda is refined, not rebuilt. Down a lambda grid on a fixed
  // support, each step from the kept factor must equal a fresh factorisation's step and solve
  // the support's stationarity conditions.
  Setup setup(80, 30, 21u, 0.3, 0.05, 0.5);
  const Matrix centred = setup.data.x.rowwise() - setup.data.x.colwise().mean();
  const Vector yc = setup.data.y.array() - setup.data.y.mean();
  const Matrix gram = setup.h * centred.transpose() * centred;
  std::vector<Index> all(30);
  for (Index j = 0; j < 30; ++j) all[static_cast<std::size_t>(j)] = j;
  SupportNewton kept;
  const std::vector<Index> support = {2, 3, 7, 11, 12, 19, 25, 28};
  for (int step = 0; step < 12; ++step) {
    setup.penalty->set_lambda(0.05 * std::pow(0.8, step));
    Vector w = Vector::Zero(30);
    for (Index j : support) w[j] = (j % 3 == 0 ? -0.25 : 0.35);
    Vector w_fresh = w;
    Vector gradient = setup.h * centred.transpose() * (yc - centred * w);
    Vector gradient_fresh = gradient;
    SupportNewton fresh;
    const bool moved = kept.attempt_gram(gram, *setup.penalty, gradient, w, support, all, true, flops);
    const bool moved_fresh = fresh.attempt_gram(gram, *setup.penalty, gradient_fresh, w_fresh, support, all, true, flops);
    BOOST_TEST_CONTEXT("lambda step " << step) {
      BOOST_REQUIRE(moved == moved_fresh);
      BOOST_TEST((w - w_fresh).lpNorm<Eigen::Infinity>() < 1e-7);
      // The gradient it kept is exact at the point it reached.
      const Vector expected = setup.h * centred.transpose() * (yc - centred * w);
      BOOST_TEST((gradient - expected).lpNorm<Eigen::Infinity>() < 1e-12);
      // Without sign changes the step lands on the support's stationary point.
      bool same_signs = true;
      for (Index j : support) same_signs = same_signs && w[j] != 0.0;
      if (same_signs) {
        double worst = 0.0;
        for (Index j : support) {
          double first = 0.0, second = 0.0;
          BOOST_REQUIRE(setup.penalty->derivatives(j, w[j], first, second));
          worst = std::max(worst, std::abs(expected[j] - first));
        }
        BOOST_TEST(worst / setup.penalty->lambda() < 1e-6);
      }
    }
  }
}
