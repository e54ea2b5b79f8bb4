// The strong-hierarchy relaxation end to end on small instances: the path (pairwise_interactions
// design, strong_hierarchy penalty, fista with the dual-ascent prox, certified by the exact dual
// norm) against an independent solve of (R) as a quadratic program by Clp:
//   min 1/(2n) ||y - b - X beta - Z theta||^2 + lambda1 sum_i t_i + lambda2 sum_k s_k
//   s.t. t_i >= |beta_i|, t_i >= |theta_k| for the pairs k of i, s_k >= |theta_k|.
#define BOOST_TEST_MODULE hierarchy
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <ClpSimplex.hpp>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <set>

#include <random>

using namespace sparsepath;
using namespace sparsepath::testing;

namespace {

struct Instance {
  Matrix x;        // n x q main effects (centred, unit 1/n variance)
  Matrix z;        // n x m products, pairs (i, k) in lexicographic order
  Vector y;
  std::vector<std::pair<Index, Index>> pairs;
  std::vector<std::string> names;
};

Instance make_instance(Index n, Index q, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Instance instance;
  instance.x.resize(n, q);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < q; ++j) instance.x(i, j) = normal(generator);
  }
  for (Index j = 0; j < q; ++j) {
    instance.x.col(j).array() -= instance.x.col(j).mean();
    instance.x.col(j) /= std::sqrt(instance.x.col(j).squaredNorm() / static_cast<double>(n));
    instance.names.push_back("x" + std::to_string(j));
  }
  for (Index i = 0; i < q; ++i) {
    for (Index k = i + 1; k < q; ++k) instance.pairs.emplace_back(i, k);
  }
  instance.z.resize(n, static_cast<Index>(instance.pairs.size()));
  for (std::size_t e = 0; e < instance.pairs.size(); ++e) {
    instance.z.col(static_cast<Index>(e)) = instance.x.col(instance.pairs[e].first).cwiseProduct(instance.x.col(instance.pairs[e].second));
  }
  // Strong-hierarchy truth: x0, x1 and x0:x1, plus noise.
  instance.y = 1.0 + 1.5 * instance.x.col(0).array() - instance.x.col(1).array() + 0.8 * instance.z.col(0).array();
  for (Index i = 0; i < n; ++i) instance.y[i] += 0.5 * normal(generator);
  return instance;
}

// (R) by Clp's quadratic primal simplex; returns the optimal objective.
double solve_by_qp(const Instance& instance, double lambda1, double lambda2,
                   double bound = std::numeric_limits<double>::infinity()) {
  const Index n = instance.x.rows(), q = instance.x.cols(), m = instance.z.cols();
  // Columns: b, beta (q), theta (m), t (q), s (m).
  const Index columns = 1 + q + m + q + m;
  Matrix a(n, 1 + q + m);
  a.col(0).setOnes();
  a.middleCols(1, q) = instance.x;
  a.middleCols(1 + q, m) = instance.z;
  const Matrix hessian = a.transpose() * a / static_cast<double>(n);
  const Vector linear = -a.transpose() * instance.y / static_cast<double>(n);
  std::vector<double> objective(static_cast<std::size_t>(columns), 0.0), lower(static_cast<std::size_t>(columns)), upper(static_cast<std::size_t>(columns), COIN_DBL_MAX);
  for (Index j = 0; j < 1 + q + m; ++j) {
    objective[static_cast<std::size_t>(j)] = linear[j];
    lower[static_cast<std::size_t>(j)] = -COIN_DBL_MAX;
    if (j > 0 && std::isfinite(bound)) {  // the big-M box on beta and theta
      lower[static_cast<std::size_t>(j)] = -bound;
      upper[static_cast<std::size_t>(j)] = bound;
    }
  }
  for (Index i = 0; i < q; ++i) objective[static_cast<std::size_t>(1 + q + m + i)] = lambda1, lower[static_cast<std::size_t>(1 + q + m + i)] = 0.0;
  for (Index k = 0; k < m; ++k) objective[static_cast<std::size_t>(1 + 2 * q + m + k)] = lambda2, lower[static_cast<std::size_t>(1 + 2 * q + m + k)] = 0.0;
  // Rows "bound - value >= 0" and "bound + value >= 0".
  std::vector<Eigen::Triplet<double>> entries;
  Index row = 0;
  auto both_signs = [&](Index bound, Index value) {
    entries.emplace_back(static_cast<int>(row), static_cast<int>(bound), 1.0);
    entries.emplace_back(static_cast<int>(row++), static_cast<int>(value), -1.0);
    entries.emplace_back(static_cast<int>(row), static_cast<int>(bound), 1.0);
    entries.emplace_back(static_cast<int>(row++), static_cast<int>(value), 1.0);
  };
  for (Index i = 0; i < q; ++i) both_signs(1 + q + m + i, 1 + i);
  for (Index k = 0; k < m; ++k) {
    both_signs(1 + q + m + instance.pairs[static_cast<std::size_t>(k)].first, 1 + q + k);
    both_signs(1 + q + m + instance.pairs[static_cast<std::size_t>(k)].second, 1 + q + k);
    both_signs(1 + 2 * q + m + k, 1 + q + k);
  }
  SparseMatrix constraints(row, columns);
  constraints.setFromTriplets(entries.begin(), entries.end());
  constraints.makeCompressed();
  std::vector<double> row_lower(static_cast<std::size_t>(row), 0.0), row_upper(static_cast<std::size_t>(row), COIN_DBL_MAX);
  ClpSimplex model;
  model.setLogLevel(0);
  std::vector<CoinBigIndex> starts(constraints.outerIndexPtr(), constraints.outerIndexPtr() + columns + 1);
  model.loadProblem(static_cast<int>(columns), static_cast<int>(row), starts.data(), constraints.innerIndexPtr(),
                    constraints.valuePtr(), lower.data(), upper.data(), objective.data(), row_lower.data(), row_upper.data());
  // The Hessian's lower triangle, column by column (Clp adds the mirror itself).
  std::vector<CoinBigIndex> q_start{0};
  std::vector<int> q_row;
  std::vector<double> q_value;
  for (Index j = 0; j < columns; ++j) {
    if (j < 1 + q + m) {
      for (Index i = j; i < 1 + q + m; ++i) {
        if (hessian(i, j) == 0.0) continue;
        q_row.push_back(static_cast<int>(i));
        q_value.push_back(hessian(i, j));
      }
    }
    q_start.push_back(static_cast<CoinBigIndex>(q_row.size()));
  }
  model.loadQuadraticObjective(static_cast<int>(columns), q_start.data(), q_row.data(), q_value.data());
  model.primal();
  BOOST_REQUIRE_MESSAGE(model.status() == 0, "Clp QP status " << model.status());
  return model.objectiveValue() + 0.5 * instance.y.squaredNorm() / static_cast<double>(n);
}

// The pieces of a strong-hierarchy path on an instance, with a chosen LP backend (null: max flow).
struct HierarchyRun {
  Instance& instance;
  std::unique_ptr<Design> design;
  std::unique_ptr<Penalty> penalty;
  std::unique_ptr<Loss> loss = make_component<Loss>("squared");
  std::unique_ptr<Optimizer> optimizer = make_component<Optimizer>("fista");
  std::vector<FeatureOrigin> origins;
  std::vector<std::string> names;
  std::vector<double> scale;
  std::vector<char> excluded;
  Vector v;
  Standardization standardization;
  HierarchyRun(Instance& data, double ratio, LpBackend* lp, double big_m = std::numeric_limits<double>::infinity())
      : instance(data) {
    design = make_component<Design>("pairwise_interactions");
    DataMatrix matrix;
    matrix.dense = &instance.x;
    matrix.names = &instance.names;
    if (!design->bind(matrix).ok()) throw Error("test: design bind failed");
    const Index features = design->cols();
    for (Index j = 0; j < features; ++j) origins.push_back(design->origin(j)), names.push_back(design->feature_name(j));
    penalty = make_component<Penalty>("strong_hierarchy", {{"lambda2_ratio", format_real(ratio)}, {"big_m", format_real(big_m)}});
    scale.assign(static_cast<std::size_t>(features), 1.0);
    excluded.assign(static_cast<std::size_t>(features), 0);
    PenaltyContext context;
    context.features = features;
    context.column_scale = scale;
    context.names = names;
    context.excluded = excluded;
    context.origins = origins;
    context.lp = lp;
    if (!penalty->bind(context).ok()) throw Error("test: penalty bind failed");
    v = Vector::Constant(instance.x.rows(), 1.0 / static_cast<double>(instance.x.rows()));
    standardization.center = Vector::Zero(features);
    standardization.scale = Vector::Ones(features);
    standardization.excluded = excluded;
  }
  Problem problem() { return Problem{*design, instance.y, v, true, *loss, *penalty, true}; }
  PathResult run(PathOptions options, Index* exact = nullptr) {
    Problem p = problem();
    PathSolver solver(p, *optimizer, {}, options, standardization, names);
    PathResult result = solver.run();
    if (exact) *exact = solver.exact_correlations();
    return result;
  }
};

}  // namespace

// Swapping the LP backend of the KKT check (Clp, GLPK, the max_flow backend, or the built-in flow
// when there is no [lp]) gives the same path, the
// check does add features (the working set grows from the active set by it), and bounded
// correlations (gradient screening) leave the path unchanged while skipping most pair gradients.
BOOST_AUTO_TEST_CASE(lp_backends_and_gradient_screening_give_identical_paths) {
  Instance instance = make_instance(120, 12, 7u);
  PathOptions options;
  options.n_lambda = 25;
  options.lambda_min_ratio = 0.05;
  options.tolerance = 1e-9;
  options.min_deviance_change = 0.0;
  options.max_deviance_ratio = 1.0;
  HierarchyRun by_flow(instance, 1.0, nullptr);
  Index exact_bounded = 0, exact_full = 0;
  const PathResult reference = by_flow.run(options, &exact_bounded);
  long long additions = 0;
  for (const PathPoint& point : reference.points) {
    BOOST_TEST(point.converged);
    additions += point.screening.kkt_violations;
  }
  BOOST_TEST(additions > 0, "the KKT check never added a feature");
  for (const std::string name : {"clp", "glpk", "max_flow"}) {
    auto backend = make_component<LpBackend>(name);
    HierarchyRun by_lp(instance, 1.0, backend.get());
    const PathResult path = by_lp.run(options);
    BOOST_REQUIRE(path.points.size() == reference.points.size());
    for (std::size_t k = 0; k < path.points.size(); ++k) {
      BOOST_TEST(path.points[k].objective == reference.points[k].objective, name << " point " << k);
      BOOST_TEST(path.points[k].coefficients.size() == reference.points[k].coefficients.size(), name << " point " << k);
    }
  }
  options.bounded_correlations = false;
  HierarchyRun full(instance, 1.0, nullptr);
  const PathResult unbounded = full.run(options, &exact_full);
  for (std::size_t k = 0; k < unbounded.points.size(); ++k) {
    BOOST_TEST(std::abs(unbounded.points[k].objective - reference.points[k].objective) <= 1e-12 * reference.points[k].objective);
    BOOST_TEST(std::abs(unbounded.points[k].dual_objective - reference.points[k].dual_objective) <=
               1e-9 * reference.points[k].objective);
  }
  BOOST_TEST(exact_bounded < exact_full, "bounded correlations computed " << exact_bounded << " of " << exact_full);
  BOOST_TEST_MESSAGE("exact correlations: " << exact_bounded << " with gradient screening, " << exact_full << " without");
}

BOOST_AUTO_TEST_CASE(path_matches_clp_quadratic_program) {
  for (unsigned seed : {1u, 2u}) {
    for (double ratio : {0.5, 2.0}) {
      BOOST_TEST_CONTEXT("seed " << seed << ", lambda2_ratio " << ratio) {
        Instance instance = make_instance(80, 5, seed);
        HierarchyRun run(instance, ratio, nullptr);
        PathOptions options;
        options.tolerance = 1e-11;
        options.min_deviance_change = 0.0;
        options.max_deviance_ratio = 1.0;
        Problem problem = run.problem();
        const double lambda_max = PathSolver(problem, *run.optimizer, {}, options, run.standardization, run.names).lambda_max();
        options.lambdas = {0.6 * lambda_max, 0.2 * lambda_max, 0.05 * lambda_max};
        const PathResult path = run.run(options);
        BOOST_REQUIRE(path.points.size() == 3u);
        bool interaction = false;
        for (const PathPoint& point : path.points) {
          BOOST_TEST(point.converged, "gap " << point.duality_gap);
          const double reference = solve_by_qp(instance, point.lambda, ratio * point.lambda);
          BOOST_TEST_MESSAGE("lambda " << point.lambda << ": path " << point.objective << ", Clp QP " << reference);
          BOOST_TEST(std::abs(point.objective - reference) <= 1e-6 * reference,
                     "lambda " << point.lambda << ": path " << point.objective << " vs Clp QP " << reference);
          for (const auto& [j, value] : point.coefficients) interaction |= run.origins[static_cast<std::size_t>(j)].is_product();
        }
        BOOST_TEST(interaction, "no interaction entered");
      }
    }
  }
}

// hierScale's big-M box, set where it binds (half the largest coefficient of the unboxed path):
// every point is certified by the box-aware conjugate, stays in the box, reaches it, and matches
// Clp's QP with the same bounds.
BOOST_AUTO_TEST_CASE(binding_box_matches_clp_quadratic_program) {
  for (double ratio : {0.5, 2.0}) {
    BOOST_TEST_CONTEXT("lambda2_ratio " << ratio) {
      Instance instance = make_instance(80, 5, 3u);
      PathOptions options;
      options.tolerance = 1e-11;
      options.min_deviance_change = 0.0;
      options.max_deviance_ratio = 1.0;
      HierarchyRun free_run(instance, ratio, nullptr);
      Problem problem = free_run.problem();
      const double lambda_max = PathSolver(problem, *free_run.optimizer, {}, options, free_run.standardization, free_run.names).lambda_max();
      options.lambdas = {0.6 * lambda_max, 0.2 * lambda_max, 0.05 * lambda_max};
      const PathResult free_path = free_run.run(options);
      double largest = 0.0;
      for (const auto& [j, value] : free_path.points.back().coefficients) largest = std::max(largest, std::abs(value));
      const double bound = 0.5 * largest;
      HierarchyRun boxed(instance, ratio, nullptr, bound);
      const PathResult path = boxed.run(options);
      BOOST_REQUIRE(path.points.size() == 3u);
      bool reached = false;
      for (const PathPoint& point : path.points) {
        BOOST_TEST(point.converged, "gap " << point.duality_gap << " tolerance " << point.gap_tolerance);
        BOOST_TEST(point.duality_gap >= -1e-12);
        const double reference = solve_by_qp(instance, point.lambda, ratio * point.lambda, bound);
        BOOST_TEST(std::abs(point.objective - reference) <= 1e-6 * reference,
                   "lambda " << point.lambda << ": path " << point.objective << " vs Clp QP " << reference);
        for (const auto& [j, value] : point.coefficients) {
          BOOST_TEST(std::abs(value) <= bound * (1.0 + 1e-12));
          reached |= std::abs(value) >= bound * (1.0 - 1e-9);
        }
      }
      BOOST_TEST(reached, "the box never bound");
    }
  }
}

// The config contract works as written (no [screening]: the default rules, which need a
// per-feature zero subdifferential, are left out), a rule named explicitly is still refused with
// the reason, and an unfit optimizer is refused with the ones that fit.
BOOST_AUTO_TEST_CASE(config_contract_and_composition_messages) {
  TemporaryFolder folder;
  const std::string base = "[data]\ntype = csv\nfile = " + source_path("configs/data/concrete.csv").string() +
                           "\ntarget = y\n[design]\ntype = pairwise_interactions\n[penalty]\ntype = strong_hierarchy\n"
                           "lambda2_ratio = 2\n";
  auto fit = [&](const std::string& name, const std::string& extra, const std::string& path_keys = "") {
    const auto config = folder.write(name + ".ini", base + "[path]\nn_lambda = 10\n" + path_keys + extra);
    return run_command(quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(folder.path / name));
  };
  CommandResult result = fit("contract", "[optimizer]\ntype = hier_pgd\n[lp]\ntype = clp\n");
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(std::filesystem::exists(folder.path / "contract" / "path.json"));
  // Interactions do enter (the reported, original-scale support always lists their main effects
  // too, through the expansion of the products, so that says nothing about hierarchy).
  boost::property_tree::ptree path;
  boost::property_tree::read_json((folder.path / "contract" / "path.json").string(), path);
  std::vector<std::string> names;
  for (const auto& item : path.get_child("feature_names")) names.push_back(item.second.data());
  Index interactions = 0;
  for (const auto& point : path.get_child("points")) {
    for (const auto& coefficient : point.second.get_child("coefficients")) {
      interactions += names[coefficient.second.get<std::size_t>("index")].find(':') != std::string::npos;
    }
    // On the fitted scale every nonzero interaction has both main effects nonzero.
    BOOST_TEST(point.second.get<int>("hierarchy_violations") == 0);
  }
  BOOST_TEST(interactions > 0);
  // hierScale's maxSuppSize: 500 unless [path] max_nonzeros says otherwise (0: no limit).
  auto manifest_of = [&](const std::string& name) {
    boost::property_tree::ptree manifest;
    boost::property_tree::read_json((folder.path / name / "manifest.json").string(), manifest);
    return manifest;
  };
  BOOST_TEST(manifest_of("contract").get<std::string>("max_nonzeros") == "500");
  result = fit("unlimited", "[optimizer]\ntype = hier_pgd\n", "max_nonzeros = 0\n");
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(manifest_of("unlimited").get<std::string>("max_nonzeros") == "null");
  result = fit("limited", "[optimizer]\ntype = hier_pgd\n", "max_nonzeros = 3\n");
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(manifest_of("limited").get<std::string>("max_nonzeros") == "3");
  BOOST_TEST(manifest_of("limited").get<std::string>("stop_reason") == "max_nonzeros reached");
  result = fit("explicit_rule", "[optimizer]\ntype = hier_pgd\n[screening]\nrules = gap_safe\n");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("gap_safe") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("zero_subdifferential") != std::string::npos, result.err);
  result = fit("default_optimizer", "");
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("optimizers that fit: bcd, fista, hier_pgd") != std::string::npos, result.err);
}
