// path.csv in the benchpath-v1 format: a marker row per lambda, then one row per nonzero.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/path_result.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <sstream>

namespace sparsepath::plugins {

class CsvWriter final : public Writer {
 public:
  explicit CsvWriter(const Params&) {}
  static Schema schema() {
    return Schema("csv", "path.csv: lambda_index,lambda,intercept,feature,coef (benchpath-v1; "
                         "original scale, nonzeros only, %.17g)");
  }
  void write(const PathResult& result, const RunInfo& info,
             const std::filesystem::path& directory) const override {
    std::ostringstream out;
    out << "# format=benchpath-v1\n# tool=sparsepath\n# tool_version=" << SPARSEPATH_VERSION << "\n";
    for (const auto& [key, value] : info.metadata) out << "# " << key << "=" << value << "\n";
    out << "# fit_seconds=" << format_17g(info.fit_seconds) << "\n";
    out << "lambda_index,lambda,intercept,feature,coef\n";
    for (std::size_t k = 0; k < result.points.size(); ++k) {
      const PathPoint& point = result.points[k];
      const std::string prefix = std::to_string(k) + "," + format_17g(point.lambda) + "," +
                                 format_17g(point.intercept) + ",";
      out << prefix << ",\n";
      for (const auto& [index, value] : point.coefficients) {
        out << prefix << result.feature_names[index] << "," << format_17g(value) << "\n";
      }
    }
    write_file_atomically(directory / "path.csv", out.str());
  }
};

void register_csv(Registry& registry) { registry.add<Writer, CsvWriter>("csv", CsvWriter::schema()); }

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-writer-csv", sparsepath::plugins::register_csv)
