#include "sparsepath/core/memory.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

namespace sparsepath {

void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  if (data == nullptr || bytes < 2 * huge) return;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end <= begin) return;
  (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

void move_to_huge_pages(SparseMatrix& matrix) {
  matrix.makeCompressed();
  const Index nonzeros = matrix.nonZeros();
  if (static_cast<std::size_t>(nonzeros) * sizeof(double) < (std::size_t{4} << 20)) return;
  SparseMatrix copy(matrix.rows(), matrix.cols());
  copy.resizeNonZeros(nonzeros);
  advise_huge_pages(copy.valuePtr(), static_cast<std::size_t>(nonzeros) * sizeof(double));
  advise_huge_pages(copy.innerIndexPtr(), static_cast<std::size_t>(nonzeros) * sizeof(SparseMatrix::StorageIndex));
  std::copy(matrix.valuePtr(), matrix.valuePtr() + nonzeros, copy.valuePtr());
  std::copy(matrix.innerIndexPtr(), matrix.innerIndexPtr() + nonzeros, copy.innerIndexPtr());
  std::copy(matrix.outerIndexPtr(), matrix.outerIndexPtr() + matrix.outerSize() + 1, copy.outerIndexPtr());
  matrix.swap(copy);
}

}  // namespace sparsepath
