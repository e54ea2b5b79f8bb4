// The build fingerprint, computed by the compiler of each translation unit that includes it:
// a plugin and the host agree only when they were built with the same toolchain and settings.
#pragma once

#include <Eigen/Core>
#include <boost/version.hpp>

#define SPARSEPATH_STRINGIFY_IMPL(x) #x
#define SPARSEPATH_STRINGIFY(x) SPARSEPATH_STRINGIFY_IMPL(x)

#ifdef NDEBUG
#define SPARSEPATH_BUILD_NDEBUG "1"
#else
#define SPARSEPATH_BUILD_NDEBUG "0"
#endif

#ifndef SPARSEPATH_VERSION
#define SPARSEPATH_VERSION "0.0.0-unknown"
#endif

#if defined(__clang__)
#define SPARSEPATH_BUILD_COMPILER "clang-" __clang_version__
#elif defined(__GNUC__)
#define SPARSEPATH_BUILD_COMPILER "gcc-" __VERSION__
#else
#define SPARSEPATH_BUILD_COMPILER "unknown"
#endif

#ifdef SPARSEPATH_BUILD_ID_OVERRIDE  // only for the tests that build a mismatching plugin
#define SPARSEPATH_BUILD_ID SPARSEPATH_BUILD_ID_OVERRIDE
#else
#define SPARSEPATH_BUILD_ID                                                                   \
  SPARSEPATH_BUILD_COMPILER                                                                   \
  ";cxx11abi=" SPARSEPATH_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)                                   \
  ";eigen=" SPARSEPATH_STRINGIFY(EIGEN_WORLD_VERSION) "." SPARSEPATH_STRINGIFY(               \
      EIGEN_MAJOR_VERSION) "." SPARSEPATH_STRINGIFY(EIGEN_MINOR_VERSION)                      \
  ";eigen_align=" SPARSEPATH_STRINGIFY(EIGEN_MAX_ALIGN_BYTES)                                 \
  ";boost=" SPARSEPATH_STRINGIFY(BOOST_VERSION) ";ndebug=" SPARSEPATH_BUILD_NDEBUG
#endif
