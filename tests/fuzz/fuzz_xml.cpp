// libFuzzer target: the XML experiment reader.
#include "fuzz_input.hpp"
#include "sparsepath/config/run_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sparsepath::fuzz::InputFile input(data, size, ".xml");
  try {
    const sparsepath::RunSpec spec = sparsepath::read_run_spec_xml(input.path());
    (void)sparsepath::to_ini(spec, "fuzz");
  } catch (const sparsepath::Error&) {
  }
  return 0;
}
