// libFuzzer target: RunSpec validation. An INI experiment is read, --set style overrides taken
// from its own values are applied, and every framework section present is validated against its
// schema (types, ranges, unknown keys with suggestions, paths).
#include "fuzz_input.hpp"
#include "sparsepath/config/run_spec.hpp"
#include "sparsepath/path/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sparsepath::fuzz::InputFile input(data, size, ".ini");
  try {
    sparsepath::RunSpec spec = sparsepath::read_run_spec_ini(input.path());
    if (!spec.sections.empty() && !spec.sections.front().values.empty()) {
      const auto& [key, value] = *spec.sections.front().values.begin();
      sparsepath::apply_override(spec, spec.sections.front().role + "." + key + "=" + value);
      sparsepath::remove_key(spec, spec.sections.front().role + "." + key);
    }
    for (const sparsepath::Schema& schema : sparsepath::framework_schemas()) {
      const sparsepath::SectionSpec* section = spec.find(schema.name());
      if (section == nullptr) continue;
      try {
        (void)sparsepath::validate_params(schema, *section, spec.base_directory, {});
      } catch (const sparsepath::Error&) {
      }
    }
    (void)sparsepath::component_type(spec, "design");
  } catch (const sparsepath::Error&) {
  }
  return 0;
}
