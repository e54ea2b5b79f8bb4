// Large numeric buffers on transparent huge pages.
#pragma once

#include "sparsepath/core/types.hpp"

#include <cstddef>
#include <string>

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

// Huge pages for every allocation of the process, the many mid-sized vectors (p or n entries)
// included, which advise_huge_pages cannot reach: glibc (2.35 on) backs malloc's memory with
// transparent huge pages when started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, and tunables
// are read only at process start. So, called first thing in main, this re-executes the program
// (/proc/self/exe, same arguments) with that tunable added, when all of these hold: the kernel's
// THP mode is "madvise" (with "always" there is nothing to gain, with "never" nothing to get),
// glibc is 2.35 or later, the tunable is not set already, SPARSEPATH_HUGE_PAGES is not "0", and
// the process does not run under valgrind. Returns (and changes nothing) otherwise or if the exec
// fails. Measured (1 thread, medians of 5-9): fit times 3-10% lower on the benchmark cases.
SPARSEPATH_INTERFACE void restart_with_malloc_huge_pages(char** argv);

// How this process's malloc memory is paged, for the manifest: "glibc.malloc.hugetlb=1",
// "off (SPARSEPATH_HUGE_PAGES=0)", "kernel THP mode always", ...
SPARSEPATH_INTERFACE std::string malloc_huge_pages_state();

}  // namespace sparsepath
