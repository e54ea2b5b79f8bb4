// Objective agreement with glmnet 4.1-6 on glmnet's own lambda grids (reference paths stored in
// tests/regression/reference, produced once by tools/reference/glmnet_reference.R; CI needs no R).
// At every lambda sparsepath's objective must be within 1e-6 relative of glmnet's tight
// (thresh 1e-14) objective, never worse by more than its own gap tolerance, and certified.
#define BOOST_TEST_MODULE glmnet_regression
#include <boost/test/unit_test.hpp>

#include "sparsepath/config/run_spec.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/experiment.hpp"
#include "test_support.hpp"

#include <fstream>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;
namespace fs = std::filesystem;

namespace {

struct ReferenceRow {
  double lambda, objective_tight, objective_default;
};

std::vector<ReferenceRow> read_reference(const std::string& name) {
  std::ifstream in(source_path("tests/regression/reference/" + name + ".objective.csv"));
  BOOST_REQUIRE(in);
  std::string line;
  std::getline(in, line);
  BOOST_REQUIRE_EQUAL(line, "lambda_index,lambda,objective_tight,objective_default,df,dev_ratio");
  std::vector<ReferenceRow> rows;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string index, lambda, tight, fallback;
    std::getline(cells, index, ',');
    std::getline(cells, lambda, ',');
    std::getline(cells, tight, ',');
    std::getline(cells, fallback, ',');
    rows.push_back({std::stod(lambda), std::stod(tight), std::stod(fallback)});
  }
  return rows;
}

void check_case(const std::string& name, const std::string& data, const std::string& loss,
                const std::string& penalty, const std::string& alpha) {
  const std::vector<ReferenceRow> reference = read_reference(name);
  BOOST_REQUIRE(!reference.empty());
  TemporaryFolder folder;
  std::ostringstream grid;
  for (const ReferenceRow& row : reference) grid << format_17g(row.lambda) << "\n";
  folder.write("grid.txt", grid.str());
  std::ostringstream config;
  config << "[experiment]\nname = " << name << "\n[data]\nfile = " << source_path("configs/data/" + data).string()
         << "\n[loss]\ntype = " << loss << "\n[penalty]\ntype = " << penalty << "\n";
  if (!alpha.empty()) config << "alpha = " << alpha << "\n";
  config << "[path]\nlambda_file = grid.txt\nmin_deviance_change = 0\nmax_deviance_ratio = 1\n";
  const fs::path file = folder.write("experiment.ini", config.str());
  RunSpec spec = read_run_spec(file);
  FitOptions options;
  options.output_directory = folder.path / "out";
  std::ostringstream warnings;
  options.warnings = &warnings;
  FitOutcome outcome = run_fit(spec, plugins(), options);
  BOOST_REQUIRE_EQUAL(outcome.result.points.size(), reference.size());
  double worst = 0.0, worst_default = 0.0;
  for (std::size_t k = 0; k < reference.size(); ++k) {
    const PathPoint& point = outcome.result.points[k];
    const ReferenceRow& row = reference[k];
    BOOST_TEST_CONTEXT(name << " lambda index " << k << " lambda " << row.lambda) {
      BOOST_TEST(point.converged);
      BOOST_TEST(point.duality_gap <= point.gap_tolerance);
      const double relative = std::abs(point.objective - row.objective_tight) / std::abs(row.objective_tight);
      worst = std::max(worst, relative);
      worst_default = std::max(worst_default, (point.objective - row.objective_default) / std::abs(row.objective_default));
      BOOST_TEST(relative <= 1e-6);
      BOOST_TEST(point.objective <= row.objective_tight + point.gap_tolerance);
    }
  }
  BOOST_TEST_MESSAGE(name << ": " << reference.size() << " lambdas, worst relative objective difference to glmnet "
                          << "(thresh 1e-14) " << worst << "; largest (sparsepath - glmnet default thresh) / |glmnet| "
                          << worst_default);
}

}  // namespace

BOOST_AUTO_TEST_CASE(diabetes_lasso) { check_case("diabetes_lasso", "diabetes.csv", "squared", "lasso", ""); }
BOOST_AUTO_TEST_CASE(diabetes_elastic_net) { check_case("diabetes_enet", "diabetes.csv", "squared", "elastic_net", "0.5"); }
BOOST_AUTO_TEST_CASE(breast_cancer_logistic) { check_case("breast_cancer_logistic", "breast_cancer.csv", "logistic", "lasso", ""); }
BOOST_AUTO_TEST_CASE(breast_cancer_elastic_net) { check_case("breast_cancer_enet", "breast_cancer.csv", "logistic", "elastic_net", "0.5"); }
