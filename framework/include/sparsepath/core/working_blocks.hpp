// The working set grouped by the penalty's blocks, for optimizers that update a block at a time
// (block coordinate descent) or apply the penalty's prox block by block (proximal gradient).
// A separable penalty has one block per feature.
#pragma once

#include "sparsepath/core/interfaces.hpp"

#include <span>
#include <vector>

namespace sparsepath {

class WorkingBlocks {
 public:
  // Blocks in the order their first member appears in the working set; members in block order.
  void assign(const Penalty& penalty, std::span<const Index> working_set, Index features) {
    ids_.clear();
    offsets_.assign(1, 0);
    members_.clear();
    const BlockStructure* blocks = penalty.blocks();
    if (blocks == nullptr) {
      for (Index j : working_set) {
        ids_.push_back(j);
        members_.push_back(j);
        offsets_.push_back(static_cast<Index>(members_.size()));
      }
      return;
    }
    if (static_cast<Index>(in_set_.size()) != features) in_set_.assign(static_cast<std::size_t>(features), 0);
    if (static_cast<Index>(seen_.size()) != blocks->count()) seen_.assign(static_cast<std::size_t>(blocks->count()), 0);
    for (Index j : working_set) in_set_[static_cast<std::size_t>(j)] = 1;
    for (Index j : working_set) {
      const Index g = blocks->block_of[static_cast<std::size_t>(j)];
      if (seen_[static_cast<std::size_t>(g)]) continue;
      seen_[static_cast<std::size_t>(g)] = 1;
      ids_.push_back(g);
      for (Index member : blocks->block(g)) {
        if (in_set_[static_cast<std::size_t>(member)]) members_.push_back(member);
      }
      offsets_.push_back(static_cast<Index>(members_.size()));
    }
    for (Index j : working_set) in_set_[static_cast<std::size_t>(j)] = 0;
    for (Index g : ids_) seen_[static_cast<std::size_t>(g)] = 0;
  }
  Index count() const { return static_cast<Index>(ids_.size()); }
  Index id(Index k) const { return ids_[static_cast<std::size_t>(k)]; }  // the penalty's block number
  std::span<const Index> members(Index k) const {
    const auto begin = static_cast<std::size_t>(offsets_[static_cast<std::size_t>(k)]);
    const auto end = static_cast<std::size_t>(offsets_[static_cast<std::size_t>(k) + 1]);
    return {members_.data() + begin, end - begin};
  }
  // Every member of every block, in block order.
  std::span<const Index> all_members() const { return members_; }
  Index offset(Index k) const { return offsets_[static_cast<std::size_t>(k)]; }

 private:
  std::vector<Index> ids_, offsets_{0}, members_;
  std::vector<char> in_set_, seen_;
};

}  // namespace sparsepath
