// libFuzzer target: the LIBSVM reader, with the feature count inferred and fixed.
#include "fuzz_input.hpp"
#include "sparsepath/io/data_readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sparsepath::fuzz::InputFile input(data, size, ".libsvm");
  for (sparsepath::Index features : {sparsepath::Index{0}, sparsepath::Index{5}}) {
    try {
      const sparsepath::DataSet set = sparsepath::read_libsvm(input.path(), features);
      if (set.rows() != set.y.size()) __builtin_trap();
    } catch (const sparsepath::Error&) {
    }
  }
  return 0;
}
