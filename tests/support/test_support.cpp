#include "test_support.hpp"

#include "sparsepath/config/run_spec.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace sparsepath::testing {

namespace fs = std::filesystem;

PluginManager& plugins() {
  static PluginManager* manager = [] {
    auto* created = new PluginManager();  // never destroyed: outlives every static component
    created->load_directories({fs::path(SPARSEPATH_BINARY_DIR) / "lib" / "sparsepath" / "plugins"});
    // Plugins built outside this tree join the suites (the conformance tests run on every
    // registered component) through SPARSEPATH_TEST_EXTRA_PLUGINS, a ':'-separated list of
    // library files; tests/sdk/check_sdk.cmake uses it. A library that fails to load throws,
    // so a wrong path fails every test instead of silently testing nothing new.
    if (const char* extra = std::getenv("SPARSEPATH_TEST_EXTRA_PLUGINS")) {
      const std::string list = extra;
      std::size_t start = 0;
      while (start <= list.size()) {
        std::size_t end = list.find(':', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) created->load_library(list.substr(start, end - start));
        start = end + 1;
      }
    }
    return created;
  }();
  return *manager;
}

fs::path source_path(const std::string& relative) { return fs::path(SPARSEPATH_SOURCE_DIR) / relative; }
fs::path binary_path(const std::string& relative) { return fs::path(SPARSEPATH_BINARY_DIR) / relative; }
fs::path driver_path() { return fs::path(SPARSEPATH_DRIVER); }

TemporaryFolder::TemporaryFolder() {
  static std::atomic<int> counter{0};
  path = fs::temp_directory_path() /
         ("sparsepath-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path);
  fs::create_directories(path);
}
TemporaryFolder::~TemporaryFolder() {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}
fs::path TemporaryFolder::write(const std::string& name, const std::string& content) const {
  fs::path file = path / name;
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << content;
  return file;
}

CommandResult run_command(const std::string& command) {
  TemporaryFolder folder;
  const fs::path out = folder.path / "stdout", err = folder.path / "stderr";
  const std::string full = command + " > '" + out.string() + "' 2> '" + err.string() + "' < /dev/null";
  const int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const fs::path& file) {
    std::ifstream in(file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  };
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

std::string quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

template <class Interface>
std::unique_ptr<Interface> make_component(const std::string& type,
                                          const std::vector<std::pair<std::string, std::string>>& values) {
  const RegistryEntry* entry = plugins().registry().find(Interface::kind, type);
  if (entry == nullptr) throw Error("test: no " + std::string(to_string(Interface::kind)) + " '" + type + "'");
  SectionSpec section;
  section.role = std::string(to_string(Interface::kind));
  for (const auto& [key, value] : values) section.values[key] = value;
  Params params = validate_params(entry->schema, section, fs::current_path());
  return plugins().registry().create<Interface>(type, params);
}

template std::unique_ptr<Design> make_component<Design>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<Loss> make_component<Loss>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<Penalty> make_component<Penalty>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<Optimizer> make_component<Optimizer>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<ScreeningRule> make_component<ScreeningRule>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<LpBackend> make_component<LpBackend>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);
template std::unique_ptr<Writer> make_component<Writer>(const std::string&, const std::vector<std::pair<std::string, std::string>>&);

RandomProblem::RandomProblem(Index n, Index p, unsigned seed, bool logistic, double correlation) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  x.resize(n, p);
  for (Index i = 0; i < n; ++i) {
    double previous = normal(generator);
    for (Index j = 0; j < p; ++j) {
      const double fresh = normal(generator);
      previous = correlation * previous + std::sqrt(1.0 - correlation * correlation) * fresh;
      x(i, j) = previous;
    }
  }
  // Centre and scale to unit 1/n variance, as the framework does.
  for (Index j = 0; j < p; ++j) {
    x.col(j).array() -= x.col(j).mean();
    x.col(j) /= std::sqrt(x.col(j).squaredNorm() / static_cast<double>(n));
  }
  Vector truth = Vector::Zero(p);
  for (Index j = 0; j < std::min<Index>(p, 3); ++j) truth[j] = (j % 2 == 0 ? 1.5 : -1.0) / (1.0 + j);
  Vector signal = x * truth;
  y.resize(n);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (Index i = 0; i < n; ++i) {
    if (logistic) y[i] = uniform(generator) < 1.0 / (1.0 + std::exp(-signal[i])) ? 1.0 : 0.0;
    else y[i] = signal[i] + 0.5 * normal(generator) + 1.0;
  }
  v = Vector::Constant(n, 1.0 / static_cast<double>(n));
  for (Index j = 0; j < p; ++j) names.push_back("x" + std::to_string(j));
  standardization.center = Vector::Zero(p);
  standardization.scale = Vector::Ones(p);
  standardization.excluded.assign(p, 0);
}

std::unique_ptr<Penalty> bound_penalty(const RandomProblem& data, const std::string& type,
                                       const std::vector<std::pair<std::string, std::string>>& values) {
  auto penalty = make_component<Penalty>(type, values);
  PenaltyContext context;
  context.features = data.x.cols();
  context.column_scale = std::span<const double>(data.standardization.scale.data(),
                                                 static_cast<std::size_t>(data.x.cols()));
  context.names = std::span<const std::string>(data.names);
  context.excluded = std::span<const char>(data.standardization.excluded);
  Outcome bound = penalty->bind(context);
  if (!bound.ok()) throw Error("test: binding penalty '" + type + "' failed: " + bound.message);
  return penalty;
}

std::unique_ptr<Design> dense_design(const Matrix& x, const std::vector<std::string>& names) {
  auto design = make_component<Design>("dense");
  DataMatrix data;
  data.dense = &x;
  data.names = &names;
  Outcome bound = design->bind(data);
  if (!bound.ok()) throw Error(bound.message);
  return design;
}

}  // namespace sparsepath::testing
