// libFuzzer target: the INI experiment reader, and writing what it read back as INI.
#include "fuzz_input.hpp"
#include "sparsepath/config/run_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sparsepath::fuzz::InputFile input(data, size, ".ini");
  try {
    const sparsepath::RunSpec spec = sparsepath::read_run_spec_ini(input.path());
    (void)sparsepath::to_ini(spec, "fuzz");
  } catch (const sparsepath::Error&) {
  }
  return 0;
}
