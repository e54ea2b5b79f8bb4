// Data and penalty options end to end (through run_fit, as a user runs them): sample weights,
// penalty factors, box constraints, sparse designs, standardization, and stop rules.
#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include "sparsepath/config/run_spec.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/experiment.hpp"
#include "test_support.hpp"

#include <fstream>
#include <map>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;
namespace fs = std::filesystem;

namespace {

std::string diabetes() { return source_path("configs/data/diabetes.csv").string(); }
std::string breast_cancer() { return source_path("configs/data/breast_cancer.csv").string(); }

PathResult fit(const TemporaryFolder& folder, const std::string& config, const std::string& name = "experiment.ini") {
  const fs::path file = folder.write(name, config);
  RunSpec spec = read_run_spec(file);
  FitOptions options;
  options.output_directory = folder.path / ("out-" + std::to_string(std::rand()));
  std::ostringstream warnings;
  options.warnings = &warnings;
  return run_fit(spec, plugins(), options).result;
}

std::map<Index, double> coefficients(const PathPoint& point) {
  return std::map<Index, double>(point.coefficients.begin(), point.coefficients.end());
}

void all_certified(const PathResult& result) {
  for (std::size_t k = 0; k < result.points.size(); ++k) {
    BOOST_TEST_CONTEXT("point " << k) {
      BOOST_TEST(result.points[k].converged);
    }
  }
}

// Same lambdas, same coefficients (1e-6 absolute on the original scale, relative to magnitude).
void same_path(const PathResult& a, const PathResult& b, double tolerance) {
  BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
  for (std::size_t k = 0; k < a.points.size(); ++k) {
    BOOST_TEST_CONTEXT("point " << k) {
      BOOST_TEST(std::abs(a.points[k].lambda - b.points[k].lambda) <= 1e-12 * a.points[k].lambda);
      BOOST_TEST(std::abs(a.points[k].intercept - b.points[k].intercept) <= tolerance * (1.0 + std::abs(a.points[k].intercept)));
      auto left = coefficients(a.points[k]), right = coefficients(b.points[k]);
      for (const auto& [j, value] : left) {
        const double other = right.count(j) ? right[j] : 0.0;
        BOOST_TEST(std::abs(value - other) <= tolerance * (1.0 + std::abs(value)), "feature " << j << ": " << value << " vs " << other);
      }
      for (const auto& [j, value] : right) {
        if (!left.count(j)) BOOST_TEST(std::abs(value) <= tolerance, "feature " << j << " only on one side: " << value);
      }
    }
  }
}

const std::string tight_path = "[path]\nn_lambda = 30\ntolerance = 1e-12\nmin_deviance_change = 0\nmax_deviance_ratio = 1\n";

}  // namespace

// Integer weights are the same as repeating rows (glmnet's definition of weights).
BOOST_AUTO_TEST_CASE(integer_weights_equal_repeated_rows) {
  for (const std::string loss : {"squared", "logistic"}) {
    TemporaryFolder folder;
    const std::string source = loss == "squared" ? diabetes() : breast_cancer();
    std::ifstream in(source);
    std::string header, line;
    std::getline(in, header);
    std::ostringstream repeated, weights;
    repeated << header << "\n";
    std::ostringstream original;
    original << header << "\n";
    int row = 0;
    while (std::getline(in, line)) {
      const int weight = 1 + (row * 7) % 3;  // 1, 2 or 3
      weights << weight << "\n";
      original << line << "\n";
      for (int copy = 0; copy < weight; ++copy) repeated << line << "\n";
      ++row;
    }
    folder.write("original.csv", original.str());
    folder.write("repeated.csv", repeated.str());
    folder.write("weights.txt", weights.str());
    const std::string common = "[loss]\ntype = " + loss + "\n" + tight_path;
    PathResult weighted = fit(folder, "[data]\nfile = original.csv\nweights = weights.txt\n" + common, "a.ini");
    PathResult copies = fit(folder, "[data]\nfile = repeated.csv\n" + common, "b.ini");
    BOOST_TEST_CONTEXT("loss " << loss) {
      all_certified(weighted);
      same_path(weighted, copies, 1e-5);
    }
  }
}

// A sparse design (LIBSVM and Matrix Market readers, CSC kernels, uncentred columns with the
// intercept absorbing the centring) gives the same path as the dense one.
BOOST_AUTO_TEST_CASE(sparse_designs_match_dense) {
  for (const std::string loss : {"squared", "logistic"}) {
    TemporaryFolder folder;
    DataSet data = read_csv(loss == "squared" ? diabetes() : breast_cancer(), "y");
    std::ostringstream libsvm, market, target;
    Index nonzeros = 0;
    for (Index i = 0; i < data.rows(); ++i) {
      libsvm << format_17g(data.y[i]);
      for (Index j = 0; j < data.cols(); ++j) {
        if (data.dense(i, j) != 0.0) {
          libsvm << " " << j + 1 << ":" << format_17g(data.dense(i, j));
          ++nonzeros;
        }
      }
      libsvm << "\n";
      target << format_17g(data.y[i]) << "\n";
    }
    market << "%%MatrixMarket matrix coordinate real general\n" << data.rows() << " " << data.cols() << " " << nonzeros << "\n";
    for (Index j = 0; j < data.cols(); ++j) {
      for (Index i = 0; i < data.rows(); ++i) {
        if (data.dense(i, j) != 0.0) market << i + 1 << " " << j + 1 << " " << format_17g(data.dense(i, j)) << "\n";
      }
    }
    folder.write("data.svm", libsvm.str());
    folder.write("data.mtx", market.str());
    folder.write("target.txt", target.str());
    const std::string common = "[loss]\ntype = " + loss + "\n" + tight_path;
    PathResult dense = fit(folder, "[data]\nfile = " + (loss == "squared" ? diabetes() : breast_cancer()) + "\n" + common, "dense.ini");
    PathResult svm = fit(folder, "[data]\ntype = libsvm\nfile = data.svm\n" + common, "svm.ini");
    PathResult mtx = fit(folder, "[data]\ntype = matrix_market\nfile = data.mtx\ntarget_file = target.txt\n" + common, "mtx.ini");
    BOOST_TEST_CONTEXT("loss " << loss) {
      all_certified(svm);
      all_certified(mtx);
      same_path(dense, svm, 1e-5);
      same_path(dense, mtx, 1e-5);
    }
  }
}

// Non-negative coefficients: every coefficient >= 0 and the one-sided KKT conditions hold.
BOOST_AUTO_TEST_CASE(non_negative_box) {
  TemporaryFolder folder;
  PathResult result = fit(folder, "[data]\nfile = " + diabetes() + "\n[penalty]\ntype = lasso\nlower_limit = 0\n" + tight_path);
  all_certified(result);
  bool some_negative_in_plain = false;
  PathResult plain = fit(folder, "[data]\nfile = " + diabetes() + "\n" + tight_path, "plain.ini");
  for (const PathPoint& point : plain.points) {
    for (const auto& [j, value] : point.coefficients) some_negative_in_plain |= value < 0.0;
  }
  BOOST_TEST(some_negative_in_plain);  // the constraint is active on this data
  for (const PathPoint& point : result.points) {
    for (const auto& [j, value] : point.coefficients) BOOST_TEST(value >= 0.0);
  }
  // Box [-1, 1] on the original scale (bmi's unconstrained coefficient reaches ~500).
  PathResult boxed = fit(folder, "[data]\nfile = " + diabetes() + "\n[penalty]\ntype = lasso\nlower_limit = -1\nupper_limit = 1\n" + tight_path, "box.ini");
  all_certified(boxed);
  for (const PathPoint& point : boxed.points) {
    for (const auto& [j, value] : point.coefficients) BOOST_TEST((value >= -1.0 - 1e-12 && value <= 1.0 + 1e-12));
  }
}

// A penalty factor of 0 leaves a feature unpenalized: it is in the model from the first lambda,
// and every point is still certified (projected dual for squared loss, KKT test for logistic).
BOOST_AUTO_TEST_CASE(unpenalized_feature) {
  for (const std::string loss : {"squared", "logistic"}) {
    TemporaryFolder folder;
    const Index p = loss == "squared" ? 10 : 30;
    std::ostringstream factors;
    for (Index j = 0; j < p; ++j) factors << (j == 3 ? 0 : (j == 5 ? 2 : 1)) << "\n";
    folder.write("factors.txt", factors.str());
    PathResult result = fit(folder, "[data]\nfile = " + (loss == "squared" ? diabetes() : breast_cancer()) +
                                        "\n[loss]\ntype = " + loss + "\n[penalty]\ntype = lasso\npenalty_factors = factors.txt\n" +
                                        "[path]\nn_lambda = 20\nmin_deviance_change = 0\n");
    BOOST_TEST_CONTEXT("loss " << loss) {
      all_certified(result);
      BOOST_REQUIRE(!result.points.empty());
      auto first = coefficients(result.points.front());
      BOOST_TEST(first.size() == 1u);
      BOOST_TEST(first.count(3) == 1u);
      for (const PathPoint& point : result.points) BOOST_TEST(coefficients(point).count(3) == 1u);
    }
  }
}

// Standardization changes the problem (penalty on standardized coefficients) but not the
// reporting scale; without it, the path is that of the raw columns. Both are certified, and a
// rescaled column gives a rescaled coefficient when standardize = true.
BOOST_AUTO_TEST_CASE(standardization_reports_the_original_scale) {
  TemporaryFolder folder;
  DataSet data = read_csv(diabetes(), "y");
  std::ostringstream scaled;
  for (Index j = 0; j < data.cols(); ++j) scaled << data.names[j] << ",";
  scaled << "y\n";
  for (Index i = 0; i < data.rows(); ++i) {
    for (Index j = 0; j < data.cols(); ++j) scaled << format_17g(j == 2 ? 1000.0 * data.dense(i, j) : data.dense(i, j)) << ",";
    scaled << format_17g(data.y[i]) << "\n";
  }
  folder.write("scaled.csv", scaled.str());
  PathResult a = fit(folder, "[data]\nfile = " + diabetes() + "\n" + tight_path, "a.ini");
  PathResult b = fit(folder, "[data]\nfile = scaled.csv\n" + tight_path, "b.ini");
  BOOST_REQUIRE_EQUAL(a.points.size(), b.points.size());
  for (std::size_t k = 0; k < a.points.size(); ++k) {
    auto left = coefficients(a.points[k]), right = coefficients(b.points[k]);
    if (left.count(2)) BOOST_TEST(std::abs(left[2] - 1000.0 * right[2]) <= 1e-5 * std::abs(left[2]));
  }
  PathResult raw = fit(folder, "[data]\nfile = " + diabetes() + "\nstandardize = false\n" + tight_path, "c.ini");
  all_certified(raw);
}

BOOST_AUTO_TEST_CASE(stop_rules) {
  TemporaryFolder folder;
  PathResult limited = fit(folder, "[data]\nfile = " + breast_cancer() + "\n[loss]\ntype = logistic\n[path]\nmax_nonzeros = 5\n");
  BOOST_REQUIRE(!limited.points.empty());
  BOOST_TEST(limited.stop_reason == "max_nonzeros reached");
  BOOST_TEST(limited.points.back().coefficients.size() >= 5u);
  for (std::size_t k = 0; k + 1 < limited.points.size(); ++k) BOOST_TEST(limited.points[k].coefficients.size() < 5u);
  PathResult plateau = fit(folder, "[data]\nfile = " + diabetes() + "\n", "plateau.ini");
  BOOST_TEST(plateau.stop_reason == "deviance ratio change below min_deviance_change");
  BOOST_TEST(plateau.points.size() == 86u);  // where glmnet 4.1-6 stops on this data
}
