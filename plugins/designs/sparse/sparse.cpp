// Sparse (compressed sparse column) design. Columns are scaled but never centred, so sparsity
// is kept; the intercept absorbs the centring.
#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

namespace sparsepath::plugins {

class SparseDesign final : public Design {
 public:
  explicit SparseDesign(const Params&) {}
  static Schema schema() {
    return Schema("sparse", "Compressed sparse column feature matrix (default for LIBSVM and "
                            "Matrix Market data)");
  }
  Capability capabilities() const override { return Capability::sparse_columns; }
  Outcome bind(const DataMatrix& data) override {
    if (data.sparse == nullptr) {
      return {Status::invalid_input, "design 'sparse' needs sparse data; this data set is dense "
                                     "(use [design] type = dense)"};
    }
    matrix_ = data.sparse;
    names_ = data.names;
    return {};
  }
  Index rows() const override { return matrix_->rows(); }
  Index cols() const override { return matrix_->cols(); }
  std::string feature_name(Index j) const override { return (*names_)[j]; }
  double col_dot(Index j, VecIn v) const override { return blas::sparse_column_dot(*matrix_, j, v.data()); }
  void col_axpy(Index j, double a, VecOut out) const override {
    for (SparseMatrix::InnerIterator it(*matrix_, j); it; ++it) out[it.index()] += a * it.value();
  }
  double col_sum(Index j) const override {
    double total = 0.0;
    for (SparseMatrix::InnerIterator it(*matrix_, j); it; ++it) total += it.value();
    return total;
  }
  double col_weighted_sq_norm(Index j, VecIn h) const override {
    double total = 0.0;
    for (SparseMatrix::InnerIterator it(*matrix_, j); it; ++it) {
      total += h[it.index()] * it.value() * it.value();
    }
    return total;
  }
  double col_sq_norm(Index j) const override { return matrix_->col(j).squaredNorm(); }
  void gemv_t(VecIn v, VecOut out) const override {
    for (Index j = 0; j < matrix_->cols(); ++j) out[j] = blas::sparse_column_dot(*matrix_, j, v.data());
  }
  void col_dots(VecIn v, std::span<const Index> columns, double* out) const override {
    for (std::size_t k = 0; k < columns.size(); ++k) out[k] = blas::sparse_column_dot(*matrix_, columns[k], v.data());
  }
  void gemv(VecIn w, VecOut out) const override { out.noalias() = *matrix_ * w; }
  const SparseMatrix* sparse_view() const override { return matrix_; }

 private:
  const SparseMatrix* matrix_ = nullptr;
  const std::vector<std::string>* names_ = nullptr;
};

void register_sparse(Registry& registry) {
  registry.add<Design, SparseDesign>("sparse", SparseDesign::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-design-sparse", sparsepath::plugins::register_sparse)
