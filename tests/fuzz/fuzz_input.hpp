// Shared by the libFuzzer targets: the input bytes as a file (the readers take paths), and the
// rule every target enforces: bad input may only raise sparsepath::Error; any other exception,
// crash or sanitizer report is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace sparsepath::fuzz {

// A file in /dev/shm (or /tmp) holding the bytes, removed when the object goes.
class InputFile {
 public:
  InputFile(const std::uint8_t* data, std::size_t size, const char* suffix) {
    const std::filesystem::path folder = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    path_ = folder / ("sparsepath-fuzz-" + std::to_string(::getpid()) + suffix);
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  ~InputFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sparsepath::fuzz
