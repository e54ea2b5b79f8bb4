// Cross-validation against R glmnet's cv.glmnet 4.1-6, given the same fold ids and lambda grid
// (references in tests/regression/reference, made once by tools/reference/cv_glmnet_reference.R;
// CI needs no R): the same lambda_min and lambda_1se for every measure, and the curves' means
// and standard errors to 1e-5 relative (least squares; logistic: see breast_cancer_matches_cv_glmnet). Also: the CLI contract of `sparsepath cv` and
// `sparsepath evaluate`, fold-id checks, stratified folds, and the metrics on hand-made cases.
#define BOOST_TEST_MODULE cv_glmnet
#include <boost/test/unit_test.hpp>

#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/cross_validation.hpp"
#include "test_support.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <fstream>
#include <map>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;
namespace fs = std::filesystem;

namespace {

struct ReferenceCurve {
  std::vector<double> lambda, mean, se;
  Index index_min = -1, index_1se = -1;
};

// measure -> curve, from <case>.cv.csv
std::map<std::string, ReferenceCurve> read_reference(const std::string& name) {
  std::ifstream in(source_path("tests/regression/reference/" + name + ".cv.csv"));
  BOOST_REQUIRE(in);
  std::string line;
  std::getline(in, line);
  BOOST_REQUIRE_EQUAL(line, "lambda_index,lambda,measure,mean,se,lambda_min,lambda_1se");
  std::map<std::string, ReferenceCurve> curves;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::vector<std::string> cell;
    for (std::string item; std::getline(cells, item, ',');) cell.push_back(item);
    BOOST_REQUIRE_EQUAL(cell.size(), 7u);
    ReferenceCurve& curve = curves[cell[2]];
    curve.lambda.push_back(std::stod(cell[1]));
    curve.mean.push_back(std::stod(cell[3]));
    curve.se.push_back(std::stod(cell[4]));
    if (cell[5] == "1") curve.index_min = std::stoll(cell[0]);
    if (cell[6] == "1") curve.index_1se = std::stoll(cell[0]);
  }
  return curves;
}

std::string experiment_text(const std::string& name, const std::string& data, const std::string& loss) {
  return "[experiment]\nname = " + name + "\n[data]\nfile = " + source_path("configs/data/" + data).string() +
         "\n[loss]\ntype = " + loss + "\n[penalty]\ntype = lasso\n[path]\nlambda_file = " +
         source_path("tests/regression/reference/" + name + ".lambda.txt").string() +
         "\nmin_deviance_change = 0\nmax_deviance_ratio = 1\ntolerance = 1e-10\n";
}

// sparsepath's measure name for glmnet's, and how to read glmnet's value.
struct MeasureMap {
  std::string ours;
  bool complement;   // glmnet's "class" is 1 - accuracy
  double tolerance;     // on the relative difference of the means
  double se_tolerance;  // on that of the standard errors
};

void check_case(const std::string& name, const std::string& data, const std::string& loss,
                const std::map<std::string, MeasureMap>& measures) {
  const auto reference = read_reference(name);
  TemporaryFolder folder;
  const fs::path file = folder.write("experiment.ini", experiment_text(name, data, loss));
  for (const auto& [glmnet_name, mapping] : measures) {
    BOOST_TEST_CONTEXT(name << ", measure " << glmnet_name) {
      BOOST_REQUIRE(reference.count(glmnet_name));
      const ReferenceCurve& expected = reference.at(glmnet_name);
      CrossValidationOptions options;
      options.fold_ids_file = source_path("tests/regression/reference/" + name + ".foldid.txt");
      options.measure = mapping.ours;
      options.output_directory = folder.path / ("cv-" + mapping.ours);
      std::ostringstream warnings;
      options.warnings = &warnings;
      const CrossValidationResult result = run_cross_validation(read_run_spec(file), plugins(), options);
      BOOST_REQUIRE_EQUAL(result.lambdas.size(), expected.lambda.size());
      const MetricCurve& curve = result.curves.at(mapping.ours);
      double worst_mean = 0.0, worst_se = 0.0;
      for (std::size_t k = 0; k < expected.lambda.size(); ++k) {
        BOOST_TEST(std::abs(result.lambdas[k] - expected.lambda[k]) <= 1e-15 * expected.lambda[k]);
        // With no feature in the model every prediction ties: glmnet's AUC breaks ties at
        // random, ours counts them one half.
        if (mapping.ours == "auc" && result.nonzeros[k] == 0) continue;
        const double mean = mapping.complement ? 1.0 - expected.mean[k] : expected.mean[k];
        worst_mean = std::max(worst_mean, std::abs(curve.mean[k] - mean) / std::abs(mean));
        worst_se = std::max(worst_se, std::abs(curve.se[k] - expected.se[k]) / std::max(std::abs(expected.se[k]), 1e-3 * std::abs(mean)));
      }
      BOOST_TEST(worst_mean <= mapping.tolerance);
      BOOST_TEST(worst_se <= mapping.se_tolerance);
      BOOST_TEST(result.index_min == expected.index_min);
      BOOST_TEST(result.index_1se == expected.index_1se);
      BOOST_TEST(result.lambda_min == result.lambdas[static_cast<std::size_t>(expected.index_min)]);
      BOOST_TEST_MESSAGE(name << " " << mapping.ours << ": lambda_min index " << result.index_min << ", lambda_1se index "
                              << result.index_1se << " (cv.glmnet: " << expected.index_min << ", " << expected.index_1se
                              << "); worst relative difference of the mean " << worst_mean << ", of the se " << worst_se);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(diabetes_matches_cv_glmnet) {
  check_case("diabetes_cv", "diabetes.csv", "squared", {{"mse", {"mse", false, 1e-5, 1e-5}}, {"mae", {"mae", false, 1e-5, 1e-5}}});
}

// Near separation (small lambda) the held-out deviance magnifies the last digits of both solvers'
// coefficients: 8e-5 relative at worst here, so 2e-4. An AUC moves by 1/(n1 n0) of a fold when two
// nearly tied predictions swap (5e-4 here; glmnet also breaks exact ties at random), so 2e-3, and
// its standard error by a few percent (4.4% at worst here), so 10%.
BOOST_AUTO_TEST_CASE(breast_cancer_matches_cv_glmnet) {
  check_case("breast_cancer_cv", "breast_cancer.csv", "logistic",
             {{"deviance", {"deviance", false, 2e-4, 2e-4}}, {"auc", {"auc", false, 2e-3, 0.1}}, {"class", {"accuracy", true, 1e-12, 1e-12}}});
}

BOOST_AUTO_TEST_CASE(metrics_on_hand_made_cases) {
  const Vector y{{0.0, 1.0, 1.0, 0.0}}, ones = Vector::Ones(4);
  // Scores 0.1 < 0.4 < 0.35 < 0.8 against labels 0, 1, 1, 0: positives beat 2 of 4 pairs.
  BOOST_TEST(weighted_auc(y, Vector{{0.1, 0.4, 0.35, 0.8}}, ones) == 0.5);
  BOOST_TEST(weighted_auc(y, Vector{{0.1, 0.9, 0.8, 0.2}}, ones) == 1.0);
  BOOST_TEST(weighted_auc(y, Vector{{0.5, 0.5, 0.5, 0.5}}, ones) == 0.5);  // ties count one half
  BOOST_TEST(std::isnan(weighted_auc(Vector::Zero(4), Vector{{0.1, 0.2, 0.3, 0.4}}, ones)));
  // Weights count as repeated rows: weight 2 on the one misranked negative.
  BOOST_TEST(weighted_auc(Vector{{0.0, 1.0, 0.0}}, Vector{{0.1, 0.5, 0.9}}, Vector{{1.0, 1.0, 2.0}}) == 1.0 / 3.0);
  BOOST_TEST(metric_value("mse", Vector{{1.0, 2.0}}, Vector{{0.0, 4.0}}, Vector{{1.0, 3.0}}) == (1.0 + 12.0) / 4.0);
  BOOST_TEST(metric_value("accuracy", y, Vector{{-1.0, 2.0, -0.5, 3.0}}, ones) == 0.5);
  BOOST_TEST(std::abs(row_metric("deviance", 1.0, 0.0) - 2.0 * std::log(2.0)) <= 1e-15);
  BOOST_TEST(std::abs(row_metric("log_loss", 0.0, 0.0) - std::log(2.0)) <= 1e-15);
  BOOST_TEST(std::abs(row_metric("deviance", 1.0, -100.0) + 2.0 * std::log(1e-5)) <= 1e-12);  // glmnet's clamp
  // The 1-SE rule on a hand-made curve (lambdas decreasing): best at index 2, within one se at 1.
  MetricCurve curve;
  curve.mean = {5.0, 3.4, 3.0, 3.1};
  curve.se = {0.1, 0.2, 0.5, 0.1};
  const auto [index_min, index_1se] = select_lambdas({4.0, 3.0, 2.0, 1.0}, curve, false);
  BOOST_TEST(index_min == 2);
  BOOST_TEST(index_1se == 1);
  MetricCurve auc;
  auc.mean = {0.5, 0.9, 0.95, 0.95};
  auc.se = {0.1, 0.06, 0.01, 0.01};
  const auto [auc_min, auc_1se] = select_lambdas({4.0, 3.0, 2.0, 1.0}, auc, true);
  BOOST_TEST(auc_min == 2);  // ties: the largest lambda
  BOOST_TEST(auc_1se == 2);
}

BOOST_AUTO_TEST_CASE(folds_are_reproducible_stratified_and_checked) {
  Vector y(103);
  for (Index i = 0; i < y.size(); ++i) y[i] = i % 4 == 0 ? 1.0 : 0.0;  // 26 positives
  const std::vector<int> a = make_fold_ids(y, 5, true, 7), b = make_fold_ids(y, 5, true, 7), c = make_fold_ids(y, 5, true, 8);
  BOOST_TEST((a == b));
  BOOST_TEST((a != c));
  std::vector<int> positives(6, 0), rows(6, 0);
  for (Index i = 0; i < y.size(); ++i) {
    ++rows[static_cast<std::size_t>(a[static_cast<std::size_t>(i)])];
    if (y[i] > 0.5) ++positives[static_cast<std::size_t>(a[static_cast<std::size_t>(i)])];
  }
  for (int fold = 1; fold <= 5; ++fold) {
    BOOST_TEST((rows[static_cast<std::size_t>(fold)] == 20 || rows[static_cast<std::size_t>(fold)] == 21));
    BOOST_TEST((positives[static_cast<std::size_t>(fold)] == 5 || positives[static_cast<std::size_t>(fold)] == 6));
  }
  BOOST_CHECK_THROW(make_fold_ids(y, 1, false, 1), Error);
  TemporaryFolder folder;
  auto message = [&](const std::string& text, Index n) {
    const fs::path file = folder.write("ids.txt", text);
    try {
      read_fold_ids(file, n);
    } catch (const Error& failure) {
      return std::string(failure.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message("1\n2\nx\n", 3).find("ids.txt:3: fold id 'x'") != std::string::npos);
  BOOST_TEST(message("1\n2\n", 3).find("2 fold ids for 3 data rows") != std::string::npos);
  BOOST_TEST(message("1\n3\n1\n", 3).find("fold 2 has no rows") != std::string::npos);
  BOOST_TEST(message("1\n1\n1\n", 3).find("at least 2 folds") != std::string::npos);
  BOOST_TEST(message("0\n1\n2\n", 3).find("fold id '0'") != std::string::npos);
}

// The CLI contract: cv writes cv.csv, cv.json (measure, lambda_min, lambda_1se), fold ids that a
// second run can reuse for the same answer, and evaluate prints every metric at every lambda.
BOOST_AUTO_TEST_CASE(cli_contract) {
  TemporaryFolder folder;
  const fs::path file = folder.write("experiment.ini", experiment_text("diabetes_cv", "diabetes.csv", "squared"));
  CommandResult result = run_command(quoted(driver_path()) + " cv " + quoted(file) + " --folds 5 --seed 3 --out " +
                                     quoted(folder.path / "first"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.find("lambda_1se") != std::string::npos);
  boost::property_tree::ptree first, second;
  boost::property_tree::read_json((folder.path / "first" / "cv.json").string(), first);
  BOOST_TEST(first.get<std::string>("measure") == "mse");
  BOOST_TEST(first.get<double>("lambda_min") <= first.get<double>("lambda_1se"));
  BOOST_TEST(first.get<int>("folds") == 5);
  std::ifstream csv(folder.path / "first" / "cv.csv");
  std::string header;
  std::getline(csv, header);
  BOOST_TEST(header == "lambda_index,lambda,metric,mean,se");
  result = run_command(quoted(driver_path()) + " cv " + quoted(file) + " --fold-ids " +
                       quoted(folder.path / "first" / "fold_ids.txt") + " --out " + quoted(folder.path / "second"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  boost::property_tree::read_json((folder.path / "second" / "cv.json").string(), second);
  BOOST_TEST(first.get<double>("lambda_min") == second.get<double>("lambda_min"));
  BOOST_TEST(first.get<double>("lambda_1se") == second.get<double>("lambda_1se"));
  // An existing folder is refused; a measure of another loss is refused with the choices.
  result = run_command(quoted(driver_path()) + " cv " + quoted(file) + " --out " + quoted(folder.path / "first"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("--overwrite") != std::string::npos, result.err);
  result = run_command(quoted(driver_path()) + " cv " + quoted(file) + " --measure auc --out " + quoted(folder.path / "third"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("expected one of: mse, mae") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(folder.path / "third"));
  // evaluate: one row per lambda, the selected ones marked.
  result = run_command(quoted(driver_path()) + " evaluate --model " + quoted(folder.path / "first") + " --data " +
                       quoted(source_path("configs/data/diabetes.csv")));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.find("lambda_index,lambda,nonzeros,mse,mae,selected") == 0u, result.out.substr(0, 200));
  BOOST_TEST(result.out.find(",lambda_min") != std::string::npos);
  BOOST_TEST(result.out.find("lambda_1se") != std::string::npos);
}
