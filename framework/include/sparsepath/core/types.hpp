// Basic numeric types, status codes and the usage-error exception shared by every component.
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#if defined(__GNUC__)
#define SPARSEPATH_INTERFACE __attribute__((visibility("default")))
#else
#define SPARSEPATH_INTERFACE
#endif

namespace sparsepath {

using Index = Eigen::Index;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;
using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using VecIn = Eigen::Ref<const Vector>;
using VecOut = Eigen::Ref<Vector>;

// Outcome of a solve. Exceptions are reserved for usage errors found before solving.
enum class Status { ok, not_converged, numerical_issue, invalid_input, unsupported, interrupted };

std::string_view to_string(Status status);

struct Outcome {
  Status status = Status::ok;
  std::string message;
  bool ok() const { return status == Status::ok; }
};

// A usage error: bad configuration, bad data, incompatible components. The message must name
// the file/line or key, the offending value and what was expected.
// Its vtable lives in the core library (out-of-line destructor), so an Error thrown by a plugin
// stays valid after the plugin is unloaded.
class SPARSEPATH_INTERFACE Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~Error() override;
};

}  // namespace sparsepath
