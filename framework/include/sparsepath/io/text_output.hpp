// Small helpers for writing text outputs: JSON escaping, round-trip number formatting, and
// atomic file replacement (write to a temporary file, then rename).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sparsepath {

std::string json_escape(std::string_view text);        // with the surrounding quotes
std::string json_number(double value);                  // %.17g; null when not finite
std::string format_17g(double value);                   // %.17g (inf / nan spelled out)
// Writes `content` to `file` through a temporary file in the same folder and a rename.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);
std::string sha256_file(const std::filesystem::path& file);  // hex digest
std::string sha256(std::string_view data);

}  // namespace sparsepath
