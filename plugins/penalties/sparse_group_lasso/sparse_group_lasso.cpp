// The sparse-group lasso (Simon et al. 2013) and the group lasso, on glmnet's scale:
//   lambda * ( alpha ||w||_1 + (1 - alpha) sum_g omega_g ||w_g||_2 ),   omega_g = sqrt(|g|) by default,
// with alpha = 0 for group_lasso. Separable over groups, not over features: the penalty exposes
// its blocks, the exact block prox, the block dual norm (an epsilon-norm, MATH.md 3.4) and the
// gap-safe sphere test of Ndiaye et al. (2016) (MATH.md 4.3).
#include "epsilon_norm.hpp"

#include "sparsepath/core/registry.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/plugin/abi.hpp"

#include <cmath>
#include <fstream>
#include <map>

namespace sparsepath::plugins {

namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();

Schema group_keys(Schema schema) {
  return schema
      .path("groups", std::nullopt,
            "file with one group label per line, one line per feature in column order; labels are "
            "any strings ('#' starts a comment line). Exactly one of groups / group_labels")
      .text_list("group_labels", std::nullopt,
                 "the same labels given in the config, one per feature in column order")
      .choice_or_path("group_weights", "sqrt_size", {"sqrt_size", "one"},
                      "omega_g: sqrt_size (sqrt of the group's size), one, or a file with one line "
                      "'label weight' per group (weights > 0)");
}
}  // namespace

struct SparseGroupLassoOptions {
  double alpha = 0.5;
  std::string groups_file;
  std::vector<std::string> group_labels;
  std::string weights;  // "sqrt_size", "one" or a file
  bool is_valid(std::string* why) const {
    if (groups_file.empty() == group_labels.empty()) {
      if (why) *why = "penalty: give exactly one of 'groups' (a file) and 'group_labels' (a list)";
      return false;
    }
    return true;
  }
};

class SparseGroupLasso final : public Penalty {
 public:
  SparseGroupLasso(const Params& params, bool group_only) {
    options_.alpha = group_only ? 0.0 : params.real("alpha");
    if (params.has("groups")) options_.groups_file = params.text("groups");
    if (params.has("group_labels")) options_.group_labels = params.text_list("group_labels");
    options_.weights = params.text("group_weights");
    std::string why;
    if (!options_.is_valid(&why)) throw Error(why);
  }

  static Schema sparse_group_lasso_schema() {
    return group_keys(Schema("sparse_group_lasso",
                             "lambda (alpha ||beta||_1 + (1 - alpha) sum_g omega_g ||beta_g||_2) "
                             "(standardized scale), Simon et al.'s alpha")
                          .real("alpha", 0.5, "mix between the l1 (alpha = 1) and group (alpha = 0) parts",
                                closed(0.0, 1.0)));
  }
  static Schema group_lasso_schema() {
    return group_keys(Schema("group_lasso", "lambda sum_g omega_g ||beta_g||_2 (standardized scale)"));
  }

  Capability capabilities() const override {
    return Capability::block_prox | Capability::dual_point | Capability::zero_subdifferential;
  }

  Outcome bind(const PenaltyContext& context) override {
    const Index p = context.features;
    std::vector<std::string> labels = read_labels(context);
    std::map<std::string, Index> index_of;
    std::vector<std::string> names;
    std::vector<std::vector<Index>> members;
    for (Index j = 0; j < p; ++j) {
      auto [at, inserted] = index_of.emplace(labels[static_cast<std::size_t>(j)], static_cast<Index>(names.size()));
      if (inserted) {
        names.push_back(labels[static_cast<std::size_t>(j)]);
        members.emplace_back();
      }
      members[static_cast<std::size_t>(at->second)].push_back(j);
    }
    blocks_ = BlockStructure{};
    blocks_.block_of.assign(static_cast<std::size_t>(p), 0);
    for (std::size_t g = 0; g < members.size(); ++g) {
      for (Index j : members[g]) {
        blocks_.members.push_back(j);
        blocks_.block_of[static_cast<std::size_t>(j)] = static_cast<Index>(g);
      }
      blocks_.offsets.push_back(static_cast<Index>(blocks_.members.size()));
    }
    weights_.resize(static_cast<Index>(members.size()));
    if (options_.weights == "sqrt_size" || options_.weights == "one") {
      for (std::size_t g = 0; g < members.size(); ++g) {
        weights_[static_cast<Index>(g)] =
            options_.weights == "one" ? 1.0 : std::sqrt(static_cast<double>(members[g].size()));
      }
    } else {
      read_weights(options_.weights, index_of, names);
    }
    return {};
  }

  void set_lambda(double lambda) override { lambda_ = lambda; }
  double lambda() const override { return lambda_; }
  const BlockStructure* blocks() const override { return &blocks_; }

  double value(VecIn w) const override {
    double total = 0.0;
    for (Index g = 0; g < blocks_.count(); ++g) {
      double absolute = 0.0, squares = 0.0;
      for (Index j : blocks_.block(g)) {
        absolute += std::abs(w[j]);
        squares += w[j] * w[j];
      }
      total += alpha() * absolute + (1.0 - alpha()) * weights_[g] * std::sqrt(squares);
    }
    return lambda_ * total;
  }
  double value_on(VecIn w, std::span<const Index> subset) const override {
    double total = 0.0;
    for_each_touched_block(subset, [&](Index g, std::span<const Index> members) {
      double absolute = 0.0, squares = 0.0;
      for (Index j : members) {
        absolute += std::abs(w[j]);
        squares += w[j] * w[j];
      }
      total += alpha() * absolute + (1.0 - alpha()) * weights_[g] * std::sqrt(squares);
    });
    return lambda_ * total;
  }

  double lambda_max(VecIn c0) const override { return largest_dual_norm(c0); }

  void prox_block(Index g, std::span<const Index> members, VecIn v, double step, VecOut out) const override {
    // a = S_{step lambda alpha}(v), then the group shrinkage of a (MATH.md 3.4).
    const double l1 = step * lambda_ * alpha();
    double squares = 0.0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const double x = v[static_cast<Index>(k)];
      const double shrunk = x > l1 ? x - l1 : (x < -l1 ? x + l1 : 0.0);
      out[static_cast<Index>(k)] = shrunk;
      squares += shrunk * shrunk;
    }
    const double norm = std::sqrt(squares);
    const double group = step * lambda_ * (1.0 - alpha()) * weights_[g];
    const double factor = norm > group ? 1.0 - group / norm : 0.0;
    for (std::size_t k = 0; k < members.size(); ++k) out[static_cast<Index>(k)] *= factor;
  }

  double block_dual_norm(Index g, std::span<const Index> members, VecIn c) const override {
    return epsilon_norm(c, static_cast<long>(members.size()), alpha(), (1.0 - alpha()) * weights_[g], scratch_);
  }

  // Every c' within `radius` of the centre has ||S_{lambda alpha}(c')||_2 < lambda (1 - alpha) omega_g
  // (MATH.md 4.3): S is 1-Lipschitz, and when ||centre||_inf <= lambda alpha the shrinkage of
  // centre + delta is at most (||delta|| - (lambda alpha - ||centre||_inf))_+.
  bool block_zero_certain(Index g, std::span<const Index> members, VecIn centre, double radius) const override {
    const double threshold = lambda_ * alpha();
    const double limit = lambda_ * (1.0 - alpha()) * weights_[g];
    double largest = 0.0, squares = 0.0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const double x = std::abs(centre[static_cast<Index>(k)]);
      largest = std::max(largest, x);
      if (x > threshold) squares += (x - threshold) * (x - threshold);
    }
    // alpha = 1: the zero set is the box |c_i| <= lambda, and the sphere must sit strictly inside.
    if (limit == 0.0) return largest + radius < threshold;
    double bound = std::sqrt(squares) + radius;
    if (largest <= threshold) bound = std::min(bound, std::max(0.0, largest + radius - threshold));
    return bound < limit;
  }

  // Inside a nonzero group a zero coordinate is optimal iff |x_j^T rho| <= lambda alpha; that is
  // also the feature-level safe test (a group at zero has every coordinate at zero anyway).
  Interval zero_subdifferential(Index) const override {
    const double l1 = lambda_ * alpha();
    return Interval{-l1, l1};
  }

  double dual_scaling(VecIn c) const override {
    const double norm = largest_dual_norm(c);
    return norm > lambda_ ? lambda_ / norm : 1.0;
  }
  double dual_scaling_on(VecIn c, std::span<const Index> subset) const override {
    double norm = 0.0;
    for_each_touched_block(subset, [&](Index g, std::span<const Index> members) {
      gathered_.resize(members.size());
      for (std::size_t k = 0; k < members.size(); ++k) gathered_[k] = c[members[k]];
      norm = std::max(norm, epsilon_norm(gathered_, static_cast<long>(members.size()), alpha(),
                                         (1.0 - alpha()) * weights_[g], scratch_));
    });
    return norm > lambda_ ? lambda_ / norm : 1.0;
  }
  // A norm's conjugate is the indicator of its dual ball (with a rounding allowance: the scaled
  // point sits on the boundary up to the last bits).
  double conjugate(VecIn c) const override {
    return largest_dual_norm(c) <= lambda_ * (1.0 + 1e-12) ? 0.0 : infinity;
  }
  double conjugate_on(VecIn c, double scale, std::span<const Index> subset) const override {
    double norm = 0.0;
    for_each_touched_block(subset, [&](Index g, std::span<const Index> members) {
      gathered_.resize(members.size());
      for (std::size_t k = 0; k < members.size(); ++k) gathered_[k] = scale * c[members[k]];
      norm = std::max(norm, epsilon_norm(gathered_, static_cast<long>(members.size()), alpha(),
                                         (1.0 - alpha()) * weights_[g], scratch_));
    });
    return norm <= lambda_ * (1.0 + 1e-12) ? 0.0 : infinity;
  }

 private:
  double alpha() const { return options_.alpha; }

  double largest_dual_norm(VecIn c) const {
    double norm = 0.0;
    for (Index g = 0; g < blocks_.count(); ++g) {
      const auto members = blocks_.block(g);
      gathered_.resize(members.size());
      for (std::size_t k = 0; k < members.size(); ++k) gathered_[k] = c[members[k]];
      norm = std::max(norm, epsilon_norm(gathered_, static_cast<long>(members.size()), alpha(),
                                         (1.0 - alpha()) * weights_[g], scratch_));
    }
    return norm;
  }

  // Calls visit(g, members of g inside subset) once for every block the subset touches.
  template <class Visit>
  void for_each_touched_block(std::span<const Index> subset, Visit visit) const {
    const std::size_t p = blocks_.block_of.size();
    if (in_subset_.size() != p) in_subset_.assign(p, 0);
    if (block_seen_.size() != static_cast<std::size_t>(blocks_.count())) block_seen_.assign(static_cast<std::size_t>(blocks_.count()), 0);
    touched_.clear();
    for (Index j : subset) {
      in_subset_[static_cast<std::size_t>(j)] = 1;
      const Index g = blocks_.block_of[static_cast<std::size_t>(j)];
      if (!block_seen_[static_cast<std::size_t>(g)]) {
        block_seen_[static_cast<std::size_t>(g)] = 1;
        touched_.push_back(g);
      }
    }
    for (Index g : touched_) {
      selected_.clear();
      for (Index j : blocks_.block(g)) {
        if (in_subset_[static_cast<std::size_t>(j)]) selected_.push_back(j);
      }
      visit(g, std::span<const Index>(selected_));
      block_seen_[static_cast<std::size_t>(g)] = 0;
    }
    for (Index j : subset) in_subset_[static_cast<std::size_t>(j)] = 0;
  }

  std::vector<std::string> read_labels(const PenaltyContext& context) const {
    const Index p = context.features;
    auto feature = [&](Index j) {
      return "feature " + std::to_string(j + 1) +
             (context.names.empty() ? std::string() : " ('" + context.names[static_cast<std::size_t>(j)] + "')");
    };
    std::vector<std::string> labels;
    if (!options_.group_labels.empty()) {
      labels = options_.group_labels;
      if (static_cast<Index>(labels.size()) != p) {
        throw Error("penalty.group_labels has " + std::to_string(labels.size()) + " labels; expected one per feature (" +
                    std::to_string(p) + ")" +
                    (static_cast<Index>(labels.size()) < p ? "; " + feature(static_cast<Index>(labels.size())) + " is in no group" : ""));
      }
      return labels;
    }
    std::ifstream in(options_.groups_file);
    if (!in) throw Error(options_.groups_file + ": cannot open the groups file (penalty.groups)");
    std::string line;
    long line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      const std::string label(trim(line));
      if (!label.empty() && label[0] == '#') continue;
      const Index j = static_cast<Index>(labels.size());
      if (label.empty()) {
        throw Error(options_.groups_file + ":" + std::to_string(line_number) + ": empty group label" +
                    (j < p ? " for " + feature(j) : "") + "; expected one label per feature");
      }
      if (j >= p) {
        throw Error(options_.groups_file + ":" + std::to_string(line_number) + ": label '" + label +
                    "' beyond the last feature; expected " + std::to_string(p) + " labels (one per feature)");
      }
      labels.push_back(label);
    }
    if (static_cast<Index>(labels.size()) < p) {
      throw Error(options_.groups_file + ": " + std::to_string(labels.size()) + " group labels for " +
                  std::to_string(p) + " features; " + feature(static_cast<Index>(labels.size())) +
                  " and later are in no group (expected one label per feature)");
    }
    return labels;
  }

  void read_weights(const std::string& file, const std::map<std::string, Index>& index_of,
                    const std::vector<std::string>& names) {
    std::ifstream in(file);
    if (!in) {
      throw Error("penalty.group_weights = '" + file + "': expected sqrt_size, one, or a readable file");
    }
    std::vector<char> seen(names.size(), 0);
    std::string line;
    long line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      const std::string text(trim(line));
      if (text.empty() || text[0] == '#') continue;
      const std::vector<std::string> fields = split_list(text);  // comma or whitespace separated
      const std::string where = file + ":" + std::to_string(line_number) + ": ";
      if (fields.size() != 2 || !parse_real(fields[1]).has_value()) {
        throw Error(where + "'" + text + "'; expected 'label weight'");
      }
      const std::string& label = fields[0];
      const std::string& number = fields[1];
      const double weight = *parse_real(number);
      const auto found = index_of.find(label);
      if (found == index_of.end()) throw Error(where + "group '" + label + "' has no feature");
      if (!(weight > 0.0) || !std::isfinite(weight)) {
        throw Error(where + "weight of group '" + label + "' is " + number + "; expected a finite value > 0");
      }
      if (seen[static_cast<std::size_t>(found->second)]) throw Error(where + "group '" + label + "' given twice");
      seen[static_cast<std::size_t>(found->second)] = 1;
      weights_[found->second] = weight;
    }
    for (std::size_t g = 0; g < names.size(); ++g) {
      if (!seen[g]) throw Error(file + ": no weight for group '" + names[g] + "'");
    }
  }

  SparseGroupLassoOptions options_;
  BlockStructure blocks_;
  Vector weights_;
  double lambda_ = 0.0;
  mutable std::vector<double> scratch_, gathered_;
  mutable std::vector<char> in_subset_, block_seen_;
  mutable std::vector<Index> touched_, selected_;
};

void register_sparse_group_lasso(Registry& registry) {
  registry.add_entry(ComponentKind::penalty, "sparse_group_lasso", SparseGroupLasso::sparse_group_lasso_schema(),
                     [](const Params& params) {
                       return std::unique_ptr<Component>(new SparseGroupLasso(params, false));
                     });
  registry.add_entry(ComponentKind::penalty, "group_lasso", SparseGroupLasso::group_lasso_schema(),
                     [](const Params& params) {
                       return std::unique_ptr<Component>(new SparseGroupLasso(params, true));
                     });
}

}  // namespace sparsepath::plugins

SPARSEPATH_PLUGIN("sparsepath-penalty-sparse-group-lasso", sparsepath::plugins::register_sparse_group_lasso)
