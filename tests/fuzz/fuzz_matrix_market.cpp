// libFuzzer target: the Matrix Market reader. The first line of the input is the target file
// (values separated by ';'), the rest the matrix.
#include "fuzz_input.hpp"
#include "sparsepath/io/data_readers.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t* end = data + size;
  const std::uint8_t* newline = std::find(data, end, static_cast<std::uint8_t>('\n'));
  std::string target(data, newline);
  std::replace(target.begin(), target.end(), ';', '\n');
  const std::uint8_t* matrix = newline == end ? end : newline + 1;
  const sparsepath::fuzz::InputFile matrix_file(matrix, static_cast<std::size_t>(end - matrix), ".mtx");
  const sparsepath::fuzz::InputFile target_file(reinterpret_cast<const std::uint8_t*>(target.data()), target.size(), ".target");
  try {
    const sparsepath::DataSet set = sparsepath::read_matrix_market(matrix_file.path(), target_file.path());
    if (set.rows() != set.y.size()) __builtin_trap();
  } catch (const sparsepath::Error&) {
  }
  return 0;
}
