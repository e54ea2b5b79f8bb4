// Large numeric buffers on transparent huge pages.
#pragma once

#include "sparsepath/core/types.hpp"

#include <cstddef>

namespace sparsepath {

// Asks the kernel to back the 2 MiB-aligned interior of [data, data + bytes) with transparent
// huge pages (madvise MADV_HUGEPAGE), for buffers of 4 MiB or more; pages touched afterwards are
// then faulted in 2 MiB at a time. On Debian the default THP mode is "madvise": without the
// advice a process gets 4 KiB pages, and passes that visit scattered columns of an 80 MB design
// miss the TLB at nearly every column. A no-op where unsupported; never an error (it is advice).
SPARSEPATH_INTERFACE void advise_huge_pages(void* data, std::size_t bytes);

// Resizes a dense matrix and advises its storage before anything is written to it.
template <class DenseMatrix>
void resize_on_huge_pages(DenseMatrix& matrix, Index rows, Index cols) {
  matrix.resize(rows, cols);
  advise_huge_pages(matrix.data(), static_cast<std::size_t>(matrix.size()) * sizeof(typename DenseMatrix::Scalar));
}

// Moves a compressed sparse matrix's arrays into freshly allocated, advised storage (a copy of
// its values and indices; nothing is recomputed).
SPARSEPATH_INTERFACE void move_to_huge_pages(SparseMatrix& matrix);

}  // namespace sparsepath
