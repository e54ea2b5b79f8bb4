// Implicit pairwise-interaction design: the p (standardized) data columns, then every product
// x_i o x_k (i < k, in lexicographic order), or only the pairs an `include` list names. The
// products are never stored: every column operation forms them on the fly, so memory stays O(n p)
// (p = 2000 gives about two million features). The full gradient X^T v, the cost that matters,
// is computed group by group: for each i, u = x_i o v once, then one gemv X[:, i+1:]^T u gives
// every pair (i, k > i) -- n p^2 / 2 multiply-adds read through BLAS, split across threads by i
// (each output entry is computed by one thread, so results do not depend on the thread count).
#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <cmath>
#include <map>
#include <thread>

namespace sparsepath::plugins {

class PairwiseInteractions final : public Design {
 public:
  explicit PairwiseInteractions(const Params& params) {
    if (params.has("include")) include_ = params.text_list("include");
  }
  static Schema schema() {
    return Schema("pairwise_interactions",
                  "Main effects plus all pairwise products x_i o x_k of the standardized columns, "
                  "computed on the fly (never stored); features named 'a:b'")
        .text_list("include", std::nullopt,
                   "only these interactions, as 'a:b' with two column names (default: every pair)");
  }

  Outcome bind(const DataMatrix& data) override {
    if (data.dense == nullptr) {
      return {Status::invalid_input, "design 'pairwise_interactions' needs dense data; this data set is sparse"};
    }
    x_ = data.dense;
    names_ = data.names;
    const Index p = x_->cols();
    first_.clear();
    second_.clear();
    all_pairs_ = include_.empty();
    if (all_pairs_) {
      const double count = 0.5 * static_cast<double>(p) * static_cast<double>(p - 1);
      if (count > 2.0e9) {
        return {Status::invalid_input, "design 'pairwise_interactions': " + std::to_string(p) +
                                           " columns give " + format_real(count) + " pairs; at most 2e9 are supported"};
      }
      pairs_ = p * (p - 1) / 2;
      return {};
    }
    std::map<std::string, Index> column_of;
    for (Index j = 0; j < p; ++j) column_of[(*names_)[static_cast<std::size_t>(j)]] = j;
    std::map<std::pair<Index, Index>, std::string> seen;
    for (const std::string& item : include_) {
      const auto colon = item.find(':');
      const auto left = colon == std::string::npos ? column_of.end() : column_of.find(item.substr(0, colon));
      const auto right = colon == std::string::npos ? column_of.end() : column_of.find(item.substr(colon + 1));
      if (left == column_of.end() || right == column_of.end() || left->second == right->second) {
        return {Status::invalid_input, "design.include: '" + item +
                                           "' is not 'a:b' with two different column names of the data"};
      }
      const Index i = std::min(left->second, right->second), k = std::max(left->second, right->second);
      if (!seen.emplace(std::make_pair(i, k), item).second) {
        return {Status::invalid_input, "design.include: '" + item + "' repeats '" + seen[{i, k}] + "'"};
      }
    }
    for (const auto& [pair, item] : seen) {  // lexicographic order, like the full set
      first_.push_back(pair.first);
      second_.push_back(pair.second);
    }
    pairs_ = static_cast<Index>(first_.size());
    return {};
  }

  Index rows() const override { return x_->rows(); }
  Index cols() const override { return x_->cols() + pairs_; }
  FeatureOrigin origin(Index j) const override {
    const Index p = x_->cols();
    if (j < p) return {j, -1};
    const auto [i, k] = pair(j - p);
    return {i, k};
  }
  std::string feature_name(Index j) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) return (*names_)[static_cast<std::size_t>(j)];
    return (*names_)[static_cast<std::size_t>(o.first)] + ":" + (*names_)[static_cast<std::size_t>(o.second)];
  }

  double col_dot(Index j, VecIn v) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) return blas::dot(rows(), x_->col(j).data(), v.data());
    return (x_->col(o.first).array() * x_->col(o.second).array() * v.array()).sum();
  }
  void col_axpy(Index j, double a, VecOut out) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) out.noalias() += a * x_->col(j);
    else out.array() += a * x_->col(o.first).array() * x_->col(o.second).array();
  }
  double col_sum(Index j) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) return x_->col(j).sum();
    return x_->col(o.first).dot(x_->col(o.second));
  }
  double col_weighted_sq_norm(Index j, VecIn h) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) return (x_->col(j).array().square() * h.array()).sum();
    return ((x_->col(o.first).array() * x_->col(o.second).array()).square() * h.array()).sum();
  }
  double col_sq_norm(Index j) const override {
    const FeatureOrigin o = origin(j);
    if (!o.is_product()) return x_->col(j).squaredNorm();
    return (x_->col(o.first).array() * x_->col(o.second).array()).square().sum();
  }

  // Pairs sharing their first parent i (consecutive when the columns ascend) reuse u = x_i o v,
  // so each costs one dot product instead of a three-way one.
  void col_dots(VecIn v, std::span<const Index> columns, double* out) const override {
    const Index n = rows(), p = x_->cols();
    Index current = -1;
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const Index j = columns[k];
      if (j < p) {
        out[k] = blas::dot(n, x_->col(j).data(), v.data());
        continue;
      }
      const auto [i, second] = pair(j - p);
      if (i != current) {
        scaled_ = x_->col(i).cwiseProduct(v);
        current = i;
      }
      out[k] = blas::dot(n, x_->col(second).data(), scaled_.data());
    }
  }

  void gemv_t(VecIn v, VecOut out) const override {
    const Index n = rows(), p = x_->cols();
    blas::gemv_t(*x_, v.data(), out.data());
    if (!all_pairs_) {
      for (Index k = 0; k < pairs_; ++k) {
        out[p + k] = (x_->col(first_[static_cast<std::size_t>(k)]).array() *
                      x_->col(second_[static_cast<std::size_t>(k)]).array() * v.array()).sum();
      }
      return;
    }
    // Group i's pairs occupy out[p + offset(i) .. + p - i - 1). Threads take whole groups, with
    // the work (p - i - 1 columns each) balanced by cutting the cumulative count.
    auto groups = [&](Index begin, Index end) {
      Vector scaled(n);
      for (Index i = begin; i < end; ++i) {
        const Index count = p - i - 1;
        if (count <= 0) continue;
        scaled = x_->col(i).cwiseProduct(v);
        blas::gemv_t(n, count, x_->col(i + 1).data(), n, scaled.data(), out.data() + p + offset(i));
      }
    };
    const Index parts = std::max<Index>(1, std::min<Index>(blas::threads(), p / 8));
    if (parts < 2) {
      groups(0, p);
      return;
    }
    std::vector<std::thread> workers;
    Index begin = 0;
    for (Index part = 0; part < parts; ++part) {
      Index end = begin;
      const double target = static_cast<double>(pairs_) * static_cast<double>(part + 1) / static_cast<double>(parts);
      while (end < p && static_cast<double>(offset(end)) < target) ++end;
      if (part + 1 == parts) end = p;
      if (part + 1 == parts) groups(begin, end);
      else workers.emplace_back(groups, begin, end);
      begin = end;
    }
    for (std::thread& worker : workers) worker.join();
  }

  void gemv(VecIn w, VecOut out) const override {
    const Index p = x_->cols();
    out.setZero();
    for (Index j = 0; j < p; ++j) {
      if (w[j] != 0.0) out.noalias() += w[j] * x_->col(j);
    }
    for (Index k = 0; k < pairs_; ++k) {
      if (w[p + k] != 0.0) col_axpy(p + k, w[p + k], out);
    }
  }

 private:
  // First pair of group i in the full lexicographic order: i (2p - i - 1) / 2.
  Index offset(Index i) const {
    const Index p = x_->cols();
    return i * (2 * p - i - 1) / 2;
  }
  std::pair<Index, Index> pair(Index k) const {
    if (!all_pairs_) return {first_[static_cast<std::size_t>(k)], second_[static_cast<std::size_t>(k)]};
    // The group i with offset(i) <= k < offset(i + 1): the floating estimate, then corrected.
    const double p = static_cast<double>(x_->cols());
    Index i = static_cast<Index>(std::floor(p - 0.5 - std::sqrt((p - 0.5) * (p - 0.5) - 2.0 * static_cast<double>(k))));
    i = std::max<Index>(0, std::min<Index>(i, x_->cols() - 2));
    while (i > 0 && offset(i) > k) --i;
    while (i + 1 < x_->cols() - 1 && offset(i + 1) <= k) ++i;
    return {i, i + 1 + (k - offset(i))};
  }

  std::vector<std::string> include_;
  const Matrix* x_ = nullptr;
  const std::vector<std::string>* names_ = nullptr;
  bool all_pairs_ = true;
  Index pairs_ = 0;
  std::vector<Index> first_, second_;
  mutable Vector scaled_;
};

void register_pairwise_interactions(Registry& registry) {
  registry.add<Design, PairwiseInteractions>("pairwise_interactions", PairwiseInteractions::schema());
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-design-pairwise-interactions", sparsepath::plugins::register_pairwise_interactions)
