#include "sparsepath/io/text_output.hpp"

#include "sparsepath/core/types.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace sparsepath {

std::string json_escape(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string format_17g(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

std::string json_number(double value) { return std::isfinite(value) ? format_17g(value) : "null"; }

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  std::filesystem::path temporary = file;
  temporary += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + temporary.string() + "': " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    const int failure = errno;
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw Error("writing '" + file.string() + "' failed: " + std::strerror(failure) + " (disk full?)");
    }
    out.close();
    if (!out) {
      const int closing = errno;
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw Error("writing '" + file.string() + "' failed: " + std::strerror(closing) + " (disk full?)");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw Error("cannot rename into '" + file.string() + "': " + error.message());
  }
}

namespace {

class Sha256 {
 public:
  Sha256() { reset(); }
  void update(const unsigned char* data, std::size_t length) {
    std::size_t i = 0;
    while (i < length) {
      if (block_length_ == 0 && length - i >= 64) {  // whole blocks straight from the input
        std::memcpy(block_, data + i, 64);
        transform();
        bit_length_ += 512;
        i += 64;
        continue;
      }
      const std::size_t take = std::min<std::size_t>(64 - block_length_, length - i);
      std::memcpy(block_ + block_length_, data + i, take);
      block_length_ += take;
      i += take;
      if (block_length_ == 64) {
        transform();
        bit_length_ += 512;
        block_length_ = 0;
      }
    }
  }
  std::string hex() {
    std::uint64_t total_bits = bit_length_ + block_length_ * 8;
    std::size_t i = block_length_;
    block_[i++] = 0x80;
    if (i > 56) {
      while (i < 64) block_[i++] = 0;
      transform();
      i = 0;
    }
    while (i < 56) block_[i++] = 0;
    for (int k = 7; k >= 0; --k) block_[i++] = static_cast<unsigned char>(total_bits >> (8 * k));
    transform();
    char buffer[65];
    for (int k = 0; k < 8; ++k) std::snprintf(buffer + 8 * k, 9, "%08x", state_[k]);
    return std::string(buffer, 64);
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void reset() {
    static const std::uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::memcpy(state_, initial, sizeof(state_));
  }
  void transform() {
    static const std::uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::uint32_t m[64];
    for (int i = 0; i < 16; ++i) {
      m[i] = (std::uint32_t(block_[4 * i]) << 24) | (std::uint32_t(block_[4 * i + 1]) << 16) |
             (std::uint32_t(block_[4 * i + 2]) << 8) | std::uint32_t(block_[4 * i + 3]);
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(m[i - 15], 7) ^ rotr(m[i - 15], 18) ^ (m[i - 15] >> 3);
      const std::uint32_t s1 = rotr(m[i - 2], 17) ^ rotr(m[i - 2], 19) ^ (m[i - 2] >> 10);
      m[i] = m[i - 16] + s0 + m[i - 7] + s1;
    }
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4],
                  f = state_[5], g = state_[6], h = state_[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + m[i];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    state_[0] += a; state_[1] += b; state_[2] += c; state_[3] += d;
    state_[4] += e; state_[5] += f; state_[6] += g; state_[7] += h;
  }
  unsigned char block_[64] = {};
  std::size_t block_length_ = 0;
  std::uint64_t bit_length_ = 0;
  std::uint32_t state_[8] = {};
};

}  // namespace

std::string sha256(std::string_view data) {
  Sha256 hasher;
  hasher.update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hasher.hex();
}

std::string sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot open '" + file.string() + "' to hash it");
  Sha256 hasher;
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.update(reinterpret_cast<const unsigned char*>(buffer.data()), static_cast<std::size_t>(in.gcount()));
  }
  return hasher.hex();
}

}  // namespace sparsepath
