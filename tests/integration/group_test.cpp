// Group lasso and sparse-group lasso paths against independent answers: exact brute force over
// the faces of the penalty on tiny problems (squared and logistic), a plain proximal-gradient
// solver written here (not the plugins') on the servo data, the lasso path for singleton groups,
// agreement of cd, bcd and fista, safety of the gap-safe group and feature tests against tight
// re-solves, and the strong rule's KKT re-check for groups.
#define BOOST_TEST_MODULE group
#include <boost/test/unit_test.hpp>

#include "sparsepath/io/data_readers.hpp"
#include "test_support.hpp"

#include <cmath>

using namespace sparsepath;
using namespace sparsepath::testing;

namespace {

using Values = std::vector<std::pair<std::string, std::string>>;

std::string labels_of(const std::vector<int>& groups) {
  std::string text;
  for (int g : groups) text += (text.empty() ? "" : ",") + std::string("g") + std::to_string(g);
  return text;
}

struct GroupFixture {
  RandomProblem data;
  std::vector<int> groups;
  std::unique_ptr<Design> design;
  std::unique_ptr<Loss> loss;
  std::unique_ptr<Penalty> penalty;
  std::vector<std::unique_ptr<ScreeningRule>> rule_objects;
  std::vector<const ScreeningRule*> rules;

  GroupFixture(RandomProblem problem, std::vector<int> group_of, bool logistic, const std::string& type,
               double alpha, const std::vector<std::string>& rule_names = {})
      : data(std::move(problem)), groups(std::move(group_of)) {
    design = dense_design(data.x, data.names);
    loss = make_component<Loss>(logistic ? "logistic" : "squared");
    loss->prepare_target(data.y);
    Values values{{"group_labels", labels_of(groups)}};
    if (type == "sparse_group_lasso") values.emplace_back("alpha", format_real(alpha));
    penalty = bound_penalty(data, type, values);
    for (const std::string& name : rule_names) {
      rule_objects.push_back(make_component<ScreeningRule>(name));
      rules.push_back(rule_objects.back().get());
    }
  }
  Problem problem(bool intercept = true) const {
    return Problem{*design, data.y, data.v, true, *loss, *penalty, intercept};
  }
  PathResult solve(const std::string& optimizer_name, std::vector<double> lambdas, double tolerance,
                   PathOptions::Gram gram = PathOptions::Gram::automatic, bool intercept = true) {
    auto optimizer = make_component<Optimizer>(optimizer_name);
    PathOptions options;
    options.lambdas = std::move(lambdas);
    options.tolerance = tolerance;
    options.min_deviance_change = 0.0;
    options.max_deviance_ratio = 1.0;
    options.gram = gram;
    Problem p = problem(intercept);
    return PathSolver(p, *optimizer, rules, options, data.standardization, data.names).run();
  }
  double lambda_max() {
    auto optimizer = make_component<Optimizer>("bcd");
    Problem p = problem();
    return PathSolver(p, *optimizer, rules, PathOptions{}, data.standardization, data.names).lambda_max();
  }
  // lambda (alpha ||w||_1 + (1 - alpha) sum_g sqrt(|g|) ||w_g||) written out here.
  double penalty_value(const Vector& w, double lambda, double alpha) const {
    std::map<int, std::pair<double, int>> norms;
    double l1 = 0.0;
    for (Index j = 0; j < w.size(); ++j) {
      l1 += std::abs(w[j]);
      norms[groups[static_cast<std::size_t>(j)]].first += w[j] * w[j];
      norms[groups[static_cast<std::size_t>(j)]].second += 1;
    }
    double group = 0.0;
    for (const auto& [g, entry] : norms) group += std::sqrt(static_cast<double>(entry.second)) * std::sqrt(entry.first);
    return lambda * (alpha * l1 + (1.0 - alpha) * group);
  }
};

Vector dense_coefficients(const PathPoint& point, Index p) {
  Vector w = Vector::Zero(p);
  for (const auto& [j, value] : point.coefficients) w[j] = value;
  return w;
}

// The exact optimum by enumeration of the faces {sign pattern s in {-1,0,1}^p}: on a face the
// objective is smooth in (w_S, b) (|w_j| = s_j w_j, group norms of nonzero groups are smooth), so
// damped Newton finds the face's minimiser; the optimum is the minimiser of the face containing it
// in its relative interior, and every other candidate is a feasible point, so the smallest
// candidate objective is the optimum.
double brute_force(const GroupFixture& f, double lambda, double alpha) {
  const Matrix& x = f.data.x;
  const Index n = x.rows(), p = x.cols();
  const Loss& loss = *f.loss;
  Index faces = 1;
  for (Index j = 0; j < p; ++j) faces *= 3;
  double best = std::numeric_limits<double>::infinity();
  for (Index code = 0; code < faces; ++code) {
    std::vector<Index> support;
    std::vector<double> sign;
    for (Index j = 0, rest = code; j < p; ++j, rest /= 3) {
      if (rest % 3 == 0) continue;
      support.push_back(j);
      sign.push_back(rest % 3 == 1 ? 1.0 : -1.0);
    }
    const Index k = static_cast<Index>(support.size());
    // u = (w_S, b)
    Vector u = Vector::Zero(k + 1);
    for (Index a = 0; a < k; ++a) u[a] = 0.1 * sign[static_cast<std::size_t>(a)];
    u[k] = loss.intercept_only(f.data.y, f.data.v);
    Matrix xs(n, k + 1);
    for (Index a = 0; a < k; ++a) xs.col(a) = x.col(support[static_cast<std::size_t>(a)]);
    xs.col(k).setOnes();
    auto inside = [&](const Vector& at) {
      for (Index a = 0; a < k; ++a) {
        if (!(at[a] * sign[static_cast<std::size_t>(a)] > 0.0)) return false;
      }
      return true;
    };
    auto objective = [&](const Vector& at) {
      Vector w = Vector::Zero(p);
      for (Index a = 0; a < k; ++a) w[support[static_cast<std::size_t>(a)]] = at[a];
      const Vector z = xs * at;
      return loss.value(f.data.y, f.data.v, z) + f.penalty_value(w, lambda, alpha);
    };
    bool converged = false;
    for (int iteration = 0; iteration < 100; ++iteration) {
      const Vector z = xs * u;
      Vector rho(n), h(n);
      loss.residual(f.data.y, f.data.v, z, rho);
      loss.curvature(f.data.y, f.data.v, z, h);
      Vector gradient = -(xs.transpose() * rho);
      Matrix hessian = xs.transpose() * h.asDiagonal() * xs;
      std::map<int, std::vector<Index>> by_group;
      for (Index a = 0; a < k; ++a) {
        gradient[a] += lambda * alpha * sign[static_cast<std::size_t>(a)];
        by_group[f.groups[static_cast<std::size_t>(support[static_cast<std::size_t>(a)])]].push_back(a);
      }
      for (const auto& [g, entries] : by_group) {
        int size = 0;
        for (int label : f.groups) size += label == g;
        const double weight = lambda * (1.0 - alpha) * std::sqrt(static_cast<double>(size));
        double norm = 0.0;
        for (Index a : entries) norm += u[a] * u[a];
        norm = std::sqrt(norm);
        for (Index a : entries) {
          gradient[a] += weight * u[a] / norm;
          for (Index b : entries) hessian(a, b) += weight * ((a == b ? 1.0 : 0.0) / norm - u[a] * u[b] / (norm * norm * norm));
        }
      }
      if (gradient.norm() <= 1e-9) {
        converged = true;
        break;
      }
      const Vector step = hessian.ldlt().solve(-gradient);
      const double start = objective(u);
      double t = 1.0;
      Vector next = u + t * step;
      // (a rounding allowance: near the minimiser the decrease is below the objective's last bits)
      while ((!inside(next) || objective(next) > start + 1e-15 * std::abs(start)) && t > 1e-12) {
        t *= 0.5;
        next = u + t * step;
      }
      if (t <= 1e-12) break;  // the face's minimiser is on its boundary: another face holds it
      u = next;
    }
    if (converged && inside(u)) best = std::min(best, objective(u));
  }
  return best;
}

RandomProblem tiny_problem(unsigned seed, bool logistic) { return RandomProblem(40, 6, seed, logistic, 0.4); }

// A shipped CSV as a problem: columns centred and scaled to unit 1/n variance, as the framework does.
RandomProblem standardized_csv(const std::string& file, bool logistic) {
  const DataSet read = read_csv(source_path(file), "y");
  const Index n = read.rows(), p = read.cols();
  RandomProblem data(n, p, 1u, logistic);
  data.x = read.dense;
  for (Index j = 0; j < p; ++j) {
    data.x.col(j).array() -= data.x.col(j).mean();
    data.x.col(j) /= std::sqrt(data.x.col(j).squaredNorm() / static_cast<double>(n));
  }
  data.y = read.y;
  data.names = read.names;
  return data;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sparse_group_lasso_matches_brute_force) {
  for (bool logistic : {false, true}) {
    for (double alpha : {0.0, 0.5, 0.9}) {
      GroupFixture f(tiny_problem(logistic ? 11u : 12u, logistic), {0, 0, 0, 1, 1, 1}, logistic,
                     alpha == 0.0 ? "group_lasso" : "sparse_group_lasso", alpha);
      const double lambda_max = f.lambda_max();
      const std::vector<double> lambdas{0.6 * lambda_max, 0.25 * lambda_max, 0.05 * lambda_max};
      std::vector<double> exact;
      for (double lambda : lambdas) exact.push_back(brute_force(f, lambda, alpha));
      for (const std::string optimizer : {"bcd", "fista"}) {
        BOOST_TEST_CONTEXT("logistic " << logistic << ", alpha " << alpha << ", " << optimizer) {
          const PathResult path = f.solve(optimizer, lambdas, 1e-12);
          BOOST_TEST(path.points.size() == lambdas.size());
          for (std::size_t k = 0; k < path.points.size(); ++k) {
            const PathPoint& point = path.points[k];
            BOOST_TEST(point.converged);
            BOOST_TEST(std::abs(point.objective - exact[k]) <= 1e-8 * std::abs(exact[k]),
                       "lambda " << point.lambda << ": objective " << point.objective << " vs brute force " << exact[k]);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(lambda_max_is_exact) {
  for (bool logistic : {false, true}) {
    for (bool intercept : {true, false}) {
      BOOST_TEST_CONTEXT("logistic " << logistic << ", intercept " << intercept) {
        GroupFixture f(RandomProblem(50, 9, 21u, logistic, 0.3), {0, 0, 1, 1, 1, 2, 2, 2, 2}, logistic,
                       "sparse_group_lasso", 0.4);
        auto optimizer = make_component<Optimizer>("bcd");
        Problem p = f.problem(intercept);
        const double lambda_max = PathSolver(p, *optimizer, {}, PathOptions{}, f.data.standardization, f.data.names).lambda_max();
        const PathResult path = f.solve("bcd", {1.000001 * lambda_max, 0.999 * lambda_max}, 1e-12,
                                        PathOptions::Gram::automatic, intercept);
        BOOST_TEST(path.points[0].coefficients.empty(), "nonzero solution above lambda_max");
        BOOST_TEST(!path.points[1].coefficients.empty(), "zero solution just below lambda_max");
      }
    }
  }
}

// Servo (UCI): the one-hot blocks of motor and screw as groups. The reference is a textbook
// accelerated proximal gradient written here with its own prox, run far past convergence.
BOOST_AUTO_TEST_CASE(servo_matches_an_independent_solver) {
  const RandomProblem data = standardized_csv("configs/data/servo.csv", false);
  const Index n = data.x.rows(), p = data.x.cols();
  const std::vector<int> groups{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3};
  const double alpha = 0.3;
  GroupFixture f(data, groups, false, "sparse_group_lasso", alpha, {"gap_safe"});
  const double lambda_max = f.lambda_max();
  const std::vector<double> lambdas{0.5 * lambda_max, 0.1 * lambda_max, 0.01 * lambda_max};
  // Reference: minimise 1/(2n)||yc - Xw||^2 + penalty (centred columns: the intercept is ybar).
  const Vector yc = f.data.y.array() - f.data.y.mean();
  const Matrix gram = f.data.x.transpose() * f.data.x / static_cast<double>(n);
  const Vector xty = f.data.x.transpose() * yc / static_cast<double>(n);
  const double lipschitz = Eigen::SelfAdjointEigenSolver<Matrix>(gram).eigenvalues().maxCoeff();
  std::vector<double> reference;
  for (double lambda : lambdas) {
    Vector w = Vector::Zero(p), previous = w, y = w;
    double t = 1.0;
    auto prox = [&](const Vector& v, double step) {
      Vector out(p);
      for (Index j = 0; j < p; ++j) out[j] = std::copysign(std::max(std::abs(v[j]) - step * lambda * alpha, 0.0), v[j]);
      for (int g = 0; g < 4; ++g) {
        double norm = 0.0;
        int size = 0;
        for (Index j = 0; j < p; ++j) {
          if (groups[static_cast<std::size_t>(j)] == g) norm += out[j] * out[j], ++size;
        }
        norm = std::sqrt(norm);
        const double shrink = step * lambda * (1.0 - alpha) * std::sqrt(static_cast<double>(size));
        const double factor = norm > shrink ? 1.0 - shrink / norm : 0.0;
        for (Index j = 0; j < p; ++j) {
          if (groups[static_cast<std::size_t>(j)] == g) out[j] *= factor;
        }
      }
      return out;
    };
    for (int iteration = 0; iteration < 200000; ++iteration) {
      previous = w;
      w = prox(y - (gram * y - xty) / lipschitz, 1.0 / lipschitz);
      const double next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
      if ((y - w).dot(w - previous) > 0.0) {
        t = 1.0;
        y = w;
      } else {
        y = w + ((t - 1.0) / next) * (w - previous);
        t = next;
      }
    }
    reference.push_back(0.5 * (w.dot(gram * w) - 2.0 * w.dot(xty) + yc.squaredNorm() / static_cast<double>(n)) +
                        f.penalty_value(w, lambda, alpha));
  }
  for (const std::string optimizer : {"bcd", "fista"}) {
    for (auto gram_mode : {PathOptions::Gram::automatic, PathOptions::Gram::never}) {
      BOOST_TEST_CONTEXT(optimizer << ", gram " << (gram_mode == PathOptions::Gram::never ? "never" : "auto")) {
        const PathResult path = f.solve(optimizer, lambdas, 1e-11, gram_mode);
        for (std::size_t k = 0; k < lambdas.size(); ++k) {
          BOOST_TEST(path.points[k].converged);
          BOOST_TEST(std::abs(path.points[k].objective - reference[k]) <= 1e-6 * reference[k],
                     "lambda " << lambdas[k] << ": " << path.points[k].objective << " vs reference " << reference[k]);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(singleton_groups_give_the_lasso_path) {
  for (bool logistic : {false, true}) {
    BOOST_TEST_CONTEXT("logistic " << logistic) {
      const Index p = 15;
      std::vector<int> singletons;
      for (Index j = 0; j < p; ++j) singletons.push_back(static_cast<int>(j));
      GroupFixture groups(RandomProblem(80, p, 31u, logistic, 0.5), singletons, logistic, "group_lasso", 0.0, {"gap_safe"});
      GroupFixture lasso(RandomProblem(80, p, 31u, logistic, 0.5), singletons, logistic, "group_lasso", 0.0);
      lasso.penalty = bound_penalty(lasso.data, "lasso");
      const double lambda_max = lasso.lambda_max();
      BOOST_TEST(std::abs(groups.lambda_max() - lambda_max) <= 1e-12 * lambda_max);
      std::vector<double> lambdas;
      for (int k = 0; k < 20; ++k) lambdas.push_back(lambda_max * std::pow(0.01, k / 19.0));
      const PathResult by_groups = groups.solve("bcd", lambdas, 1e-11);
      const PathResult by_lasso = lasso.solve("cd", lambdas, 1e-11);
      for (std::size_t k = 0; k < lambdas.size(); ++k) {
        BOOST_TEST(std::abs(by_groups.points[k].objective - by_lasso.points[k].objective) <=
                   1e-9 * by_lasso.points[k].objective);
        const Vector difference = dense_coefficients(by_groups.points[k], p) - dense_coefficients(by_lasso.points[k], p);
        BOOST_TEST(difference.cwiseAbs().maxCoeff() <= 1e-4, "coefficients differ by " << difference.cwiseAbs().maxCoeff());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(cd_bcd_and_fista_agree_on_lasso_paths) {
  for (bool logistic : {false, true}) {
    for (auto gram_mode : {PathOptions::Gram::automatic, PathOptions::Gram::never}) {
      BOOST_TEST_CONTEXT("logistic " << logistic << ", gram " << (gram_mode == PathOptions::Gram::never ? "never" : "auto")) {
        GroupFixture f(RandomProblem(100, 30, 41u, logistic, 0.5), std::vector<int>(30, 0), logistic, "group_lasso", 0.0,
                       {"gap_safe"});
        f.penalty = bound_penalty(f.data, "lasso");
        const double lambda_max = f.lambda_max();
        std::vector<double> lambdas;
        for (int k = 0; k < 25; ++k) lambdas.push_back(lambda_max * std::pow(0.01, k / 24.0));
        const PathResult cd = f.solve("cd", lambdas, 1e-9, gram_mode);
        for (const std::string other : {"bcd", "fista"}) {
          const PathResult path = f.solve(other, lambdas, 1e-9, gram_mode);
          for (std::size_t k = 0; k < lambdas.size(); ++k) {
            BOOST_TEST(path.points[k].converged, other << " point " << k << " not certified");
            BOOST_TEST(std::abs(path.points[k].objective - cd.points[k].objective) <= 2e-9 * cd.points[k].objective,
                       other << " point " << k << ": " << path.points[k].objective << " vs cd " << cd.points[k].objective);
          }
        }
      }
    }
  }
}

// Every feature or group removed by the gap-safe rule, at any feasible point along the way, is zero
// in a tight re-solve without screening.
BOOST_AUTO_TEST_CASE(gap_safe_never_removes_an_active_group_or_feature) {
  Index screened_groups = 0, screened_features = 0, screened_groups_alone = 0;
  for (bool logistic : {false, true}) {
    for (double alpha : {0.0, 0.3, 0.8}) {
      for (unsigned seed : {51u, 52u}) {
        BOOST_TEST_CONTEXT("logistic " << logistic << ", alpha " << alpha << ", seed " << seed) {
          std::vector<int> groups;
          for (int j = 0; j < 40; ++j) groups.push_back(j / 5);
          GroupFixture f(RandomProblem(60, 40, seed, logistic, 0.6), groups, logistic,
                         alpha == 0.0 ? "group_lasso" : "sparse_group_lasso", alpha);
          auto rule = make_component<ScreeningRule>("gap_safe");
          auto optimizer = make_component<Optimizer>("bcd");
          const double lambda_max = f.lambda_max();
          for (double ratio : {0.7, 0.3, 0.1}) {
            const double lambda = ratio * lambda_max;
            const PathResult tight = f.solve("bcd", {lambda}, 1e-13, PathOptions::Gram::never);
            const Vector optimum = dense_coefficients(tight.points[0], 40);
            Problem problem = f.problem();
            PathOptions options;
            options.gram = PathOptions::Gram::never;
            PathSolver solver(problem, *optimizer, {}, options, f.data.standardization, f.data.names);
            f.penalty->set_lambda(lambda);
            // Feasible points of increasing quality: shrunken and perturbed optima.
            std::mt19937 generator(seed);
            std::normal_distribution<double> normal(0.0, 1.0);
            for (double quality : {0.0, 0.5, 0.9, 0.99, 1.0}) {
              SolverState state = solver.null_state();
              for (Index j = 0; j < 40; ++j) state.w[j] = quality * optimum[j] + (quality < 1.0 ? 0.01 * normal(generator) : 0.0);
              state.z = f.data.x * state.w;
              state.z.array() += state.b;
              const PathSolver::Evaluation at = solver.evaluate(state);
              Vector norms(40);
              for (Index j = 0; j < 40; ++j) norms[j] = f.data.x.col(j).norm();
              const ScreeningContext context{problem, lambda, lambda, at.scaled_correlation, at.correlation,
                                             solver.screening_radius(at), norms};
              std::vector<char> keep(40, 1);
              rule->screen(context, keep);
              for (Index j = 0; j < 40; ++j) {
                if (keep[static_cast<std::size_t>(j)]) continue;
                ++screened_features;
                BOOST_TEST(std::abs(optimum[j]) <= 1e-10, "feature " << j << " screened but " << optimum[j] << " at the optimum");
              }
              for (int g = 0; g < 8; ++g) {
                bool all = true;
                for (int j = 5 * g; j < 5 * g + 5; ++j) all &= !keep[static_cast<std::size_t>(j)];
                screened_groups += all;
                if (alpha == 0.0) screened_groups_alone += all;  // no feature-level test can do it
              }
            }
          }
        }
      }
    }
  }
  BOOST_TEST(screened_groups > 0, "the test never screened a group");
  BOOST_TEST(screened_groups_alone > 0, "the group-level test never screened a group of the group lasso");
  BOOST_TEST(screened_features > 0);
}

// The strong rule for groups is unsafe: the KKT re-check must restore the unscreened path.
BOOST_AUTO_TEST_CASE(strong_rule_for_groups_is_repaired_by_the_kkt_check) {
  std::vector<int> groups;
  for (int j = 0; j < 60; ++j) groups.push_back(j / 4);
  for (bool logistic : {false, true}) {
    BOOST_TEST_CONTEXT("logistic " << logistic) {
      GroupFixture plain(RandomProblem(50, 60, 61u, logistic, 0.9), groups, logistic, "sparse_group_lasso", 0.5);
      GroupFixture strong(RandomProblem(50, 60, 61u, logistic, 0.9), groups, logistic, "sparse_group_lasso", 0.5,
                          {"strong_rule", "gap_safe"});
      const double lambda_max = plain.lambda_max();
      std::vector<double> lambdas;
      for (int k = 0; k < 30; ++k) lambdas.push_back(lambda_max * std::pow(0.05, k / 29.0));
      const PathResult reference = plain.solve("bcd", lambdas, 1e-10);
      const PathResult screened = strong.solve("bcd", lambdas, 1e-10);
      long long discarded = 0;
      for (std::size_t k = 0; k < lambdas.size(); ++k) {
        BOOST_TEST(screened.points[k].converged);
        BOOST_TEST(std::abs(screened.points[k].objective - reference.points[k].objective) <=
                   1e-8 * reference.points[k].objective);
        discarded += screened.points[k].screening.strong_discarded;
      }
      BOOST_TEST(discarded > 0, "the strong rule never discarded anything");
    }
  }
}

BOOST_AUTO_TEST_CASE(configuration_errors_are_clear) {
  TemporaryFolder folder;
  const std::string base = "[data]\ntype = csv\nfile = " + source_path("configs/data/servo.csv").string() +
                           "\ntarget = y\n[loss]\ntype = squared\n";
  auto fit = [&](const std::string& name, const std::string& text) {
    const auto config = folder.write(name + ".ini", base + text);
    return run_command(quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(folder.path / name));
  };
  folder.write("short.txt", "a\na\nb\n");
  CommandResult result = fit("short", "[penalty]\ntype = group_lasso\ngroups = short.txt\n[optimizer]\ntype = bcd\n");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("short.txt") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("'motor_D'") != std::string::npos, result.err);
  BOOST_TEST(!std::filesystem::exists(folder.path / "short"));
  result = fit("none", "[penalty]\ntype = sparse_group_lasso\n[optimizer]\ntype = bcd\n");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("group_labels") != std::string::npos, result.err);
  result = fit("cd", "[penalty]\ntype = group_lasso\ngroups = " + source_path("configs/data/servo_groups.txt").string() +
                         "\n[optimizer]\ntype = cd\n");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("prox_1d") != std::string::npos, result.err);
  folder.write("weights.txt", "motor 1\nscrew -2\npgain 1\nvgain 1\n");
  result = fit("weights", "[penalty]\ntype = group_lasso\ngroups = " + source_path("configs/data/servo_groups.txt").string() +
                              "\ngroup_weights = weights.txt\n[optimizer]\ntype = bcd\n");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("weights.txt:2") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("screw") != std::string::npos, result.err);
}

// Breast cancer (logistic): ten groups, one per measurement (its mean, standard error and worst
// value). bcd (majorised block updates) and fista reach the same certified objectives, with and
// without gap-safe screening (dynamic inside bcd), and equal the unscreened path.
BOOST_AUTO_TEST_CASE(logistic_sparse_group_lasso_on_breast_cancer) {
  const RandomProblem data = standardized_csv("configs/data/breast_cancer.csv", true);
  const Index p = data.x.cols();
  std::vector<int> groups;
  for (Index j = 0; j < p; ++j) groups.push_back(static_cast<int>(j % 10));  // mean_*, *_error, worst_*
  GroupFixture plain(data, groups, true, "sparse_group_lasso", 0.4);
  GroupFixture screened(data, groups, true, "sparse_group_lasso", 0.4, {"gap_safe"});
  const double lambda_max = plain.lambda_max();
  std::vector<double> lambdas;
  for (int k = 0; k < 15; ++k) lambdas.push_back(lambda_max * std::pow(0.02, k / 14.0));
  const PathResult reference = plain.solve("bcd", lambdas, 1e-10);
  const PathResult by_fista = plain.solve("fista", lambdas, 1e-10);
  const PathResult dynamic = screened.solve("bcd", lambdas, 1e-10);
  Index removed = 0, removed_inside = 0;
  for (std::size_t k = 0; k < lambdas.size(); ++k) {
    BOOST_TEST_CONTEXT("lambda " << lambdas[k]) {
      BOOST_TEST(reference.points[k].converged);
      BOOST_TEST(by_fista.points[k].converged);
      BOOST_TEST(dynamic.points[k].converged);
      const double objective = reference.points[k].objective;
      BOOST_TEST(std::abs(by_fista.points[k].objective - objective) <= 1e-8 * objective);
      BOOST_TEST(std::abs(dynamic.points[k].objective - objective) <= 1e-8 * objective);
      removed += dynamic.points[k].screening.safe_screened;
      removed_inside += dynamic.points[k].screening.dynamic_screened;
    }
  }
  BOOST_TEST(removed > 0, "gap-safe screening removed nothing");
  BOOST_TEST(removed_inside > 0, "dynamic screening inside bcd never removed anything");
}

// Group weights read from a file ('label weight', comma or blank separated, in any order) give the
// same path as the built-in choice they spell out.
BOOST_AUTO_TEST_CASE(group_weights_from_a_file) {
  TemporaryFolder folder;
  const auto weights = folder.write("weights.txt", "# sqrt of each group's size\ng2, 2\ng0 1.7320508075688772\ng1 1.4142135623730951\n");
  const std::vector<int> groups{0, 0, 0, 1, 1, 2, 2, 2, 2};
  GroupFixture builtin(RandomProblem(50, 9, 71u, false, 0.3), groups, false, "sparse_group_lasso", 0.4);
  GroupFixture from_file(RandomProblem(50, 9, 71u, false, 0.3), groups, false, "sparse_group_lasso", 0.4);
  from_file.penalty = bound_penalty(from_file.data, "sparse_group_lasso",
                                    {{"alpha", "0.4"}, {"group_labels", labels_of(groups)}, {"group_weights", weights.string()}});
  const double lambda_max = builtin.lambda_max();
  BOOST_TEST(std::abs(from_file.lambda_max() - lambda_max) <= 1e-14 * lambda_max);
  const std::vector<double> lambdas{0.5 * lambda_max, 0.1 * lambda_max};
  const PathResult a = builtin.solve("bcd", lambdas, 1e-10), b = from_file.solve("bcd", lambdas, 1e-10);
  for (std::size_t k = 0; k < lambdas.size(); ++k) {
    BOOST_TEST(std::abs(a.points[k].objective - b.points[k].objective) <= 1e-12 * a.points[k].objective);
  }
}
