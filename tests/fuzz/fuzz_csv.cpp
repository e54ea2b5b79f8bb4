// libFuzzer target: the CSV reader (with and without a target column).
#include "fuzz_input.hpp"
#include "sparsepath/io/data_readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sparsepath::fuzz::InputFile input(data, size, ".csv");
  for (const char* target : {"y", ""}) {
    try {
      const sparsepath::DataSet set = sparsepath::read_csv(input.path(), target);
      if (set.rows() != set.y.size() && *target != '\0') __builtin_trap();  // a reader contract
    } catch (const sparsepath::Error&) {
    }
  }
  return 0;
}
