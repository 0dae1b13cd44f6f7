// A growable ring buffer (FIFO with random access) that stops allocating once it has grown to its
// working size. Used for per-symbol bar and quote windows on the TA hot path.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace torghut::ta::internal {

template <typename T>
class Ring {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return slots_.size(); }

  // Index 0 is the oldest element.
  T& operator[](size_t i) { return slots_[(head_ + i) & mask_]; }
  const T& operator[](size_t i) const { return slots_[(head_ + i) & mask_]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(T v) {
    if (size_ == slots_.size()) Grow();
    slots_[(head_ + size_) & mask_] = std::move(v);
    ++size_;
  }
  void pop_back() { --size_; }
  void pop_front() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  // Inserts before position `pos` (0..size()); O(size - pos). Rare on the hot path.
  void insert(size_t pos, T v) {
    push_back(std::move(v));
    for (size_t i = size_ - 1; i > pos; --i) std::swap((*this)[i], (*this)[i - 1]);
  }
  void clear() { head_ = size_ = 0; }

 private:
  void Grow() {
    std::vector<T> bigger(slots_.empty() ? 4 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    slots_ = std::move(bigger);
    head_ = 0;
    mask_ = slots_.size() - 1;
  }
  std::vector<T> slots_;
  size_t head_ = 0, size_ = 0, mask_ = 0;
};

}  // namespace torghut::ta::internal
