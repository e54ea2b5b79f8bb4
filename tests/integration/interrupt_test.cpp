// Interrupted and resumed runs: SIGINT (or --stop-after) writes the points finished so far as
// valid files marked incomplete, with a checkpoint; `fit --resume DIR` continues from the last
// finished point's exact state and ends with the path an uninterrupted run gives (same lambdas
// and supports, objectives within the certificate's tolerance, every point certified). A resume
// with another experiment, or of a complete run, is refused.
#define BOOST_TEST_MODULE interrupt
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;
namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

pt::ptree json(const fs::path& file) {
  pt::ptree tree;
  pt::read_json(file.string(), tree);
  return tree;
}

// The two runs' paths agree: same lambdas and supports, objectives within the gap tolerance.
void expect_same_path(const fs::path& resumed, const fs::path& whole) {
  const pt::ptree a = json(resumed / "path.json"), b = json(whole / "path.json");
  std::vector<const pt::ptree*> left, right;
  for (const auto& item : a.get_child("points")) left.push_back(&item.second);
  for (const auto& item : b.get_child("points")) right.push_back(&item.second);
  BOOST_REQUIRE_EQUAL(left.size(), right.size());
  for (std::size_t k = 0; k < left.size(); ++k) {
    BOOST_TEST_CONTEXT("point " << k) {
      BOOST_TEST(left[k]->get<double>("lambda") == right[k]->get<double>("lambda"));
      BOOST_TEST(left[k]->get<bool>("converged"));
      BOOST_TEST(std::abs(left[k]->get<double>("objective") - right[k]->get<double>("objective")) <=
                 left[k]->get<double>("gap_tolerance"));
      std::set<int> support_a, support_b;
      for (const auto& c : left[k]->get_child("coefficients")) support_a.insert(c.second.get<int>("index"));
      for (const auto& c : right[k]->get_child("coefficients")) support_b.insert(c.second.get<int>("index"));
      BOOST_TEST((support_a == support_b));
    }
  }
  BOOST_TEST(json(resumed / "manifest.json").get<bool>("complete"));
  BOOST_TEST(!fs::exists(resumed / "checkpoint.json"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(stop_after_and_resume_give_the_uninterrupted_path) {
  TemporaryFolder folder;
  const std::string driver = quoted(driver_path());
  for (const char* config : {"configs/breast_cancer_logistic.ini", "configs/quickstart.ini", "configs/servo_sparse_group_lasso.ini"}) {
    BOOST_TEST_CONTEXT(config) {
      const std::string name = fs::path(config).stem().string();
      const std::string experiment = quoted(source_path(config));
      CommandResult result = run_command(driver + " fit " + experiment + " --quiet --stop-after 7 --out " + quoted(folder.path / (name + "_part")));
      BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      BOOST_TEST(result.err.find("--resume") != std::string::npos, result.err);
      const pt::ptree manifest = json(folder.path / (name + "_part") / "manifest.json");
      BOOST_TEST(!manifest.get<bool>("complete"));
      BOOST_TEST(manifest.get<int>("points") == 7);
      BOOST_TEST(json(folder.path / (name + "_part") / "checkpoint.json").get<int>("points") == 7);
      result = run_command(driver + " fit " + experiment + " --quiet --resume " + quoted(folder.path / (name + "_part")));
      BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      result = run_command(driver + " fit " + experiment + " --quiet --out " + quoted(folder.path / (name + "_whole")));
      BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      expect_same_path(folder.path / (name + "_part"), folder.path / (name + "_whole"));
    }
  }
}

// A real SIGINT, sent halfway through the time an uninterrupted run takes.
BOOST_AUTO_TEST_CASE(sigint_writes_the_finished_points_and_resume_completes_them) {
  TemporaryFolder folder;
  std::mt19937 generator(17u);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int n = 3000, p = 200;
  std::ostringstream csv;
  csv.precision(8);
  for (int j = 0; j < p; ++j) csv << "x" << j << ",";
  csv << "y\n";
  for (int i = 0; i < n; ++i) {
    double eta = 0.0;
    for (int j = 0; j < p; ++j) {
      const double x = normal(generator);
      if (j < 10) eta += 0.5 * x;
      csv << x << ",";
    }
    csv << (unit(generator) < 1.0 / (1.0 + std::exp(-eta)) ? 1 : 0) << "\n";
  }
  folder.write("data.csv", csv.str());
  const fs::path config = folder.write("experiment.ini", "[data]\nfile = data.csv\n[loss]\ntype = logistic\n[path]\n"
                                                         "min_deviance_change = 0\nmax_deviance_ratio = 1\n");
  const std::string driver = quoted(driver_path());
  const auto start = std::chrono::steady_clock::now();
  CommandResult result = run_command(driver + " fit " + quoted(config) + " --quiet --out " + quoted(folder.path / "whole"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  char delay[32];
  std::snprintf(delay, sizeof(delay), "%.3f", 0.5 * seconds);
  result = run_command("timeout --preserve-status -s INT " + std::string(delay) + " " + driver + " fit " + quoted(config) + " --quiet --out " +
                       quoted(folder.path / "part"));
  if (result.exit_code == 0) {
    BOOST_TEST_MESSAGE("the run finished before the signal (" << seconds << " s); nothing to check");
    return;
  }
  BOOST_TEST(result.exit_code == 130, result.err);
  BOOST_TEST(result.err.find("marked incomplete") != std::string::npos, result.err);
  const pt::ptree manifest = json(folder.path / "part" / "manifest.json");
  BOOST_TEST(!manifest.get<bool>("complete"));
  BOOST_TEST(manifest.get<std::string>("stop_reason") == "interrupted");
  const pt::ptree partial = json(folder.path / "part" / "path.json");  // parses: a valid file
  BOOST_TEST(partial.get_child("points").size() < 100u);
  BOOST_TEST_MESSAGE("interrupted after " << partial.get_child("points").size() << " points (signal at " << delay << " s)");
  BOOST_TEST(fs::exists(folder.path / "part" / "checkpoint.json"));
  result = run_command(driver + " fit " + quoted(config) + " --quiet --resume " + quoted(folder.path / "part"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  expect_same_path(folder.path / "part", folder.path / "whole");
}

BOOST_AUTO_TEST_CASE(resume_refuses_another_experiment_and_a_complete_run) {
  TemporaryFolder folder;
  const std::string driver = quoted(driver_path());
  const std::string experiment = quoted(source_path("configs/quickstart.ini"));
  CommandResult result = run_command(driver + " fit " + experiment + " --quiet --stop-after 5 --out " + quoted(folder.path / "part"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  result = run_command(driver + " fit " + experiment + " --quiet --set penalty.type=elastic_net --resume " + quoted(folder.path / "part"));
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(result.err.find("differ from those of the interrupted run") != std::string::npos, result.err);
  BOOST_TEST(fs::exists(folder.path / "part" / "checkpoint.json"));  // the interrupted run is kept
  result = run_command(driver + " fit " + experiment + " --quiet --out " + quoted(folder.path / "whole"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  result = run_command(driver + " fit " + experiment + " --quiet --resume " + quoted(folder.path / "whole"));
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(result.err.find("no checkpoint.json") != std::string::npos, result.err);
}
