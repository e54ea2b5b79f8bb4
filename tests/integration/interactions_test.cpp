// Interaction designs end to end: a lasso on main effects plus all pairwise products of the
// diabetes data, fitted by the driver; `sparsepath predict` on the same data must reproduce every
// point's deviance ratio, which checks the original-scale expansion of the products
// ((x_i - m_i)(x_k - m_k) / (s_i s_k) into x_i x_k, x_i, x_k and intercept terms) and predict's
// "a:b" features.
#define BOOST_TEST_MODULE interactions
#include <boost/test/unit_test.hpp>

#include "sparsepath/io/data_readers.hpp"
#include "test_support.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <fstream>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;

BOOST_AUTO_TEST_CASE(predictions_reproduce_the_fitted_deviance) {
  TemporaryFolder folder;
  const auto data = source_path("configs/data/diabetes.csv");
  const auto config = folder.write("interactions.ini", "[data]\ntype = csv\nfile = " + data.string() +
                                                           "\ntarget = y\n[design]\ntype = pairwise_interactions\n"
                                                           "[penalty]\ntype = lasso\n[screening]\nrules = gap_safe\n"
                                                           "[path]\nn_lambda = 12\nlambda_min_ratio = 0.01\n");
  CommandResult fit = run_command(quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(folder.path / "out"));
  BOOST_REQUIRE_MESSAGE(fit.exit_code == 0, fit.err);
  CommandResult predict = run_command(quoted(driver_path()) + " predict --model " + quoted(folder.path / "out" / "path.json") +
                                      " --data " + quoted(data) + " --output " + quoted(folder.path / "predictions.csv"));
  BOOST_REQUIRE_MESSAGE(predict.exit_code == 0, predict.err);

  boost::property_tree::ptree path;
  boost::property_tree::read_json((folder.path / "out" / "path.json").string(), path);
  std::vector<double> deviance_ratios;
  bool has_interaction = false;
  std::vector<std::string> names;
  for (const auto& item : path.get_child("feature_names")) names.push_back(item.second.data());
  BOOST_TEST(names.size() == 55u);  // 10 main effects + 45 pairs
  BOOST_TEST(names[10] == "age:sex");
  for (const auto& item : path.get_child("points")) {
    deviance_ratios.push_back(item.second.get<double>("deviance_ratio"));
    BOOST_TEST(item.second.get<bool>("converged"));
    for (const auto& coefficient : item.second.get_child("coefficients")) {
      has_interaction |= names[coefficient.second.get<std::size_t>("index")].find(':') != std::string::npos;
    }
  }
  BOOST_TEST(has_interaction, "no interaction ever entered the path");
  // The lasso knows nothing of hierarchy: some interactions enter without their main effects,
  // which path.json counts and the driver warns about (the strong_hierarchy test finds none).
  int broken = 0;
  for (const auto& item : path.get_child("points")) broken += item.second.get<int>("hierarchy_violations") > 0;
  BOOST_TEST(broken > 0);
  BOOST_TEST(fit.err.find("strong hierarchy broken") != std::string::npos, fit.err);

  const DataSet diabetes = read_csv(data, "y");
  const Index n = diabetes.rows();
  const double mean = diabetes.y.mean();
  const double null_loss = (diabetes.y.array() - mean).square().sum() / (2.0 * static_cast<double>(n));
  std::ifstream in(folder.path / "predictions.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> losses(deviance_ratios.size(), 0.0);
  for (Index i = 0; i < n; ++i) {
    BOOST_REQUIRE(std::getline(in, line));
    std::stringstream cells(line);
    std::string cell;
    for (std::size_t k = 0; k < deviance_ratios.size(); ++k) {
      BOOST_REQUIRE(std::getline(cells, cell, ','));
      const double residual = diabetes.y[i] - std::stod(cell);
      losses[k] += residual * residual / (2.0 * static_cast<double>(n));
    }
  }
  for (std::size_t k = 0; k < deviance_ratios.size(); ++k) {
    BOOST_TEST(std::abs((1.0 - losses[k] / null_loss) - deviance_ratios[k]) <= 1e-9,
               "point " << k << ": predictions give " << 1.0 - losses[k] / null_loss << ", the fit "
                        << deviance_ratios[k]);
  }
}
