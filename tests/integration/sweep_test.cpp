// `sparsepath sweep`: an ablation grid (3 penalties x 2 optimizers x screening on/off on the shipped
// servo data) from one config runs every item into its own folder with one sweep.csv; the same
// grid with one job or several and (MPI builds) under `mpirun -np 2` gives identical summaries and
// paths (fit times aside), and so do cv folds spread over two ranks; a [sweep] section runs the
// same 12 items. Items whose composition is refused are listed with the reason while the others
// run; bad sweeps are refused before any work.
#define BOOST_TEST_MODULE sweep
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <fstream>
#include <sstream>

using namespace sparsepath;
using namespace sparsepath::testing;
namespace fs = std::filesystem;

namespace {

const std::string grid =
    " --sweep penalty.type=lasso,elastic_net,sparse_group_lasso --sweep optimizer.type=fista,bcd"
    " --sweep screening.rules=gap_safe,none";

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_csv_simple(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
    else cell += c;
  }
  cells.push_back(cell);
  return cells;
}

// sweep.csv without its fit_seconds column, and every item's path.csv without its timing line.
std::string comparable(const fs::path& folder) {
  std::ostringstream out;
  const std::vector<std::string> lines = lines_of(folder / "sweep.csv");
  BOOST_REQUIRE(!lines.empty());
  const std::vector<std::string> header = split_csv_simple(lines[0]);
  const auto seconds = std::find(header.begin(), header.end(), "fit_seconds") - header.begin();
  for (const std::string& line : lines) {
    std::vector<std::string> cells = split_csv_simple(line);
    cells.erase(cells.begin() + seconds);
    for (const std::string& cell : cells) out << cell << "|";
    out << "\n";
    if (&line == &lines[0]) continue;
    const fs::path path = folder / cells[1] / "path.csv";
    if (!fs::exists(path)) continue;
    for (const std::string& row : lines_of(path)) {
      if (row.rfind("# fit_seconds", 0) != 0) out << row << "\n";
    }
  }
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(ablation_grid_serial_parallel_and_from_a_section) {
  TemporaryFolder folder;
  const fs::path experiment = source_path("configs/servo_sparse_group_lasso.ini");
  const std::string driver = quoted(driver_path());
  CommandResult result = run_command(driver + " sweep " + quoted(experiment) + grid + " --jobs 1 --out " + quoted(folder.path / "serial"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::vector<std::string> lines = lines_of(folder.path / "serial" / "sweep.csv");
  BOOST_REQUIRE_EQUAL(lines.size(), 13u);
  BOOST_TEST(lines[0] == "item,folder,penalty.type,optimizer.type,screening.rules,status,fit_seconds,points,"
                         "certified_points,stop_reason,passes,nonzeros,cv_measure,cv_best,notes");
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const std::vector<std::string> cells = split_csv_simple(lines[k]);
    BOOST_TEST_CONTEXT("row " << k << ": " << lines[k]) {
      BOOST_REQUIRE_EQUAL(cells.size(), 15u);
      BOOST_TEST(cells[5] == "ok");
      BOOST_TEST(cells[7] == cells[8]);  // every point certified
      BOOST_TEST(fs::exists(folder.path / "serial" / cells[1] / "path.json"));
      // The base config's group-lasso keys are left out for the lasso, and noted.
      if (cells[2] == "lasso") BOOST_TEST(cells[14].find("penalty.groups") != std::string::npos);
      if (cells[2] == "sparse_group_lasso") BOOST_TEST(cells[14].empty());
    }
  }
  // The first axis varies slowest.
  BOOST_TEST(split_csv_simple(lines[1])[2] == "lasso");
  BOOST_TEST(split_csv_simple(lines[12])[2] == "sparse_group_lasso");
  BOOST_TEST(split_csv_simple(lines[2])[4] == "none");

  result = run_command(driver + " sweep " + quoted(experiment) + grid + " --jobs 2 --out " + quoted(folder.path / "parallel"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  BOOST_TEST(comparable(folder.path / "serial") == comparable(folder.path / "parallel"));

  // The same grid from a [sweep] section.
  std::ifstream base(experiment);
  std::stringstream text;
  text << base.rdbuf();
  std::string config = text.str();
  const std::string data_line = "file = data/servo.csv";
  config.replace(config.find(data_line), data_line.size(), "file = " + source_path("configs/data/servo.csv").string());
  const std::string groups_line = "groups = data/servo_groups.txt";
  config.replace(config.find(groups_line), groups_line.size(), "groups = " + source_path("configs/data/servo_groups.txt").string());
  config += "\n[sweep]\npenalty.type = lasso, elastic_net, sparse_group_lasso\noptimizer.type = fista, bcd\n"
            "screening.rules = gap_safe, none\n";
  const fs::path with_section = folder.write("with_section.ini", config);
  result = run_command(driver + " sweep " + quoted(with_section) + " --out " + quoted(folder.path / "section"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  // A section's keys come back sorted (optimizer, penalty, screening): the same 12 items, in
  // another order and other folders, so only the header and the count are compared here.
  const std::vector<std::string> section_lines = lines_of(folder.path / "section" / "sweep.csv");
  BOOST_TEST(section_lines.size() == 13u);
  BOOST_TEST(section_lines[0].find("optimizer.type,penalty.type,screening.rules") != std::string::npos, section_lines[0]);
  // fit ignores the [sweep] section.
  result = run_command(driver + " fit " + quoted(with_section) + " --quiet --out " + quoted(folder.path / "plain_fit"));
  BOOST_TEST(result.exit_code == 0, result.err);

#ifdef SPARSEPATH_TEST_MPIEXEC
  const std::string mpirun = std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ") +
                             SPARSEPATH_TEST_MPIEXEC + " -np 2 --oversubscribe ";
  result = run_command(mpirun + driver + " sweep " + quoted(experiment) + grid + " --jobs 1 --out " + quoted(folder.path / "mpi"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.out << result.err);
  BOOST_TEST(result.err.find("rank 1") != std::string::npos, result.err);  // both ranks ran items
  BOOST_TEST(comparable(folder.path / "serial") == comparable(folder.path / "mpi"));
  // Cross-validation folds over the ranks: the same cv.csv and cv.json as one process.
  const std::string cv = " cv " + quoted(source_path("configs/quickstart.ini")) + " --folds 5 --quiet --out ";
  result = run_command(mpirun + driver + cv + quoted(folder.path / "cv_mpi"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.out << result.err);
  result = run_command(driver + cv + quoted(folder.path / "cv_serial"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  for (const char* name : {"cv.csv", "cv.json", "fold_ids.txt"}) {
    BOOST_TEST((lines_of(folder.path / "cv_mpi" / name) == lines_of(folder.path / "cv_serial" / name)), name);
  }
  // An error on every rank stops them all (no rank waits forever) with a non-zero exit code.
  result = run_command(mpirun + driver + cv + quoted(folder.path / "cv_serial"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("--overwrite") != std::string::npos, result.err);
#else
  BOOST_TEST_MESSAGE("built without SPARSEPATH_MPI: the mpirun comparison is skipped");
#endif
}

BOOST_AUTO_TEST_CASE(refused_items_are_listed_and_bad_sweeps_refused) {
  TemporaryFolder folder;
  const fs::path experiment = source_path("configs/servo_sparse_group_lasso.ini");
  const std::string driver = quoted(driver_path());
  // cd cannot fit the sparse group lasso (no per-coordinate prox): listed as invalid, the rest run;
  // the exit code says something did not run.
  CommandResult result = run_command(driver + " sweep " + quoted(experiment) +
                                     " --sweep optimizer.type=cd,bcd --out " + quoted(folder.path / "mixed"));
  BOOST_TEST(result.exit_code == 0, result.err);
  const std::vector<std::string> lines = lines_of(folder.path / "mixed" / "sweep.csv");
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  BOOST_TEST(split_csv_simple(lines[1])[3].find("invalid") == 0u, lines[1]);
  BOOST_TEST(split_csv_simple(lines[2])[3] == "ok", lines[2]);
  // Unknown section, malformed axis, existing folder, nothing to sweep: refused, nothing written.
  result = run_command(driver + " sweep " + quoted(experiment) + " --sweep penalt.type=lasso --out " + quoted(folder.path / "a"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("did you mean [penalty]") != std::string::npos, result.err);
  result = run_command(driver + " sweep " + quoted(experiment) + " --sweep penalty.type --out " + quoted(folder.path / "a"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("expected role.key=v1,v2") != std::string::npos, result.err);
  result = run_command(driver + " sweep " + quoted(experiment) + " --out " + quoted(folder.path / "a"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("nothing to sweep") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(folder.path / "a"));
  result = run_command(driver + " sweep " + quoted(experiment) + " --sweep optimizer.type=bcd --out " + quoted(folder.path / "mixed"));
  BOOST_TEST(result.exit_code != 0);
  BOOST_TEST(result.err.find("--overwrite") != std::string::npos, result.err);
}

BOOST_AUTO_TEST_CASE(cross_validated_items_report_their_score) {
  TemporaryFolder folder;
  const fs::path experiment = source_path("configs/quickstart.ini");
  CommandResult result = run_command(quoted(driver_path()) + " sweep " + quoted(experiment) +
                                     " --sweep penalty.type=lasso,elastic_net --cv-folds 4 --out " + quoted(folder.path / "cv"));
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::vector<std::string> lines = lines_of(folder.path / "cv" / "sweep.csv");
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const std::vector<std::string> cells = split_csv_simple(lines[k]);
    BOOST_TEST(cells[10] == "mse", lines[k]);
    BOOST_TEST(std::stod(cells[11]) > 0.0, lines[k]);
    BOOST_TEST(fs::exists(folder.path / "cv" / cells[1] / "cv.json"));
  }
  // Both items used the same folds.
  const auto first = lines_of(folder.path / "cv" / split_csv_simple(lines[1])[1] / "fold_ids.txt");
  const auto second = lines_of(folder.path / "cv" / split_csv_simple(lines[2])[1] / "fold_ids.txt");
  BOOST_TEST((first == second));
}
