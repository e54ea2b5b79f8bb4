// The path solver against independent answers: brute force over sign patterns on tiny lasso and
// elastic-net problems, KKT conditions, screening safety against tight unscreened solves, and
// the strong rule's mandatory KKT re-check.
#define BOOST_TEST_MODULE solver
#include <boost/test/unit_test.hpp>

#include "sparsepath/core/blas.hpp"
#include "test_support.hpp"

#include <cmath>
#include <random>

using namespace sparsepath;
using namespace sparsepath::testing;

namespace {

struct Fixture {
  RandomProblem data;
  std::unique_ptr<Design> design;
  std::unique_ptr<Loss> loss;
  std::unique_ptr<Penalty> penalty;
  std::unique_ptr<Optimizer> optimizer;
  std::vector<std::unique_ptr<ScreeningRule>> rule_objects;
  std::vector<const ScreeningRule*> rules;

  Fixture(Index n, Index p, unsigned seed, bool logistic, const std::string& penalty_type,
          double alpha, std::vector<std::string> rule_names, double correlation = 0.0)
      : data(n, p, seed, logistic, correlation) {
    design = dense_design(data.x, data.names);
    loss = make_component<Loss>(logistic ? "logistic" : "squared");
    std::vector<std::pair<std::string, std::string>> values;
    if (penalty_type == "elastic_net") values.emplace_back("alpha", format_real(alpha));
    penalty = bound_penalty(data, penalty_type, values);
    optimizer = make_component<Optimizer>("cd");
    for (const std::string& name : rule_names) {
      rule_objects.push_back(make_component<ScreeningRule>(name));
      rules.push_back(rule_objects.back().get());
    }
  }
  Problem problem(bool intercept = true) const {
    return Problem{*design, data.y, data.v, true, *loss, *penalty, intercept};
  }
  // Every point of a grid of n_lambda down to ratio * lambda_max (no deviance stops).
  static PathOptions whole_grid(Index n_lambda, double ratio, double tolerance = 1e-7) {
    PathOptions options;
    options.n_lambda = n_lambda;
    options.lambda_min_ratio = ratio;
    options.tolerance = tolerance;
    options.min_deviance_change = 0.0;
    options.max_deviance_ratio = 1.0;
    return options;
  }
  // A path with this fixture's components (or another optimizer).
  PathResult solve(const PathOptions& options, bool intercept = true, Optimizer* other = nullptr) {
    Problem p = problem(intercept);
    return PathSolver(p, other != nullptr ? *other : *optimizer, rules, options, data.standardization, data.names).run();
  }
  PathResult run(const std::vector<double>& lambdas, double tolerance,
                 PathOptions::Gram gram = PathOptions::Gram::automatic) {
    PathOptions options = whole_grid(100, -1.0, tolerance);
    options.gram = gram;
    options.lambdas = lambdas;
    return solve(options);
  }
  double lambda_max() {
    Problem p = problem();
    PathOptions options;
    PathSolver solver(p, *optimizer, rules, options, data.standardization, data.names);
    return solver.lambda_max();
  }
};

Vector dense_coefficients(const PathPoint& point, Index p) {
  Vector w = Vector::Zero(p);
  for (const auto& [j, value] : point.coefficients) w[j] = value;
  return w;
}

// Squared loss with centred columns: minimise 1/(2n)||yc - Xw||^2 + lambda(alpha|w|_1 + (1-alpha)/2|w|^2)
// by enumerating every sign pattern and solving the stationarity equations on its support.
double brute_force(const Matrix& x, const Vector& y, double lambda, double alpha, Vector& best_w) {
  const Index n = x.rows(), p = x.cols();
  const Vector yc = y.array() - y.mean();
  double best = std::numeric_limits<double>::infinity();
  Index patterns = 1;
  for (Index j = 0; j < p; ++j) patterns *= 3;
  for (Index code = 0; code < patterns; ++code) {
    std::vector<Index> support;
    std::vector<double> signs;
    Index rest = code;
    for (Index j = 0; j < p; ++j) {
      const Index digit = rest % 3;
      rest /= 3;
      if (digit != 0) {
        support.push_back(j);
        signs.push_back(digit == 1 ? 1.0 : -1.0);
      }
    }
    Vector w = Vector::Zero(p);
    if (!support.empty()) {
      const Index k = static_cast<Index>(support.size());
      Matrix a(k, k);
      Vector b(k);
      for (Index r = 0; r < k; ++r) {
        for (Index c = 0; c < k; ++c) a(r, c) = x.col(support[r]).dot(x.col(support[c])) / n;
        a(r, r) += lambda * (1.0 - alpha);
        b[r] = x.col(support[r]).dot(yc) / n - lambda * alpha * signs[r];
      }
      Vector solution = a.ldlt().solve(b);
      bool consistent = true;
      for (Index r = 0; r < k; ++r) consistent &= solution[r] * signs[r] > 0.0;
      if (!consistent) continue;
      for (Index r = 0; r < k; ++r) w[support[r]] = solution[r];
    }
    const double objective = 0.5 * (yc - x * w).squaredNorm() / n +
                             lambda * (alpha * w.lpNorm<1>() + 0.5 * (1.0 - alpha) * w.squaredNorm());
    if (objective < best) {
      best = objective;
      best_w = w;
    }
  }
  return best;
}

}  // namespace

// Both the residual (O(n) per update) and the covariance mode (p x p space) are checked.
BOOST_AUTO_TEST_CASE(lasso_and_elastic_net_match_brute_force_and_kkt) {
  for (PathOptions::Gram gram : {PathOptions::Gram::never, PathOptions::Gram::always})
  for (unsigned seed = 1; seed <= 6; ++seed) {
    for (double alpha : {1.0, 0.5}) {
      Fixture fixture(25, 5, seed, false, alpha == 1.0 ? "lasso" : "elastic_net", alpha, {"gap_safe"}, 0.5);
      const double lambda_max = fixture.lambda_max();
      std::vector<double> lambdas = {0.9 * lambda_max, 0.5 * lambda_max, 0.2 * lambda_max, 0.05 * lambda_max, 0.002 * lambda_max};
      PathResult result = fixture.run(lambdas, 1e-15, gram);
      // The covariance mode evaluates the loss as y'y - 2 w'X'y + w'Gw: cancellation limits its
      // certificate to about 1e-16 of y'y, so its KKT residual is a little larger.
      const double kkt = gram == PathOptions::Gram::never ? 1e-8 : 5e-8;
      BOOST_REQUIRE_EQUAL(result.points.size(), lambdas.size());
      for (const PathPoint& point : result.points) {
        BOOST_TEST_CONTEXT("gram " << (gram == PathOptions::Gram::always) << " seed " << seed << " alpha " << alpha << " lambda " << point.lambda) {
          BOOST_TEST(point.converged);
          Vector reference_w;
          const double reference = brute_force(fixture.data.x, fixture.data.y, point.lambda, alpha, reference_w);
          BOOST_TEST_MESSAGE("ours " << point.objective << " brute " << reference << " passes " << point.passes << " nnz " << point.coefficients.size());
          BOOST_TEST(std::abs(point.objective - reference) <= 1e-10 * reference);
          const Vector w = dense_coefficients(point, 5);
          BOOST_TEST((w - reference_w).lpNorm<Eigen::Infinity>() <= 1e-5);
          // KKT at 1e-8 (relative to lambda): c = X^T (y - z) / n.
          const Vector z = (fixture.data.x * w).array() + point.intercept;
          const Vector c = fixture.data.x.transpose() * (fixture.data.y - z) / 25.0;
          for (Index j = 0; j < 5; ++j) {
            if (w[j] == 0.0) {
              BOOST_TEST(std::abs(c[j]) <= point.lambda * alpha + kkt);
            } else {
              const double stationarity = c[j] - point.lambda * alpha * (w[j] > 0 ? 1.0 : -1.0) - point.lambda * (1.0 - alpha) * w[j];
              BOOST_TEST(std::abs(stationarity) <= kkt);
            }
          }
          BOOST_TEST(std::abs((fixture.data.y - z).sum()) <= 1e-9 * fixture.data.y.lpNorm<1>());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(logistic_kkt_and_gap_at_tight_tolerance) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    for (double alpha : {1.0, 0.5}) {
      Fixture fixture(80, 8, seed, true, alpha == 1.0 ? "lasso" : "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.3);
      const double lambda_max = fixture.lambda_max();
      PathResult result = fixture.run({0.8 * lambda_max, 0.3 * lambda_max, 0.05 * lambda_max}, 1e-12);
      // A gap G bounds the gradient mapping: |KKT residual| <= sqrt(2 L G) with L the Lipschitz
      // constant of the data term's gradient, 0.25 ||X||_2^2 / n for the mean logistic loss.
      Eigen::JacobiSVD<Matrix> svd(fixture.data.x);
      const double lipschitz = 0.25 * std::pow(svd.singularValues()[0], 2) / 80.0;
      for (const PathPoint& point : result.points) {
        BOOST_TEST_CONTEXT("seed " << seed << " alpha " << alpha << " lambda " << point.lambda) {
          BOOST_TEST(point.converged);
          BOOST_TEST(point.duality_gap >= -1e-12);
          const Vector w = dense_coefficients(point, 8);
          const Vector z = (fixture.data.x * w).array() + point.intercept;
          Vector rho(80);
          for (Index i = 0; i < 80; ++i) rho[i] = (fixture.data.y[i] - 1.0 / (1.0 + std::exp(-z[i]))) / 80.0;
          BOOST_TEST(std::abs(rho.sum()) <= 1e-7);
          const Vector c = fixture.data.x.transpose() * rho;
          for (Index j = 0; j < 8; ++j) {
            if (w[j] == 0.0) {
              BOOST_TEST(std::abs(c[j]) <= point.lambda * alpha + std::sqrt(2.0 * lipschitz * point.gap_tolerance));
            } else {
              const double stationarity = c[j] - point.lambda * alpha * (w[j] > 0 ? 1.0 : -1.0) - point.lambda * (1.0 - alpha) * w[j];
              BOOST_TEST(std::abs(stationarity) <= std::sqrt(2.0 * lipschitz * point.gap_tolerance));
            }
          }
        }
      }
    }
  }
}

// SAFETY: at many dual points along the way to the optimum, every feature the gap-safe test
// removes is zero in a tight reference solved without screening.
BOOST_AUTO_TEST_CASE(gap_safe_never_removes_an_active_feature) {
  Index removed_total = 0;
  for (bool logistic : {false, true}) {
    for (double alpha : {1.0, 0.6}) {
      for (unsigned seed = 11; seed <= 14; ++seed) {
        Fixture reference(60, 30, seed, logistic, alpha == 1.0 ? "lasso" : "elastic_net", alpha, {}, 0.6);
        Fixture screened(60, 30, seed, logistic, alpha == 1.0 ? "lasso" : "elastic_net", alpha, {"gap_safe"}, 0.6);
        const double lambda_max = reference.lambda_max();
        for (double fraction : {0.7, 0.3, 0.1}) {
          const double lambda = fraction * lambda_max;
          PathResult tight = reference.run({lambda}, 1e-13);
          BOOST_REQUIRE(tight.points.back().converged);
          const Vector w_star = dense_coefficients(tight.points.back(), 30);
          // Dual points from increasingly accurate solves (loose tolerances).
          for (double tolerance : {1e-1, 1e-2, 1e-3, 1e-5, 1e-8}) {
            PathResult rough = screened.run({lambda}, tolerance);
            const PathPoint& point = rough.points.back();
            BOOST_TEST_MESSAGE("rough " << point.objective << " tight " << tight.points.back().objective << " gap " << point.duality_gap << " conv " << point.converged);
            // Rebuild the state and evaluate the rule directly at that point.
            Problem problem = screened.problem();
            screened.penalty->set_lambda(lambda);
            PathOptions options;
            options.lambdas = {lambda};
            PathSolver solver(problem, *screened.optimizer, {}, options, screened.data.standardization, screened.data.names);
            SolverState state;
            state.w = dense_coefficients(point, 30);
            state.b = point.intercept;
            state.z = (screened.data.x * state.w).array() + state.b;
            PathSolver::Evaluation evaluation = solver.evaluate(state);
            Vector norms(30);
            for (Index j = 0; j < 30; ++j) {
              norms[j] = std::sqrt(screened.data.x.col(j).squaredNorm() - std::pow(screened.data.x.col(j).sum(), 2) / 60.0);
            }
            const double radius = solver.safe_radius(evaluation);
            ScreeningContext context{problem, lambda, lambda, evaluation.scaled_correlation, evaluation.correlation, radius, norms};
            std::vector<char> keep(30, 1);
            screened.rules[0]->screen(context, keep);
            for (Index j = 0; j < 30; ++j) {
              if (!keep[j]) {
                ++removed_total;
                BOOST_TEST_CONTEXT("logistic " << logistic << " alpha " << alpha << " seed " << seed << " lambda/lmax " << fraction << " tol " << tolerance << " feature " << j) {
                  BOOST_TEST(std::abs(w_star[j]) <= 1e-10);
                }
              }
            }
          }
        }
      }
    }
  }
  BOOST_TEST(removed_total > 100);  // the test exercised the rule
}

BOOST_AUTO_TEST_CASE(screening_does_not_change_the_path) {
  for (bool logistic : {false, true}) {
    Fixture plain(100, 40, 5, logistic, "lasso", 1.0, {}, 0.7);
    Fixture screened(100, 40, 5, logistic, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.7);
    const double lambda_max = plain.lambda_max();
    std::vector<double> lambdas;
    for (int k = 0; k < 20; ++k) lambdas.push_back(lambda_max * std::pow(0.01, k / 19.0));
    PathResult a = plain.run(lambdas, 1e-12);
    PathResult b = screened.run(lambdas, 1e-12);
    BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
    for (std::size_t k = 0; k < a.points.size(); ++k) {
      BOOST_TEST_CONTEXT("logistic " << logistic << " point " << k) {
        BOOST_TEST(b.points[k].converged);
        BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <= 1e-10 * a.points[k].objective);
        BOOST_TEST((dense_coefficients(a.points[k], 40) - dense_coefficients(b.points[k], 40)).lpNorm<Eigen::Infinity>() <= 1e-5);
      }
    }
  }
}

// The strong rule is unsafe: it assumes correlations move no faster than lambda, which fails
// once several features are active. With big steps down the grid (lambda_k = 0.6 lambda_{k-1},
// found by a search over designs and step sizes) it discards features that end up active. The
// path solver's KKT re-check must catch every one, and the path must equal the unscreened one.
// The rules read the host's interval table when it is given and fill their own from the penalty
// when it is not: either way they must clear exactly the features the tests say (computed here
// one feature at a time from zero_subdifferential), including spheres that touch an interval's
// end, NaN correlations and features already cleared.
BOOST_AUTO_TEST_CASE(screening_rules_agree_with_and_without_the_hosts_interval_table) {
  Fixture fixture(40, 300, 17, false, "elastic_net", 0.6, {});
  Problem problem = fixture.problem();
  const double lambda = 0.05, previous_lambda = 0.055;
  fixture.penalty->set_lambda(lambda);
  const Index p = fixture.data.x.cols();
  std::vector<Interval> table(static_cast<std::size_t>(p));
  fixture.penalty->zero_subdifferentials(table);
  std::mt19937 generator(3u);
  std::uniform_real_distribution<double> uniform(-0.06, 0.06);
  Vector correlation(p), previous(p), norms(p);
  for (Index j = 0; j < p; ++j) {
    correlation[j] = uniform(generator);
    previous[j] = uniform(generator);
    norms[j] = 0.5 + std::abs(uniform(generator)) * 10.0;
  }
  const double radius = 0.001;
  // A sphere ending exactly on the interval's end is not strictly inside: kept.
  correlation[5] = table[5].high - radius * norms[5];
  correlation[6] = std::nan("");
  previous[7] = std::nan("");
  const double factor = (2.0 * lambda - previous_lambda) / lambda;
  for (const std::string name : {"gap_safe", "strong_rule"}) {
    BOOST_TEST_CONTEXT(name) {
      std::vector<char> expected(static_cast<std::size_t>(p), 1);
      for (Index j = 0; j < p; ++j) {
        const Interval allowed = fixture.penalty->zero_subdifferential(j);
        bool discard = false;
        if (name == "gap_safe") {
          const double spread = radius * norms[j];
          discard = allowed.strictly_contains(correlation[j] - spread) && allowed.strictly_contains(correlation[j] + spread);
        } else {
          discard = Interval{allowed.low * factor, allowed.high * factor}.strictly_contains(previous[j]);
        }
        if (discard || j == 9) expected[static_cast<std::size_t>(j)] = 0;
      }
      auto rule = make_component<ScreeningRule>(name);
      const ScreeningContext without_table{problem, lambda, previous_lambda, correlation, previous, radius, norms};
      const ScreeningContext with_table{problem, lambda, previous_lambda, correlation, previous, radius, norms, table};
      std::vector<char> keep_without(static_cast<std::size_t>(p), 1), keep_with(static_cast<std::size_t>(p), 1);
      keep_without[9] = keep_with[9] = 0;  // already cleared: stays cleared
      rule->screen(without_table, keep_without);
      rule->screen(with_table, keep_with);
      BOOST_TEST(keep_without == expected);
      BOOST_TEST(keep_with == expected);
      Index cleared = 0;
      for (char kept : expected) cleared += kept == 0;
      BOOST_TEST(cleared > 10);      // the test screens something...
      BOOST_TEST(cleared < p - 10);  // ...and keeps something
      BOOST_TEST(expected[name == "gap_safe" ? 5 : 7] == 1);
      if (name == "gap_safe") BOOST_TEST(expected[6] == 1);
    }
  }
}

// Problem::column_sq_norms (the host's col_sq_norm table) replaces the optimizer's own pass over
// each column: the same table gives the same iterates bit for bit; a wrong one is read (and changes them).
BOOST_AUTO_TEST_CASE(coordinate_descent_reads_the_hosts_column_norm_table) {
  Fixture fixture(40, 80, 23, false, "lasso", 1.0, {});  // p > n: the residual (not the Gram) kernel
  const Index p = fixture.data.x.cols();
  std::vector<Index> working_set(static_cast<std::size_t>(p));
  for (Index j = 0; j < p; ++j) working_set[static_cast<std::size_t>(j)] = j;
  Vector norms(p), wrong(p);
  for (Index j = 0; j < p; ++j) {
    norms[j] = fixture.design->col_sq_norm(j);
    wrong[j] = 3.0 * norms[j];
  }
  auto solve = [&](const Vector* table) {
    Problem problem = fixture.problem();
    problem.column_sq_norms = table;
    fixture.penalty->set_lambda(0.02);
    SolverState state;
    state.w = Vector::Zero(p);
    state.b = fixture.data.y.mean();
    state.z = Vector::Constant(fixture.data.x.rows(), state.b);
    SolveControl control;
    control.tolerance = 1e-10;
    control.max_passes = 1;  // one pass: the iterates, not the optimum, tell the tables apart
    SolveStats stats;
    auto optimizer = make_component<Optimizer>("cd");
    optimizer->solve(problem, working_set, state, control, stats);
    return state.w;
  };
  const Vector plain = solve(nullptr);
  BOOST_TEST((solve(&norms).array() == plain.array()).all());
  BOOST_TEST(!(solve(&wrong).array() == plain.array()).all());
}

BOOST_AUTO_TEST_CASE(strong_rule_violations_are_caught_by_the_kkt_check) {
  Index violations = 0;
  for (unsigned seed = 1; seed <= 10; ++seed) {
    Fixture plain(60, 50, seed, false, "lasso", 1.0, {}, 0.0);
    Fixture strong(60, 50, seed, false, "lasso", 1.0, {"strong_rule"}, 0.0);
    const double lambda_max = plain.lambda_max();
    std::vector<double> lambdas;
    for (int k = 0; k < 12; ++k) lambdas.push_back(lambda_max * std::pow(0.6, k));
    PathResult a = plain.run(lambdas, 1e-12);
    PathResult b = strong.run(lambdas, 1e-12);
    BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
    for (std::size_t k = 0; k < a.points.size(); ++k) {
      violations += b.points[k].screening.kkt_violations;
      BOOST_TEST(b.points[k].converged);
      BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <= 1e-10 * a.points[k].objective);
      BOOST_TEST((dense_coefficients(a.points[k], 50) - dense_coefficients(b.points[k], 50)).lpNorm<Eigen::Infinity>() <= 1e-5);
    }
  }
  BOOST_TEST_MESSAGE("strong-rule violations caught: " << violations);
  BOOST_TEST(violations > 0);
}

// Covariance (Gram) updates and residual updates are two implementations of the same CD: they
// must reach the same certified solutions, with and without sample weights.
BOOST_AUTO_TEST_CASE(gram_and_residual_updates_agree) {
  for (bool weighted : {false, true}) {
    Fixture gram(200, 30, 3, false, "elastic_net", 0.7, {"strong_rule", "gap_safe"}, 0.8);
    Fixture naive(200, 30, 3, false, "elastic_net", 0.7, {"strong_rule", "gap_safe"}, 0.8);
    gram.optimizer = make_component<Optimizer>("cd", {{"gram", "always"}});
    naive.optimizer = make_component<Optimizer>("cd", {{"gram", "never"}});
    if (weighted) {
      std::mt19937 generator(7);
      std::uniform_real_distribution<double> uniform(0.2, 3.0);
      Vector weights(200);
      for (Index i = 0; i < 200; ++i) weights[i] = uniform(generator);
      gram.data.v = weights / weights.sum();
      naive.data.v = gram.data.v;
    }
    Problem problem_gram{*gram.design, gram.data.y, gram.data.v, !weighted, *gram.loss, *gram.penalty, true};
    Problem problem_naive{*naive.design, naive.data.y, naive.data.v, !weighted, *naive.loss, *naive.penalty, true};
    PathOptions options;
    options.n_lambda = 30;
    options.tolerance = 1e-12;
    options.min_deviance_change = 0.0;
    options.max_deviance_ratio = 1.0;
    PathResult a = PathSolver(problem_gram, *gram.optimizer, gram.rules, options, gram.data.standardization, gram.data.names).run();
    PathResult b = PathSolver(problem_naive, *naive.optimizer, naive.rules, options, naive.data.standardization, naive.data.names).run();
    BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
    for (std::size_t k = 0; k < a.points.size(); ++k) {
      BOOST_TEST_CONTEXT("weighted " << weighted << " point " << k) {
        BOOST_TEST(a.points[k].converged);
        BOOST_TEST(b.points[k].converged);
        BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <= 1e-10 * b.points[k].objective);
        BOOST_TEST((dense_coefficients(a.points[k], 30) - dense_coefficients(b.points[k], 30)).lpNorm<Eigen::Infinity>() <= 1e-5);
        BOOST_TEST(std::abs(a.points[k].intercept - b.points[k].intercept) <= 1e-6);
      }
    }
  }
}

// Every recorded dual objective is the one an exact full evaluation gives at the recorded
// coefficients, and that evaluation's gap meets the point's tolerance.
void expect_recorded_duals_are_exact(Fixture& fixture, const Problem& problem, const PathResult& result) {
  const Index p = fixture.data.x.cols();
  for (const PathPoint& point : result.points) {
    BOOST_TEST(point.converged);
    fixture.penalty->set_lambda(point.lambda);
    PathOptions single;
    single.lambdas = {point.lambda};
    single.bounded_correlations = false;
    PathSolver exact(problem, *fixture.optimizer, {}, single, fixture.data.standardization, fixture.data.names);
    SolverState state;
    state.w = dense_coefficients(point, p);
    state.b = point.intercept;
    state.z = (fixture.data.x * state.w).array() + state.b;
    const PathSolver::Evaluation evaluation = exact.evaluate(state);
    BOOST_TEST(std::abs(evaluation.dual - point.dual_objective) <= 1e-9 * std::abs(point.objective),
               "lambda " << point.lambda << ": dual " << point.dual_objective << " exact " << evaluation.dual);
    BOOST_TEST(evaluation.gap <= point.gap_tolerance * (1.0 + 1e-6));
  }
}

BOOST_AUTO_TEST_CASE(bounded_correlations_certify_the_same_dual_point_with_less_work) {
  // Wide designs, where most correlations sit far from the boundary: every recorded dual
  // objective must be the one a full exact pass gives at that point, and fewer correlations may
  // be computed than a pass per evaluation.
  for (bool logistic : {false, true}) {
    for (double alpha : {1.0, 0.5}) {
      Fixture fixture(60, 600, 21, logistic, "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.5);
      Problem problem = fixture.problem();
      PathSolver solver(problem, *fixture.optimizer, fixture.rules, Fixture::whole_grid(40, 0.05),
                        fixture.data.standardization, fixture.data.names);
      const PathResult result = solver.run();
      BOOST_TEST_CONTEXT("logistic " << logistic << " alpha " << alpha) {
        BOOST_TEST(solver.exact_correlations() < solver.full_correlation_passes() * 600 + 600 * 40);
        BOOST_TEST(solver.exact_correlations() < 600 * 40);  // less than one pass per point
        expect_recorded_duals_are_exact(fixture, problem, result);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(tall_logistic_paths_record_exact_certificates_with_one_pass_per_point) {
  // The metric's proximal Newton certifies inside its gradient pass; the path solver then reuses
  // that working-set evaluation and computes only the features outside the working set. The
  // recorded duals must still be those of an exact evaluation, in single and double precision
  // metrics alike, and the two paths must agree to their tolerances.
  std::vector<PathResult> paths;
  for (const std::string precision : {"single", "double"}) {
    Fixture fixture(1500, 120, 23, true, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.6);
    fixture.optimizer = make_component<Optimizer>("cd", {{"metric_precision", precision}});
    Problem problem = fixture.problem();
    PathSolver solver(problem, *fixture.optimizer, fixture.rules, Fixture::whole_grid(40, 1e-3),
                      fixture.data.standardization, fixture.data.names);
    paths.push_back(solver.run());
    BOOST_TEST_CONTEXT("metric_precision " << precision) {
      Index outer = 0;
      for (const PathPoint& point : paths.back().points) outer += point.outer_iterations;
      BOOST_TEST(outer > 40);  // the metric's Newton steps ran
      BOOST_TEST_MESSAGE(precision << ": " << solver.exact_correlations() << " exact correlations, "
                                   << solver.full_correlation_passes() << " full passes");
      // 12 here; 30 when every point's full evaluation recomputes the working set's correlations.
      BOOST_TEST(solver.full_correlation_passes() < 20);
      expect_recorded_duals_are_exact(fixture, problem, paths.back());
    }
  }
  BOOST_REQUIRE_EQUAL(paths[0].points.size(), paths[1].points.size());
  for (std::size_t k = 0; k < paths[0].points.size(); ++k) {
    const PathPoint& a = paths[0].points[k];
    const PathPoint& b = paths[1].points[k];
    BOOST_TEST(std::abs(a.objective - b.objective) <= a.gap_tolerance + b.gap_tolerance, "point " << k);
  }
}

BOOST_AUTO_TEST_CASE(extrapolated_warm_starts_agree_and_save_passes) {
  // The same certified path with and without the extrapolated warm start, and fewer passes
  // (coordinate passes plus Newton steps) with it.
  struct Case {
    Index n, p;
    bool logistic;
  };
  for (const Case& shape : {Case{50, 300, false}, Case{300, 40, false}, Case{60, 400, true}, Case{800, 60, true}}) {
    std::vector<PathResult> paths;
    for (bool extrapolate : {true, false}) {
      Fixture fixture(shape.n, shape.p, 31, shape.logistic, "elastic_net", 0.8, {"strong_rule", "gap_safe"}, 0.5);
      PathOptions options = Fixture::whole_grid(50, shape.n > shape.p ? 1e-4 : 1e-2);
      options.extrapolate_warm_start = extrapolate;
      paths.push_back(fixture.solve(options));
    }
    BOOST_TEST_CONTEXT("n " << shape.n << " p " << shape.p << " logistic " << shape.logistic) {
      BOOST_REQUIRE_EQUAL(paths[0].points.size(), paths[1].points.size());
      long long passes[2] = {0, 0};
      for (std::size_t k = 0; k < paths[0].points.size(); ++k) {
        const PathPoint& a = paths[0].points[k];
        const PathPoint& b = paths[1].points[k];
        BOOST_TEST(a.converged);
        BOOST_TEST(b.converged);
        BOOST_TEST(std::abs(a.objective - b.objective) <= a.gap_tolerance + b.gap_tolerance, "point " << k);
        passes[0] += a.passes + a.outer_iterations;
        passes[1] += b.passes + b.outer_iterations;
      }
      BOOST_TEST_MESSAGE("n " << shape.n << " p " << shape.p << " logistic " << shape.logistic << ": passes "
                              << passes[0] << " extrapolated, " << passes[1] << " from the previous solution");
      // In covariance mode (tall least squares) the support's Newton steps already finish each
      // point in a pass or two: no worse there, fewer elsewhere.
      if (shape.logistic || shape.n < shape.p) BOOST_TEST(passes[0] < passes[1]);
      else BOOST_TEST(passes[0] <= passes[1]);
    }
  }
}

BOOST_AUTO_TEST_CASE(support_newton_steps_agree_with_plain_coordinate_descent) {
  // Wide correlated and tall designs: the same certified path with and without Newton steps,
  // and fewer coordinate passes with them where supports are large and ill-conditioned.
  for (const auto& [n, p] : {std::pair<Index, Index>{50, 300}, {300, 40}}) {
    for (double alpha : {1.0, 0.5}) {
      Fixture with(n, p, 8, false, "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.7);
      Fixture without(n, p, 8, false, "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.7);
      without.optimizer = make_component<Optimizer>("cd", {{"support_newton", "false"}});
      const PathOptions options = Fixture::whole_grid(50, n > p ? 1e-4 : 1e-2, 1e-10);
      const PathResult a = with.solve(options);
      const PathResult b = without.solve(options);
      BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
      long long passes_with = 0, passes_without = 0;
      for (std::size_t k = 0; k < a.points.size(); ++k) {
        BOOST_TEST_CONTEXT("n " << n << " p " << p << " alpha " << alpha << " point " << k) {
          BOOST_TEST(a.points[k].converged);
          BOOST_TEST(b.points[k].converged);
          const double tolerance = a.points[k].gap_tolerance + b.points[k].gap_tolerance;
          BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <= tolerance);
        }
        passes_with += a.points[k].passes;
        passes_without += b.points[k].passes;
      }
      BOOST_TEST_MESSAGE("n " << n << " p " << p << " alpha " << alpha << ": passes " << passes_with << " with Newton steps, " << passes_without << " without");
      if (n < p) BOOST_TEST(passes_with < passes_without);
    }
  }
}

BOOST_AUTO_TEST_CASE(logistic_metric_steps_agree_with_residual_proximal_newton) {
  // Tall designs, where the working set soon covers a quarter of the features: proximal Newton
  // in p x p space with a reused metric must certify the same path as the residual kernel.
  for (double alpha : {1.0, 0.5}) {
    for (bool intercept : {true, false}) {
      Fixture metric(400, 40, 13, true, "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.6);
      Fixture residual(400, 40, 13, true, "elastic_net", alpha, {"strong_rule", "gap_safe"}, 0.6);
      residual.optimizer = make_component<Optimizer>("cd", {{"newton_metric", "false"}});
      const PathOptions options = Fixture::whole_grid(40, 1e-3, 1e-9);
      const PathResult a = metric.solve(options, intercept);
      const PathResult b = residual.solve(options, intercept);
      BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
      Index large = 0;
      double work_metric = 0.0, work_residual = 0.0;
      for (std::size_t k = 0; k < a.points.size(); ++k) {
        BOOST_TEST_CONTEXT("alpha " << alpha << " intercept " << intercept << " point " << k) {
          BOOST_TEST(a.points[k].converged);
          BOOST_TEST(b.points[k].converged);
          BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <=
                     a.points[k].gap_tolerance + b.points[k].gap_tolerance);
          BOOST_TEST(std::abs(a.points[k].intercept - b.points[k].intercept) <= 1e-3);
        }
        large += a.points[k].screening.working_set >= 10;  // the metric path can run here
        work_metric += a.points[k].flops;
        work_residual += b.points[k].flops;
      }
      BOOST_TEST(large >= 10);
      // It did run: with the same steps everywhere the two runs would count the same work.
      BOOST_TEST(work_metric != work_residual);
    }
  }
}

BOOST_AUTO_TEST_CASE(metric_newton_computes_the_hosts_correlations_in_its_gradient_pass) {
  // SolveControl::certified_with: the optimizer must fill x_j^T rho for the host's rho on the
  // whole working set, every time it is asked, at the state it hands over. A working set with
  // gaps (runs of several lengths) and one covering every column are both checked.
  for (const bool whole : {false, true}) {
    Fixture fixture(300, 30, 21, true, "lasso", 1.0, {}, 0.3);
    const Problem problem = fixture.problem();
    std::vector<Index> working_set;
    for (Index j = 0; j < 30; ++j) {
      if (whole || j % 7 != 3) working_set.push_back(j);
    }
    fixture.penalty->set_lambda(0.02);
    SolverState state;
    state.w.setZero(30);
    state.b = 0.0;
    state.z.setZero(300);
    SolveControl control;
    control.tolerance = 1e-12;
    int calls = 0;
    double worst = 0.0;
    std::mt19937 generator(5u);
    std::normal_distribution<double> normal(0.0, 1.0);
    control.certified_with = [&](const SolverState& at, const SolveControl::Correlate& correlate) {
      ++calls;
      Vector rho(300);
      for (Index i = 0; i < 300; ++i) rho[i] = normal(generator);
      Vector out = Vector::Constant(30, std::nan(""));
      correlate(rho, out);
      for (Index j : working_set) worst = std::max(worst, std::abs(out[j] - fixture.data.x.col(j).dot(rho)));
      Vector z = fixture.data.x * at.w;
      z.array() += at.b;
      worst = std::max(worst, (z - at.z).cwiseAbs().maxCoeff());  // a consistent state
      return false;
    };
    SolveStats stats;
    fixture.optimizer->solve(problem, working_set, state, control, stats);
    BOOST_TEST_CONTEXT("whole working set " << whole) {
      BOOST_TEST(calls >= 2);  // the metric path ran and asked after each step but the first
      BOOST_TEST(calls == stats.outer - 1);
      BOOST_TEST(worst <= 1e-10);
    }
  }
}

BOOST_AUTO_TEST_CASE(paths_are_bit_identical_with_two_threads) {
  // Large enough for the threaded kernels (column-split X^T r, threaded syrk): a wide lasso, a
  // tall lasso in covariance mode and a tall logistic path with the p x p metric (p > 256: the
  // single-precision metric's tiles are shared between the threads).
  struct Case {
    Index n, p;
    bool logistic;
  };
  for (const Case& shape : {Case{300, 3000, false}, Case{3000, 200, false}, Case{3000, 300, true}}) {
    std::vector<PathResult> results;
    for (int threads : {1, 2}) {
      blas::set_threads(threads);
      Fixture fixture(shape.n, shape.p, 4, shape.logistic, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.5);
      results.push_back(fixture.solve(Fixture::whole_grid(30, 0.01)));
    }
    blas::set_threads(1);
    BOOST_TEST_CONTEXT("n " << shape.n << " p " << shape.p << " logistic " << shape.logistic) {
      BOOST_REQUIRE_EQUAL(results[0].points.size(), results[1].points.size());
      for (std::size_t k = 0; k < results[0].points.size(); ++k) {
        const PathPoint& a = results[0].points[k];
        const PathPoint& b = results[1].points[k];
        BOOST_TEST(a.objective == b.objective);
        BOOST_TEST(a.duality_gap == b.duality_gap);
        BOOST_TEST(a.intercept == b.intercept);
        BOOST_TEST((a.coefficients == b.coefficients));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_point_reports_its_work) {
  // The flop estimates behind the benchmark's gradient-pass equivalents: every solved point
  // reports work, and covariance mode reports the Gram matrix's n p^2 as setup.
  for (const auto& [n, p] : {std::pair<Index, Index>{200, 30}, {40, 300}}) {
    Fixture fixture(n, p, 6, false, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.3);
    const PathResult result = fixture.solve(Fixture::whole_grid(20, -1.0));
    BOOST_TEST_CONTEXT("n " << n << " p " << p) {
      const double gram = static_cast<double>(n) * static_cast<double>(p) * static_cast<double>(p);
      if (n >= p) BOOST_TEST(result.setup_flops >= gram);
      else BOOST_TEST(result.setup_flops < gram);
      for (std::size_t k = 1; k < result.points.size(); ++k) BOOST_TEST(result.points[k].flops > 0.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_optimizer_serves_problems_of_different_sizes) {
  // State the optimizer keeps between calls (Newton factors, Gram caches, the metric) belongs to
  // one problem: a larger problem solved next with the same optimizer must not read it.
  Fixture small(80, 30, 12, false, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.6);
  Fixture large(60, 400, 13, false, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.6);
  Fixture reference(60, 400, 13, false, "lasso", 1.0, {"strong_rule", "gap_safe"}, 0.6);
  const PathOptions options = Fixture::whole_grid(30, 0.01);
  small.solve(options);
  const PathResult reused = large.solve(options, true, small.optimizer.get());
  const PathResult fresh = reference.solve(options);
  BOOST_REQUIRE_EQUAL(reused.points.size(), fresh.points.size());
  for (std::size_t k = 0; k < fresh.points.size(); ++k) {
    BOOST_TEST(reused.points[k].converged);
    BOOST_TEST(std::abs(reused.points[k].objective - fresh.points[k].objective) <=
               reused.points[k].gap_tolerance + fresh.points[k].gap_tolerance);
  }
}
