#define BOOST_TEST_MODULE bad_input
#include <boost/test/unit_test.hpp>

// One test per bad input: the driver must exit with 1 (2 for command-line usage errors), never
// crash, print a message naming where the problem is (file:line or config key), the offending
// value and what was expected, and leave no output folder nor staging folder behind.
#include "test_support.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <map>
#include <tuple>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using sparsepath::testing::CommandResult;
using sparsepath::testing::driver_path;
using sparsepath::testing::run_command;
using sparsepath::testing::quoted;
using sparsepath::testing::TemporaryFolder;

namespace {


std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path test_plugin(const std::string& file) {
  const fs::path path = fs::path(SPARSEPATH_TEST_PLUGIN_DIR) / file;
  BOOST_TEST_REQUIRE(fs::exists(path), path << " is missing (built by tests/plugins/CMakeLists.txt)");
  return path;
}

// A small, well-conditioned regression data set: x1, x2, x3 and y.
std::string good_csv(const std::string& extra_name = "", const std::string& extra_value = "") {
  std::ostringstream csv;
  csv << "x1,x2," << (extra_name.empty() ? "" : extra_name + ",") << "x3,y\n";
  for (int i = 0; i < 30; ++i) {
    const double x1 = std::sin(1.0 + i), x2 = std::cos(0.7 * i), x3 = 0.1 * (i % 7) - 0.3;
    const double y = 2.0 * x1 - x2 + 0.05 * std::sin(3.1 * i);
    csv << x1 << "," << x2 << "," << (extra_name.empty() ? "" : extra_value + ",") << x3 << "," << y << "\n";
  }
  return csv.str();
}

// Each test gets its own temporary folder holding the config, the data and the (refused) output.
struct BadInput {
  TemporaryFolder folder;

  BadInput() { folder.write("good.csv", good_csv()); }

  fs::path write(const std::string& name, const std::string& content) const { return folder.write(name, content); }
  fs::path out() const { return folder.path / "out"; }

  // `fit CONFIG --out <folder>/out EXTRA`
  CommandResult fit(const fs::path& config, const std::string& extra = "") const {
    CommandResult result =
        run_command(quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(out()) + " " + extra);
    BOOST_TEST_MESSAGE("exit " << result.exit_code << "; stderr: " << result.err);
    return result;
  }

  // A config with [data] file = good.csv (or `data`) and the given extra sections.
  CommandResult fit_config(const std::string& sections, const std::string& data = "file = good.csv\n",
                           const std::string& extra = "") const {
    return fit(write("experiment.ini", "[data]\n" + data + "\n" + sections), extra);
  }

  // Exit code, no crash, message substrings, nothing left behind.
  void expect_failure(const CommandResult& result, int code, std::initializer_list<std::string> needles) const {
    BOOST_TEST_CONTEXT("stderr:\n" << result.err << "stdout:\n" << result.out) {
      BOOST_TEST(result.exit_code < 128, "the driver crashed (exit code " << result.exit_code << ")");
      BOOST_TEST(result.exit_code == code);
      for (const std::string& needle : needles) {
        BOOST_TEST(result.err.find(needle) != std::string::npos, "stderr lacks \"" << needle << "\"");
      }
    }
    expect_nothing_left();
  }

  void expect_nothing_left() const {
    BOOST_TEST(!fs::exists(out()), "output folder " << out() << " was left behind");
    for (const auto& item : fs::directory_iterator(folder.path)) {
      const std::string name = item.path().filename().string();
      BOOST_TEST(name.find(".out.partial-") != 0, "staging folder left behind: " << item.path());
      BOOST_TEST(name.find(".partial-") == std::string::npos, "staging folder left behind: " << item.path());
    }
  }
};

// Permission tests cannot work for a user (root) whom chmod does not stop.
boost::test_tools::assertion_result chmod_stops_reading(boost::unit_test::test_unit_id) {
  TemporaryFolder probe;
  const fs::path file = probe.write("probe", "x");
  fs::permissions(file, fs::perms::none);
  const bool readable = ::access(file.c_str(), R_OK) == 0;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  boost::test_tools::assertion_result result(!readable);
  if (readable) result.message() << "skipped: this user can read a chmod 000 file (running as root?)";
  return result;
}

boost::test_tools::assertion_result chmod_stops_writing(boost::unit_test::test_unit_id) {
  TemporaryFolder probe;
  const fs::path directory = probe.path / "locked";
  fs::create_directories(directory);
  fs::permissions(directory, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const bool writable = ::access(directory.c_str(), W_OK) == 0;
  fs::permissions(directory, fs::perms::owner_all);
  boost::test_tools::assertion_result result(!writable);
  if (writable) result.message() << "skipped: this user can write into a chmod 555 folder (running as root?)";
  return result;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bad_input, BadInput)

// ---------------------------------------------------------------------------------------------
// Data files

BOOST_AUTO_TEST_CASE(missing_data_file) {
  CommandResult result = fit_config("", "file = nope.csv\n");
  expect_failure(result, 1, {(folder.path / "nope.csv").string(), "No such file"});
}

BOOST_AUTO_TEST_CASE(unreadable_data_file, *boost::unit_test::precondition(chmod_stops_reading)) {
  const fs::path data = write("locked.csv", good_csv());
  fs::permissions(data, fs::perms::none);
  CommandResult result = fit_config("", "file = locked.csv\n");
  fs::permissions(data, fs::perms::owner_read | fs::perms::owner_write);
  expect_failure(result, 1, {data.string(), "Permission denied"});
}

BOOST_AUTO_TEST_CASE(ragged_csv_row) {
  write("ragged.csv", "a,b,y\n1,2,3\n4,5\n6,7,8\n");
  CommandResult result = fit_config("", "file = ragged.csv\n");
  expect_failure(result, 1, {"ragged.csv:3", "2 cells", "expected 3"});
}

BOOST_AUTO_TEST_CASE(non_numeric_cell) {
  write("text.csv", "a,b,y\n1,2,3\n4,abc,6\n7,8,9\n");
  CommandResult result = fit_config("", "file = text.csv\n");
  expect_failure(result, 1, {"text.csv:3", "'abc'", "'b'", "finite number"});
}

BOOST_AUTO_TEST_CASE(nan_cell) {
  write("nan.csv", "a,b,y\n1,2,3\n4,5,6\n7,NaN,9\n");
  CommandResult result = fit_config("", "file = nan.csv\n");
  expect_failure(result, 1, {"nan.csv:4", "'NaN'", "finite number"});
}

BOOST_AUTO_TEST_CASE(inf_cell) {
  write("inf.csv", "a,b,y\n1,2,3\n-inf,5,6\n7,8,9\n");
  CommandResult result = fit_config("", "file = inf.csv\n");
  expect_failure(result, 1, {"inf.csv:3", "'-inf'", "finite number"});
}

BOOST_AUTO_TEST_CASE(target_column_missing) {
  write("no_target.csv", "a,b,z\n1,2,3\n4,5,6\n");
  CommandResult result = fit_config("", "file = no_target.csv\ntarget = y\n");
  expect_failure(result, 1, {"no_target.csv:1", "'y'", "a, b, z"});
}

BOOST_AUTO_TEST_CASE(empty_data_file) {
  write("empty.csv", "");
  CommandResult result = fit_config("", "file = empty.csv\n");
  expect_failure(result, 1, {"empty.csv", "empty", "header"});
}

BOOST_AUTO_TEST_CASE(header_only_data_file) {
  write("header_only.csv", "a,b,y\n");
  CommandResult result = fit_config("", "file = header_only.csv\n");
  expect_failure(result, 1, {"header_only.csv", "no data row", "at least one"});
}

BOOST_AUTO_TEST_CASE(matrix_market_target_length_mismatch) {
  write("x.mtx", "%%MatrixMarket matrix coordinate real general\n% 3 rows, 2 columns\n3 2 4\n1 1 1.5\n2 2 2\n3 1 -1\n3 2 0.5\n");
  write("targets.txt", "1\n2\n");
  CommandResult result = fit_config("", "type = matrix_market\nfile = x.mtx\ntarget_file = targets.txt\n");
  expect_failure(result, 1, {"targets.txt", "has 2", "expected 3"});
}

// Constant and all-zero columns are not errors: a warning names them and they stay at zero.
void expect_column_kept_at_zero(const BadInput& test, const std::string& column, const std::string& value) {
  test.write("with_column.csv", good_csv(column, value));
  CommandResult result = test.fit_config("", "file = with_column.csv\n", "--quiet");
  BOOST_TEST_CONTEXT("stderr:\n" << result.err) {
    BOOST_TEST_REQUIRE(result.exit_code == 0);
    BOOST_TEST(result.err.find("warning") != std::string::npos);
    BOOST_TEST(result.err.find(column) != std::string::npos);
  }
  const std::string csv = slurp(test.out() / "path.csv");
  BOOST_TEST(csv.find("lambda_index,lambda,intercept,feature,coef") != std::string::npos);
  BOOST_TEST(csv.find("," + column + ",") == std::string::npos, column << " has a coefficient in path.csv");
  // ...while the other columns enter the path.
  BOOST_TEST(csv.find(",x1,") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(constant_column_warns_and_stays_zero) { expect_column_kept_at_zero(*this, "const_col", "3.5"); }

BOOST_AUTO_TEST_CASE(all_zero_column_warns_and_stays_zero) { expect_column_kept_at_zero(*this, "zero_col", "0"); }

BOOST_AUTO_TEST_CASE(logistic_label_two) {
  write("labels.csv", "a,b,y\n1,2,0\n4,1,2\n2,7,1\n3,3,0\n5,1,1\n");
  CommandResult result = fit_config("[loss]\ntype = logistic\n", "file = labels.csv\n");
  expect_failure(result, 1, {"logistic", "value 2", "row 2", "0/1"});
}

BOOST_AUTO_TEST_CASE(logistic_one_class) {
  write("one_class.csv", "a,b,y\n1,2,1\n4,1,1\n2,7,1\n3,3,1\n");
  CommandResult result = fit_config("[loss]\ntype = logistic\n", "file = one_class.csv\n");
  expect_failure(result, 1, {"logistic", "one class", "both classes"});
}

BOOST_AUTO_TEST_CASE(quoted_header_field) {
  write("quoted.csv", "\"x1\",x2,y\n1,2,3\n2,1,4\n3,3,1\n");
  expect_failure(fit_config("", "file = quoted.csv\n"), 1, {"quoted.csv:1", "quoted", "not supported"});
}

BOOST_AUTO_TEST_CASE(quoted_value) {
  write("quoted.csv", "x1,x2,y\n1,2,3\n\"2.5\",1,4\n3,3,1\n");
  expect_failure(fit_config("", "file = quoted.csv\n"), 1, {"quoted.csv:3", "'\"2.5\"'", "plain number"});
}

BOOST_AUTO_TEST_CASE(duplicate_target_column) {
  write("twice.csv", "x1,y,x2,y\n1,2,3,2\n2,1,4,1\n3,3,1,3\n");
  expect_failure(fit_config("", "file = twice.csv\n"), 1, {"twice.csv:1", "'y' appears twice", "columns 2 and 4"});
}

BOOST_AUTO_TEST_CASE(duplicate_column_name) {
  write("names.csv", "x1,x1,y\n1,2,3\n2,1,4\n3,3,1\n");
  expect_failure(fit_config("", "file = names.csv\n"), 1, {"names.csv:1", "'x1' appears twice", "unique column names"});
}

BOOST_AUTO_TEST_CASE(one_data_row) {
  write("one.csv", "x1,x2,y\n1,2,3\n");
  expect_failure(fit_config("", "file = one.csv\n"), 1, {"one.csv", "at least 2 data rows"});
}

BOOST_AUTO_TEST_CASE(no_feature_column) {
  write("target_only.csv", "y\n1\n2\n3\n");
  expect_failure(fit_config("", "file = target_only.csv\n"), 1, {"target_only.csv:1", "only the target column", "at least one feature"});
}

BOOST_AUTO_TEST_CASE(every_column_constant) {
  write("flat.csv", "a,b,y\n1,5,3\n1,5,4\n1,5,1\n1,5,2\n");
  expect_failure(fit_config("", "file = flat.csv\n"), 1, {"flat.csv", "every feature column is constant"});
}

// |y| near 1e300 overflows the squared loss itself: refused up front, naming the target.
BOOST_AUTO_TEST_CASE(target_that_overflows_the_loss) {
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(std::sin(i)) + "," + std::to_string(std::cos(i)) + "," + std::to_string(i % 5) + "e300\n";
  write("huge_target.csv", csv);
  expect_failure(fit_config("", "file = huge_target.csv\n"), 1, {"huge_target.csv", "target 'y'", "non-finite squared loss", "rescale the target"});
}

// A full disk (here: a file-size limit, which makes writes fail with EFBIG): the error names the
// file being written and no output or staging folder is left behind.
BOOST_AUTO_TEST_CASE(write_failure_leaves_nothing) {
  const fs::path config = write("experiment.ini", "[data]\nfile = good.csv\n");
  CommandResult result = run_command("ulimit -f 2 && " + quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(out()));
  expect_failure(result, 1, {"writing '", "File too large"});
}

// ---------------------------------------------------------------------------------------------
// Data that must be handled, not refused

// path.csv as (lambda index, feature) -> coefficient.
std::map<std::pair<int, std::string>, double> coefficients_of(const fs::path& path_csv) {
  std::map<std::pair<int, std::string>, double> out;
  std::ifstream in(path_csv);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("lambda_index", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() == 5 && !cells[3].empty()) out[{std::stoi(cells[0]), cells[3]}] = std::stod(cells[4]);
  }
  return out;
}

// A column on the scale 1e300 or 1e-300 is standardized like any other: the path equals the
// unit-scale one, its coefficient divided by the scale (columns far from zero, too).
BOOST_AUTO_TEST_CASE(extreme_column_scales_fit_like_unit_scales) {
  auto data = [](double scale, double shift) {
    std::ostringstream csv;
    csv.precision(17);
    csv << "x1,x2,x3,y\n";
    for (int i = 0; i < 40; ++i) {
      const double x1 = std::sin(1.0 + i), x2 = std::cos(0.7 * i), x3 = 0.1 * (i % 7) - 0.3;
      csv << (x1 + shift) * scale << "," << x2 << "," << x3 << "," << 2.0 * x1 - x2 + 0.05 * std::sin(3.1 * i) << "\n";
    }
    return csv.str();
  };
  auto fit_scaled = [&](const std::string& name, double scale, double shift) {
    write(name + ".csv", data(scale, shift));
    const fs::path config = write(name + ".ini", "[data]\nfile = " + name + ".csv\n[path]\ntolerance = 1e-12\n");
    CommandResult result = run_command(quoted(driver_path()) + " fit " + quoted(config) + " --quiet --out " + quoted(folder.path / name));
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    BOOST_TEST(result.err.find("constant") == std::string::npos, result.err);
    return coefficients_of(folder.path / name / "path.csv");
  };
  const auto unit = fit_scaled("unit", 1.0, 0.0);
  BOOST_REQUIRE(unit.size() > 20u);
  for (const auto& [name, scale, shift] : {std::tuple<std::string, double, double>{"huge", 1e300, 0.0},
                                           {"tiny", 1e-300, 0.0}, {"far", 1.0, 1e6}}) {
    const auto other = fit_scaled(name, scale, shift);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(other.size() == unit.size());
      double worst = 0.0;
      for (const auto& [key, value] : unit) {
        auto it = other.find(key);
        BOOST_REQUIRE(it != other.end());
        const double rescaled = key.second == "x1" ? it->second * scale : it->second;
        worst = std::max(worst, std::abs(rescaled - value) / std::max(std::abs(value), 1e-3));
      }
      BOOST_TEST(worst <= 1e-6, "worst relative coefficient difference " << worst);
    }
  }
}

// Two identical columns: the lasso's solution is not unique in how it splits between them, but the
// path is certified all the same (their sum is what is determined).
BOOST_AUTO_TEST_CASE(duplicated_columns_fit_and_certify) {
  std::string csv = "x1,x2,copy,y\n";
  for (int i = 0; i < 40; ++i) {
    const double x1 = std::sin(1.0 + i), x2 = std::cos(0.7 * i);
    csv += std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(x1) + "," + std::to_string(2.0 * x1 - x2 + 0.1 * std::sin(3.0 * i)) + "\n";
  }
  write("copies.csv", csv);
  const fs::path config = write("copies.ini", "[data]\nfile = copies.csv\n");
  CommandResult result = run_command(quoted(driver_path()) + " fit " + quoted(config) + " --quiet --out " + quoted(folder.path / "copies"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::string manifest = slurp(folder.path / "copies" / "manifest.json");
  const auto points = manifest.find("\"points\": "), converged = manifest.find("\"converged_points\": ");
  BOOST_REQUIRE(points != std::string::npos && converged != std::string::npos);
  BOOST_TEST(std::stoi(manifest.substr(points + 10)) == std::stoi(manifest.substr(converged + 20)));
}

// Perfectly separable classes: the default path stops on glmnet's deviance rule with every point
// certified; with the stops off it still ends, in finite time and with finite numbers, and the
// points it cannot certify say so.
BOOST_AUTO_TEST_CASE(separable_logistic_data_stop_with_a_status) {
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 30; ++i) csv += std::to_string(i - 14.5) + "," + std::to_string(std::sin(i)) + "," + (i >= 15 ? "1" : "0") + "\n";
  write("separable.csv", csv);
  const fs::path config = write("separable.ini", "[data]\nfile = separable.csv\n[loss]\ntype = logistic\n");
  CommandResult result = run_command(quoted(driver_path()) + " fit " + quoted(config) + " --quiet --out " + quoted(folder.path / "default"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::string manifest = slurp(folder.path / "default" / "manifest.json");
  BOOST_TEST(manifest.find("deviance ratio above max_deviance_ratio") != std::string::npos, manifest);
  const fs::path unstopped = write("unstopped.ini", "[data]\nfile = separable.csv\n[loss]\ntype = logistic\n[path]\n"
                                                     "min_deviance_change = 0\nmax_deviance_ratio = 1\nlambda_min_ratio = 1e-8\n");
  result = run_command("timeout 120 " + quoted(driver_path()) + " fit " + quoted(unstopped) + " --quiet --out " + quoted(folder.path / "unstopped"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::string path = slurp(folder.path / "unstopped" / "path.json");
  BOOST_TEST(path.find("nan") == std::string::npos);
  BOOST_TEST(path.find("inf") == std::string::npos);
  BOOST_TEST(path.find(": null") == std::string::npos);
  BOOST_TEST(slurp(folder.path / "unstopped" / "manifest.json").find("\"points\": 100") != std::string::npos);
  if (path.find("\"not_converged\"") != std::string::npos) {
    BOOST_TEST(result.err.find("did not reach the gap tolerance") != std::string::npos, result.err);
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration

BOOST_AUTO_TEST_CASE(unknown_section) {
  CommandResult result = fit_config("[penalti]\ntype = lasso\n");
  // [data] on line 1, file on 2, blank on 3, [penalti] on 4.
  expect_failure(result, 1, {"experiment.ini:4", "[penalti]", "did you mean [penalty]"});
}

BOOST_AUTO_TEST_CASE(unknown_key_suggests_the_close_one) {
  CommandResult result = fit_config("[penalty]\ntype = elastic_net\nalpah = 0.5\n");
  expect_failure(result, 1, {"experiment.ini:6", "penalty.alpah", "did you mean 'alpha'"});
}

BOOST_AUTO_TEST_CASE(unknown_component_type_lists_the_available_ones) {
  CommandResult result = fit_config("[penalty]\ntype = lasso2\n");
  expect_failure(result, 1, {"experiment.ini:5", "'lasso2'", "elastic_net", "lasso"});
}

BOOST_AUTO_TEST_CASE(out_of_range_value) {
  CommandResult result = fit_config("[penalty]\ntype = elastic_net\nalpha = 1.3\n");
  expect_failure(result, 1, {"experiment.ini:6", "1.3", "0 <= penalty.alpha <= 1"});
}

BOOST_AUTO_TEST_CASE(wrong_value_type) {
  CommandResult result = fit_config("[path]\nn_lambda = many\n");
  expect_failure(result, 1, {"experiment.ini:5", "path.n_lambda", "'many'", "integer"});
}

BOOST_AUTO_TEST_CASE(ini_duplicate_key) {
  CommandResult result = fit_config("[path]\nn_lambda = 5\nn_lambda = 6\n");
  expect_failure(result, 1, {"experiment.ini:6", "n_lambda", "duplicate"});
}

BOOST_AUTO_TEST_CASE(malformed_ini_line) {
  CommandResult result = fit_config("[path]\nthis line is bad\n");
  expect_failure(result, 1, {"experiment.ini:5", "this line is bad", "key = value"});
}

BOOST_AUTO_TEST_CASE(malformed_xml_truncated) {
  const fs::path config = write("experiment.xml",
                                "<?xml version=\"1.0\"?>\n<sparsepath>\n  <data file=\"good.csv\"/>\n  <path>\n");
  CommandResult result = fit(config);
  expect_failure(result, 1, {"experiment.xml:", "malformed XML"});
}

BOOST_AUTO_TEST_CASE(malformed_xml_mismatched_closing_tag) {
  const fs::path config = write("experiment.xml",
                                "<?xml version=\"1.0\"?>\n<sparsepath>\n  <data file=\"good.csv\"/>\n"
                                "  <path>\n    <n_lambda>5</n_lambda>\n  </paht>\n</sparsepath>\n");
  CommandResult result = fit(config);
  expect_failure(result, 1, {"experiment.xml:", "malformed XML", "paht"});
}

BOOST_AUTO_TEST_CASE(malformed_set_override) {
  // A command-line syntax error: usage exit code 2.
  CommandResult result = fit_config("", "file = good.csv\n", "--set penaltyalpha0.5");
  expect_failure(result, 2, {"--set", "penaltyalpha0.5", "role.key=value"});
}

// ---------------------------------------------------------------------------------------------
// Plugins

CommandResult fit_with_plugin(const BadInput& test, const std::string& library, const std::string& sections = "") {
  return test.fit(test.write("experiment.ini", "[experiment]\nplugins = " + test_plugin(library).string() +
                                                   "\n\n[data]\nfile = good.csv\n\n" + sections));
}

BOOST_AUTO_TEST_CASE(plugin_with_wrong_abi) {
  CommandResult result = fit_with_plugin(*this, "bad_abi.so");
  expect_failure(result, 1, {"bad_abi.so", "ABI", "999"});
}

BOOST_AUTO_TEST_CASE(plugin_with_wrong_build_fingerprint) {
  CommandResult result = fit_with_plugin(*this, "bad_fingerprint.so");
  expect_failure(result, 1, {"bad_fingerprint.so", "plugin build id", "host build id", "some-other-compiler;eigen=0"});
}

BOOST_AUTO_TEST_CASE(library_that_is_not_a_plugin) {
  CommandResult result = fit_with_plugin(*this, "not_a_plugin.so");
  expect_failure(result, 1, {"not_a_plugin.so", "is not a sparsepath plugin"});
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_library) {
  CommandResult result = fit_with_plugin(*this, "not_a_library.so");
  expect_failure(result, 1, {"not_a_library.so", "not a loadable shared library"});
}

BOOST_AUTO_TEST_CASE(loss_that_throws) {
  CommandResult result = fit_with_plugin(*this, "throwing.so", "[loss]\ntype = throwing_loss\n");
  expect_failure(result, 1, {"throwing_loss", "boom"});
}

BOOST_AUTO_TEST_CASE(penalty_constructor_that_throws) {
  CommandResult result = fit_with_plugin(*this, "throwing.so", "[penalty]\ntype = throwing_penalty\n");
  expect_failure(result, 1, {"throwing_penalty", "boom"});
}

// ---------------------------------------------------------------------------------------------
// Side files: weights, lambdas; the output folder

BOOST_AUTO_TEST_CASE(missing_weights_file) {
  CommandResult result = fit_config("", "file = good.csv\nweights = no_weights.txt\n");
  expect_failure(result, 1, {(folder.path / "no_weights.txt").string(), "weights", "No such file"});
}

BOOST_AUTO_TEST_CASE(negative_weight) {
  std::string weights;
  for (int i = 0; i < 30; ++i) weights += (i == 3 ? "-0.5\n" : "1\n");
  write("weights.txt", weights);
  CommandResult result = fit_config("", "file = good.csv\nweights = weights.txt\n");
  expect_failure(result, 1, {"weights.txt", "row 4", "-0.5", ">= 0"});
}

BOOST_AUTO_TEST_CASE(negative_lambda_in_lambda_file) {
  write("lambdas.txt", "1\n0.5\n-0.1\n");
  CommandResult result = fit_config("[path]\nlambda_file = lambdas.txt\n");
  expect_failure(result, 1, {"lambdas.txt", "-0.1", "lambda > 0"});
}

BOOST_AUTO_TEST_CASE(unwritable_output_parent, *boost::unit_test::precondition(chmod_stops_writing)) {
  const fs::path locked = folder.path / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const fs::path config = write("experiment.ini", "[data]\nfile = good.csv\n");
  CommandResult result = run_command(quoted(driver_path()) + " fit " + quoted(config) + " --out " + quoted(locked / "out"));
  fs::permissions(locked, fs::perms::owner_all);
  expect_failure(result, 1, {locked.string(), "Permission denied"});
  BOOST_TEST(fs::is_empty(locked), "something was written into " << locked);
}

BOOST_AUTO_TEST_SUITE_END()
