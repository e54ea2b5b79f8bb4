#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

// End-to-end tests of the sparsepath driver: every shipped experiment runs, the commands
// (fit, check, predict, list, describe) do what the usage text says, and the results agree with
// what the test recomputes from the written files.
#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using sparsepath::testing::CommandResult;
using sparsepath::testing::driver_path;
using sparsepath::testing::run_command;
using sparsepath::testing::source_path;
using sparsepath::testing::quoted;
using sparsepath::testing::TemporaryFolder;

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers


std::string driver() { return quoted(driver_path()); }

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, separator)) cells.push_back(cell);
  if (!line.empty() && line.back() == separator) cells.emplace_back();
  return cells;
}

// path.csv without its '#' metadata lines (the header row and the data rows).
std::vector<std::string> path_rows(const fs::path& csv) {
  std::vector<std::string> rows;
  for (const std::string& line : lines_of(slurp(csv))) {
    if (!line.empty() && line[0] != '#') rows.push_back(line);
  }
  return rows;
}

struct PathRow {
  long long index = 0;
  double lambda = 0.0;
  double intercept = 0.0;
  std::string feature;  // empty on the marker row of each lambda
  double coef = 0.0;
};

std::vector<PathRow> parse_path_csv(const fs::path& csv) {
  std::vector<std::string> rows = path_rows(csv);
  BOOST_REQUIRE_MESSAGE(!rows.empty(), csv << " has no header row");
  BOOST_REQUIRE_EQUAL(rows.front(), "lambda_index,lambda,intercept,feature,coef");
  std::vector<PathRow> parsed;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::vector<std::string> cells = split(rows[r], ',');
    BOOST_REQUIRE_MESSAGE(cells.size() == 5, csv << ": row '" << rows[r] << "' does not have 5 cells");
    PathRow row;
    row.index = std::stoll(cells[0]);
    row.lambda = std::stod(cells[1]);
    row.intercept = std::stod(cells[2]);
    row.feature = cells[3];
    row.coef = cells[4].empty() ? 0.0 : std::stod(cells[4]);
    parsed.push_back(row);
  }
  return parsed;
}

// The distinct lambdas of a path, in file order.
std::vector<double> path_lambdas(const std::vector<PathRow>& rows) {
  std::vector<double> lambdas;
  for (const PathRow& row : rows) {
    if (row.feature.empty()) lambdas.push_back(row.lambda);
  }
  return lambdas;
}

// Sections of an INI file as role -> key -> value (';' comment lines skipped).
std::map<std::string, std::map<std::string, std::string>> read_ini(const fs::path& file) {
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::string current;
  auto trim = [](std::string text) {
    const auto begin = text.find_first_not_of(" \t");
    const auto end = text.find_last_not_of(" \t");
    return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
  };
  for (std::string line : lines_of(slurp(file))) {
    line = trim(line);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = trim(line.substr(1, line.size() - 2));
      sections[current];
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    sections[current][trim(line.substr(0, equals))] = trim(line.substr(equals + 1));
  }
  return sections;
}

// A CSV file as header names and rows of numbers.
struct Table {
  std::vector<std::string> names;
  std::vector<std::vector<double>> rows;
};

Table read_table(const fs::path& file) {
  Table table;
  std::vector<std::string> lines = lines_of(slurp(file));
  BOOST_REQUIRE(!lines.empty());
  table.names = split(lines[0], ',');
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::vector<double> row;
    for (const std::string& cell : split(lines[i], ',')) row.push_back(std::stod(cell));
    table.rows.push_back(row);
  }
  return table;
}

bool close(double a, double b, double relative) {
  return std::abs(a - b) <= relative * std::max({1.0, std::abs(a), std::abs(b)});
}

const char* result_files[] = {"path.csv", "path.json", "manifest.json", "resolved.ini"};

void expect_results(const fs::path& folder) {
  BOOST_TEST(fs::is_directory(folder), folder << " was not created");
  for (const char* name : result_files) {
    std::error_code error;
    BOOST_TEST((fs::is_regular_file(folder / name) && fs::file_size(folder / name, error) > 0),
               folder / name << " is missing or empty");
  }
}

// No staging folder (.<name>.partial-*) may survive a run.
void expect_no_staging(const fs::path& parent) {
  for (const auto& item : fs::directory_iterator(parent)) {
    const std::string name = item.path().filename().string();
    BOOST_TEST(name.find(".partial-") == std::string::npos, "staging folder left behind: " << item.path());
  }
}

fs::path diabetes() { return source_path("configs/data/diabetes.csv"); }
fs::path breast_cancer() { return source_path("configs/data/breast_cancer.csv"); }
fs::path quickstart() { return source_path("configs/quickstart.ini"); }

// The quickstart experiment with an absolute data path, written into `folder`, plus extra lines.
fs::path write_quickstart_copy(const TemporaryFolder& folder, const std::string& name,
                               const std::string& extra_data = "", const std::string& extra_path = "") {
  std::ostringstream ini;
  ini << "[experiment]\nname = diabetes_lasso\n\n"
      << "[data]\ntype = csv\nfile = " << diabetes().string() << "\ntarget = y\nstandardize = true\n"
      << extra_data << "\n"
      << "[loss]\ntype = squared\n\n[penalty]\ntype = lasso\n\n[optimizer]\ntype = cd\n\n"
      << "[screening]\nrules = gap_safe\n\n"
      << "[path]\nn_lambda = 100\nlambda_min_ratio = 1e-4\n" << extra_path;
  return folder.write(name, ini.str());
}

CommandResult fit(const fs::path& config, const fs::path& out, const std::string& extra = "") {
  return run_command(driver() + " fit " + quoted(config) + " --out " + quoted(out) + " " + extra);
}

// Requires a zero exit code; evaluates its argument (often a command to run) exactly once.
#define REQUIRE_OK(command)                                                                      \
  do {                                                                                           \
    const CommandResult require_ok_result = (command);                                           \
    BOOST_REQUIRE_MESSAGE(require_ok_result.exit_code == 0,                                      \
                          "exit code " << require_ok_result.exit_code << "\nstdout:\n"           \
                                       << require_ok_result.out << "\nstderr:\n"                 \
                                       << require_ok_result.err);                                \
  } while (false)

}  // namespace

// ---------------------------------------------------------------------------------------------
// Every experiment shipped in configs/ runs (new configs are picked up automatically).

BOOST_AUTO_TEST_CASE(every_shipped_config_fits) {
  std::vector<fs::path> configs;
  for (const auto& item : fs::directory_iterator(source_path("configs"))) {
    const std::string extension = item.path().extension().string();
    if (item.is_regular_file() && (extension == ".ini" || extension == ".xml")) configs.push_back(item.path());
  }
  std::sort(configs.begin(), configs.end());
  BOOST_TEST_REQUIRE(!configs.empty());
  BOOST_TEST(std::count(configs.begin(), configs.end(), quickstart()) == 1);
  for (const fs::path& config : configs) {
    BOOST_TEST_CONTEXT("config " << config) {
      TemporaryFolder folder;
      const fs::path out = folder.path / "x";
      CommandResult result = fit(config, out, "--quiet");
      BOOST_TEST(result.exit_code == 0, "exit code " << result.exit_code << "; stderr:\n" << result.err);
      expect_results(out);
      expect_no_staging(folder.path);
      if (fs::exists(out / "path.csv")) BOOST_TEST(parse_path_csv(out / "path.csv").size() >= 1u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// list / describe / check

BOOST_AUTO_TEST_CASE(list_shows_the_builtin_components) {
  CommandResult result = run_command(driver() + " list");
  REQUIRE_OK(result);
  std::set<std::string> listed;
  for (const std::string& line : lines_of(result.out)) {
    std::istringstream in(line);
    std::string first;
    in >> first;
    if (!first.empty()) listed.insert(first);
  }
  for (const char* name : {"loss/squared", "loss/logistic", "penalty/lasso", "penalty/elastic_net",
                           "optimizer/cd", "screening/gap_safe", "screening/strong_rule"}) {
    BOOST_TEST(listed.count(name) == 1u, name << " is not listed; stdout:\n" << result.out);
  }
  // The test-only libraries are never found by the default search.
  BOOST_TEST(result.out.find("throwing") == std::string::npos);
  BOOST_TEST(result.out.find("bad_fingerprint") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(describe_prints_the_keys_of_a_component) {
  CommandResult result = run_command(driver() + " describe penalty/lasso");
  REQUIRE_OK(result);
  for (const char* key : {"lower_limit", "upper_limit", "penalty_factors"}) {
    BOOST_TEST(result.out.find(key) != std::string::npos, key << " missing from:\n" << result.out);
  }
  CommandResult net = run_command(driver() + " describe penalty/elastic_net");
  REQUIRE_OK(net);
  BOOST_TEST(net.out.find("alpha") != std::string::npos);
  CommandResult section = run_command(driver() + " describe data");
  REQUIRE_OK(section);
  BOOST_TEST(section.out.find("weights") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(describe_an_unknown_component_fails_and_lists_the_available_ones) {
  CommandResult result = run_command(driver() + " describe penalty/nope");
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(result.err.find("'nope'") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("lasso") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("elastic_net") != std::string::npos, result.err);
  BOOST_TEST(result.out.empty());
}

BOOST_AUTO_TEST_CASE(check_accepts_the_quickstart_and_writes_nothing) {
  TemporaryFolder folder;
  CommandResult result =
      run_command("cd " + quoted(folder.path) + " && " + driver() + " check " + quoted(quickstart()));
  REQUIRE_OK(result);
  BOOST_TEST(result.out.find("ok") != std::string::npos, result.out);
  BOOST_TEST(fs::is_empty(folder.path), "check wrote into the current folder");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_with_2) {
  CommandResult no_command = run_command(driver());
  BOOST_TEST(no_command.exit_code == 2);
  CommandResult unknown = run_command(driver() + " frobnicate");
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(unknown.err.find("frobnicate") != std::string::npos);
  CommandResult no_experiment = run_command(driver() + " fit");
  BOOST_TEST(no_experiment.exit_code == 2);
  BOOST_TEST(no_experiment.err.find("EXPERIMENT") != std::string::npos, no_experiment.err);
  CommandResult no_model = run_command(driver() + " predict --data " + quoted(diabetes()));
  BOOST_TEST(no_model.exit_code == 2);
  BOOST_TEST(no_model.err.find("--model") != std::string::npos, no_model.err);
  CommandResult help = run_command(driver() + " --help");
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.out.find("usage:") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// fit: overrides, XML, output folder rules

BOOST_AUTO_TEST_CASE(set_overrides_reach_the_fit_and_resolved_ini) {
  TemporaryFolder folder;
  const fs::path out = folder.path / "x";
  CommandResult result = fit(quickstart(), out, "--set penalty.type=elastic_net --set penalty.alpha=0.5");
  REQUIRE_OK(result);
  expect_results(out);
  auto resolved = read_ini(out / "resolved.ini");
  BOOST_TEST(resolved["penalty"]["type"] == "elastic_net");
  BOOST_TEST(resolved["penalty"]["alpha"] == "0.5");
  const std::string text = slurp(out / "resolved.ini");
  BOOST_TEST(text.find("alpha = 0.5") != std::string::npos, text);
  const std::string csv = slurp(out / "path.csv");
  BOOST_TEST(csv.find("# penalty=elastic_net") != std::string::npos);
  BOOST_TEST(csv.find("# alpha=0.5") != std::string::npos);
  // The elastic net path differs from the lasso path of the same experiment.
  TemporaryFolder lasso_folder;
  REQUIRE_OK(fit(quickstart(), lasso_folder.path / "x", "--quiet"));
  BOOST_TEST(path_rows(out / "path.csv") != path_rows(lasso_folder.path / "x" / "path.csv"));
}

BOOST_AUTO_TEST_CASE(xml_experiment_equals_the_ini_one) {
  TemporaryFolder folder;
  const fs::path xml = folder.write("quickstart.xml",
                                    "<?xml version=\"1.0\"?>\n"
                                    "<sparsepath>\n"
                                    "  <!-- configs/quickstart.ini, with attributes and child elements -->\n"
                                    "  <experiment name=\"diabetes_lasso\"/>\n"
                                    "  <data type=\"csv\">\n"
                                    "    <file>" + diabetes().string() + "</file>\n"
                                    "    <target>y</target>\n"
                                    "    <standardize>true</standardize>\n"
                                    "  </data>\n"
                                    "  <loss type=\"squared\"/>\n"
                                    "  <penalty><type>lasso</type></penalty>\n"
                                    "  <optimizer type=\"cd\"/>\n"
                                    "  <screening rules=\"gap_safe\"/>\n"
                                    "  <path n_lambda=\"100\" lambda_min_ratio=\"1e-4\"/>\n"
                                    "</sparsepath>\n");
  REQUIRE_OK(fit(xml, folder.path / "from_xml", "--quiet"));
  REQUIRE_OK(fit(quickstart(), folder.path / "from_ini", "--quiet"));
  const std::vector<std::string> from_xml = path_rows(folder.path / "from_xml" / "path.csv");
  const std::vector<std::string> from_ini = path_rows(folder.path / "from_ini" / "path.csv");
  BOOST_TEST(from_xml.size() > 2u);
  BOOST_TEST(from_xml == from_ini, boost::test_tools::per_element());
  // Same resolved configuration apart from the comment header.
  BOOST_TEST((read_ini(folder.path / "from_xml" / "resolved.ini") ==
              read_ini(folder.path / "from_ini" / "resolved.ini")));
}

BOOST_AUTO_TEST_CASE(existing_output_folder_is_refused_unless_overwrite) {
  TemporaryFolder folder;
  const fs::path out = folder.path / "x";
  REQUIRE_OK(fit(quickstart(), out, "--quiet"));
  const std::string first_csv = slurp(out / "path.csv");
  const std::string first_manifest = slurp(out / "manifest.json");
  fs::last_write_time(out / "path.csv", fs::file_time_type::clock::now() - std::chrono::hours(1));
  const auto first_time = fs::last_write_time(out / "path.csv");

  CommandResult again = fit(quickstart(), out, "--set path.n_lambda=7");
  BOOST_TEST(again.exit_code == 1);
  BOOST_TEST(again.err.find("--overwrite") != std::string::npos, again.err);
  BOOST_TEST(again.err.find(out.string()) != std::string::npos, again.err);
  // The first results are untouched.
  expect_results(out);
  BOOST_TEST(slurp(out / "path.csv") == first_csv);
  BOOST_TEST(slurp(out / "manifest.json") == first_manifest);
  BOOST_TEST((fs::last_write_time(out / "path.csv") == first_time));
  expect_no_staging(folder.path);

  CommandResult replaced = fit(quickstart(), out, "--overwrite --set path.n_lambda=7");
  REQUIRE_OK(replaced);
  expect_results(out);
  BOOST_TEST(path_lambdas(parse_path_csv(out / "path.csv")).size() <= 7u);
  BOOST_TEST(slurp(out / "path.csv") != first_csv);
  expect_no_staging(folder.path);
}

// ---------------------------------------------------------------------------------------------
// [path] lambda_file and [data] weights

BOOST_AUTO_TEST_CASE(lambda_file_gives_exactly_the_listed_lambdas) {
  TemporaryFolder folder;
  folder.write("lambdas.txt", "# lambdas, unsorted on purpose\n20\n40\n5\n10\n2.5\n");
  const fs::path config = write_quickstart_copy(folder, "lambdas.ini", "", "lambda_file = lambdas.txt\n");
  CommandResult result = fit(config, folder.path / "x", "--quiet");
  REQUIRE_OK(result);
  const std::vector<PathRow> rows = parse_path_csv(folder.path / "x" / "path.csv");
  const std::vector<double> expected = {40.0, 20.0, 10.0, 5.0, 2.5};
  BOOST_TEST(path_lambdas(rows) == expected, boost::test_tools::per_element());
  long long previous = -1;
  for (const PathRow& row : rows) {
    if (!row.feature.empty()) continue;
    BOOST_TEST(row.index == previous + 1);
    previous = row.index;
  }
  auto resolved = read_ini(folder.path / "x" / "resolved.ini");
  BOOST_TEST(resolved["path"]["lambda_file"] == (folder.path / "lambdas.txt").lexically_normal().string());
}

BOOST_AUTO_TEST_CASE(unit_weights_change_nothing) {
  TemporaryFolder folder;
  std::string ones;
  for (int i = 0; i < 442; ++i) ones += "1\n";
  folder.write("ones.txt", ones);
  const fs::path plain = write_quickstart_copy(folder, "plain.ini");
  const fs::path weighted = write_quickstart_copy(folder, "weighted.ini", "weights = ones.txt\n");
  REQUIRE_OK(fit(plain, folder.path / "plain", "--quiet"));
  REQUIRE_OK(fit(weighted, folder.path / "weighted", "--quiet"));
  const std::vector<PathRow> a = parse_path_csv(folder.path / "plain" / "path.csv");
  const std::vector<PathRow> b = parse_path_csv(folder.path / "weighted" / "path.csv");
  BOOST_TEST_REQUIRE(a.size() == b.size());
  BOOST_TEST(a.size() > 10u);
  for (std::size_t r = 0; r < a.size(); ++r) {
    BOOST_TEST_CONTEXT("row " << r) {
      BOOST_TEST(a[r].index == b[r].index);
      BOOST_TEST(a[r].feature == b[r].feature);
      BOOST_TEST(close(a[r].lambda, b[r].lambda, 1e-8));
      BOOST_TEST(close(a[r].intercept, b[r].intercept, 1e-8));
      BOOST_TEST(close(a[r].coef, b[r].coef, 1e-8), a[r].coef << " vs " << b[r].coef);
    }
  }
  BOOST_TEST(slurp(folder.path / "weighted" / "manifest.json").find("data.weights") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// predict

BOOST_AUTO_TEST_CASE(predict_matches_the_coefficients_in_path_csv) {
  TemporaryFolder folder;
  const fs::path out = folder.path / "fit";
  REQUIRE_OK(fit(quickstart(), out, "--quiet"));
  CommandResult result = run_command(driver() + " predict --model " + quoted(out / "path.json") + " --data " +
                                     quoted(diabetes()) + " --lambda-index 5");
  REQUIRE_OK(result);
  const std::vector<std::string> lines = lines_of(result.out);
  BOOST_TEST_REQUIRE(lines.size() == 443u);
  BOOST_TEST(lines[0] == "lambda_5");

  // intercept + sum_j coef_j x_ij from path.csv, on every data row.
  double intercept = 0.0;
  std::map<std::string, double> coefficients;
  bool found = false;
  for (const PathRow& row : parse_path_csv(out / "path.csv")) {
    if (row.index != 5) continue;
    found = true;
    intercept = row.intercept;
    if (!row.feature.empty()) coefficients[row.feature] = row.coef;
  }
  BOOST_TEST_REQUIRE(found);
  BOOST_TEST(!coefficients.empty());
  const Table data = read_table(diabetes());
  BOOST_TEST_REQUIRE(data.rows.size() == 442u);
  for (std::size_t i = 0; i < data.rows.size(); ++i) {
    double expected = intercept;
    for (std::size_t j = 0; j < data.names.size(); ++j) {
      auto it = coefficients.find(data.names[j]);
      if (it != coefficients.end()) expected += it->second * data.rows[i][j];
    }
    const double predicted = std::stod(lines[i + 1]);
    BOOST_TEST(close(predicted, expected, 1e-10), "row " << i + 1 << ": " << predicted << " vs " << expected);
    if (i == 0) BOOST_TEST_MESSAGE("row 1 prediction " << predicted << ", recomputed " << expected);
  }

  // --output writes the same text to a file; a folder works as --model too.
  const fs::path file = folder.path / "predictions.csv";
  CommandResult to_file = run_command(driver() + " predict --model " + quoted(out) + " --data " +
                                      quoted(diabetes()) + " --lambda-index 5 --output " + quoted(file));
  REQUIRE_OK(to_file);
  BOOST_TEST(slurp(file) == result.out);

  CommandResult out_of_range = run_command(driver() + " predict --model " + quoted(out) + " --data " +
                                           quoted(diabetes()) + " --lambda-index 100000");
  BOOST_TEST(out_of_range.exit_code == 1);
  BOOST_TEST(out_of_range.err.find("100000") != std::string::npos, out_of_range.err);
}

BOOST_AUTO_TEST_CASE(logistic_response_predictions_are_probabilities) {
  TemporaryFolder folder;
  const fs::path config = folder.write(
      "logistic.ini", "[experiment]\nname = breast_cancer\n\n[data]\nfile = " + breast_cancer().string() +
                          "\ntarget = y\n\n[loss]\ntype = logistic\n\n[penalty]\ntype = lasso\n\n"
                          "[path]\nn_lambda = 30\nlambda_min_ratio = 0.01\n");
  const fs::path out = folder.path / "fit";
  REQUIRE_OK(fit(config, out, "--quiet"));
  const std::size_t points = path_lambdas(parse_path_csv(out / "path.csv")).size();
  BOOST_TEST_REQUIRE(points >= 2u);

  const std::string base = driver() + " predict --model " + quoted(out / "path.json") + " --data " + quoted(breast_cancer());
  CommandResult response = run_command(base + " --type response");
  REQUIRE_OK(response);
  std::vector<std::string> lines = lines_of(response.out);
  BOOST_TEST_REQUIRE(lines.size() == 570u);  // header + 569 rows
  BOOST_TEST(split(lines[0], ',').size() == points);
  std::size_t checked = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    for (const std::string& cell : split(lines[i], ',')) {
      const double p = std::stod(cell);
      BOOST_TEST((p > 0.0 && p < 1.0), "row " << i << ": " << cell);
      ++checked;
    }
  }
  BOOST_TEST(checked == 569u * points);

  // response = 1 / (1 + exp(-link)) at one lambda.
  const std::string k = std::to_string(points - 1);
  CommandResult link = run_command(base + " --type link --lambda-index " + k);
  CommandResult one = run_command(base + " --type response --lambda-index " + k);
  REQUIRE_OK(link);
  REQUIRE_OK(one);
  std::vector<std::string> link_lines = lines_of(link.out), one_lines = lines_of(one.out);
  BOOST_TEST_REQUIRE(link_lines.size() == one_lines.size());
  bool some_link_outside = false;
  for (std::size_t i = 1; i < link_lines.size(); ++i) {
    const double eta = std::stod(link_lines[i]);
    some_link_outside = some_link_outside || eta <= 0.0 || eta >= 1.0;
    BOOST_TEST(close(std::stod(one_lines[i]), 1.0 / (1.0 + std::exp(-eta)), 1e-12));
  }
  BOOST_TEST(some_link_outside, "--type link looks like probabilities");
}

// Results are bit-identical whatever the thread count (and across repeated runs), for every
// optimizer: cd (least squares and logistic), bcd, fista and hier_pgd.
BOOST_AUTO_TEST_CASE(results_do_not_depend_on_threads) {
  TemporaryFolder folder;
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"configs/breast_cancer_logistic.ini", ""},
      {"configs/quickstart.ini", ""},
      {"configs/servo_sparse_group_lasso.ini", ""},
      {"configs/servo_sparse_group_lasso.ini", " --set optimizer.type=fista"},
      {"configs/concrete_strong_hierarchy.ini", " --set path.n_lambda=15"}};
  for (const auto& [config, extra] : runs) {
    std::vector<std::string> paths;
    for (const char* threads : {"1", "2", "2"}) {
      const fs::path out = folder.path / (fs::path(config).stem().string() + std::to_string(paths.size()) +
                                          (extra.empty() ? "" : "_variant"));
      const CommandResult result = run_command(quoted(driver_path()) + " fit " + quoted(source_path(config)) +
                                               " --quiet --out " + quoted(out) + " --set experiment.threads=" + threads + extra);
      BOOST_REQUIRE_EQUAL(result.exit_code, 0);
      std::ifstream in(out / "path.csv");
      std::string line, kept;
      while (std::getline(in, line)) {
        if (line.rfind("# fit_seconds", 0) != 0) kept += line + "\n";
      }
      paths.push_back(kept);
    }
    BOOST_TEST_CONTEXT(config << extra) {
      BOOST_TEST(paths[0].size() > 100u);
      BOOST_TEST(paths[0] == paths[1]);
      BOOST_TEST(paths[1] == paths[2]);
    }
  }
}
