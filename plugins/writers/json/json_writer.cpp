// path.json: every point with its certificate (objective, dual objective, duality gap, status),
// iterations, time and screening statistics; read back by `sparsepath predict`.
#include "sparsepath/core/registry.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/path_result.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <sstream>

namespace sparsepath::plugins {

class JsonWriter final : public Writer {
 public:
  explicit JsonWriter(const Params&) {}
  static Schema schema() {
    return Schema("json", "path.json: per lambda the coefficients, objective, duality gap, "
                          "status, iterations, time and screening statistics");
  }
  void write(const PathResult& result, const RunInfo& info,
             const std::filesystem::path& directory) const override {
    std::ostringstream out;
    out << "{\n  \"format\": \"sparsepath-path-v1\",\n";
    out << "  \"sparsepath_version\": " << json_escape(SPARSEPATH_VERSION) << ",\n";
    out << "  \"experiment\": " << json_escape(info.experiment) << ",\n";
    out << "  \"loss\": " << json_escape(info.loss) << ",\n";
    out << "  \"penalty\": " << json_escape(info.penalty) << ",\n";
    out << "  \"optimizer\": " << json_escape(info.optimizer) << ",\n";
    out << "  \"metadata\": {";
    bool first = true;
    for (const auto& [key, value] : info.metadata) {
      out << (first ? "" : ", ") << json_escape(key) << ": " << json_escape(value);
      first = false;
    }
    out << "},\n";
    out << "  \"samples\": " << result.samples << ",\n  \"features\": " << result.features << ",\n";
    out << "  \"lambda_max\": " << json_number(result.lambda_max) << ",\n";
    out << "  \"null_objective\": " << json_number(result.null_objective) << ",\n";
    out << "  \"complete\": " << (result.complete ? "true" : "false") << ",\n";
    out << "  \"stop_reason\": " << json_escape(result.stop_reason) << ",\n";
    out << "  \"fit_seconds\": " << json_number(info.fit_seconds) << ",\n";
    out << "  \"setup_flops\": " << json_number(result.setup_flops) << ",\n";
    out << "  \"feature_names\": [";
    for (std::size_t j = 0; j < result.feature_names.size(); ++j) {
      out << (j ? ", " : "") << json_escape(result.feature_names[j]);
    }
    out << "],\n  \"points\": [";
    for (std::size_t k = 0; k < result.points.size(); ++k) {
      const PathPoint& point = result.points[k];
      out << (k ? ",\n" : "\n") << "    {\"lambda_index\": " << k
          << ", \"lambda\": " << json_number(point.lambda)
          << ", \"intercept\": " << json_number(point.intercept)
          << ", \"nonzeros\": " << point.coefficients.size()
          << ", \"objective\": " << json_number(point.objective)
          << ", \"dual_objective\": " << json_number(point.dual_objective)
          << ", \"duality_gap\": " << json_number(point.duality_gap)
          << ", \"gap_tolerance\": " << json_number(point.gap_tolerance)
          << ", \"max_kkt_violation\": " << json_number(point.max_kkt_violation)
          << ", \"converged\": " << (point.converged ? "true" : "false")
          << ", \"status\": " << json_escape(std::string(to_string(point.status)))
          << ", \"message\": " << json_escape(point.message)
          << ", \"passes\": " << point.passes
          << ", \"outer_iterations\": " << point.outer_iterations
          << ", \"flops\": " << json_number(point.flops)
          << ", \"seconds\": " << json_number(point.seconds)
          << ", \"deviance_ratio\": " << json_number(point.deviance_ratio)
          << ", \"screening\": {\"safe_screened\": " << point.screening.safe_screened
          << ", \"strong_discarded\": " << point.screening.strong_discarded
          << ", \"kkt_violations\": " << point.screening.kkt_violations
          << ", \"dynamic_screened\": " << point.screening.dynamic_screened
          << ", \"working_set\": " << point.screening.working_set << "}";
      if (point.hierarchy_violations >= 0) out << ", \"hierarchy_violations\": " << point.hierarchy_violations;
      out << ", \"coefficients\": [";
      for (std::size_t i = 0; i < point.coefficients.size(); ++i) {
        const auto& [index, value] = point.coefficients[i];
        out << (i ? ", " : "") << "{\"index\": " << index
            << ", \"feature\": " << json_escape(result.feature_names[index])
            << ", \"coef\": " << json_number(value) << "}";
      }
      out << "]}";
    }
    out << "\n  ]\n}\n";
    write_file_atomically(directory / "path.json", out.str());
  }
};

void register_json(Registry& registry) { registry.add<Writer, JsonWriter>("json", JsonWriter::schema()); }

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-writer-json", sparsepath::plugins::register_json)
