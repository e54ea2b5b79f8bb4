#include "sparsepath/core/memory.hpp"

#include <gnu/libc-version.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

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

namespace {

constexpr const char* restart_marker = "SPARSEPATH_HUGE_PAGES_RESTARTED";

// The kernel's THP mode: the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled.
std::string kernel_huge_page_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!in || !std::getline(in, line)) return "unavailable";
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "unavailable";
  return line.substr(open + 1, close - open - 1);
}

bool tunable_set() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return tunables != nullptr && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr;
}

bool glibc_has_hugetlb_tunable() {
  int major = 0, minor = 0;
  if (std::sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) != 2) return false;
  return major > 2 || (major == 2 && minor >= 35);
}

bool opted_out() {
  const char* choice = std::getenv("SPARSEPATH_HUGE_PAGES");
  return choice != nullptr && std::strcmp(choice, "0") == 0;
}

bool under_valgrind() {
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "vgpreload") != nullptr;
}

}  // namespace

void restart_with_malloc_huge_pages(char** argv) {
  if (std::getenv(restart_marker) != nullptr) {
    unsetenv(restart_marker);  // restarted already: this process keeps its tunables
    return;
  }
  if (opted_out() || tunable_set() || under_valgrind() || !glibc_has_hugetlb_tunable()) return;
  if (kernel_huge_page_mode() != "madvise") return;
  const char* previous = std::getenv("GLIBC_TUNABLES");
  const std::string saved = previous != nullptr ? previous : "";
  const std::string tunables = saved.empty() ? "glibc.malloc.hugetlb=1" : saved + ":glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0 || setenv(restart_marker, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc, say): carry on as started.
  if (previous != nullptr) {
    setenv("GLIBC_TUNABLES", saved.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
  unsetenv(restart_marker);
}

std::string malloc_huge_pages_state() {
  const std::string mode = kernel_huge_page_mode();
  if (mode == "always") return "kernel THP mode always";
  if (mode != "madvise") return "off (kernel THP mode " + mode + ")";
  if (tunable_set()) return "glibc.malloc.hugetlb (GLIBC_TUNABLES=" + std::string(std::getenv("GLIBC_TUNABLES")) + ")";
  if (opted_out()) return "off (SPARSEPATH_HUGE_PAGES=0)";
  if (!glibc_has_hugetlb_tunable()) return std::string("off (glibc ") + gnu_get_libc_version() + " has no malloc.hugetlb)";
  return "off (large buffers advised only)";
}

}  // namespace sparsepath
