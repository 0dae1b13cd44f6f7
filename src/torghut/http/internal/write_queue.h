// The ordered write queue of one streaming connection — a WebSocket or a Server-Sent Events
// response: messages go out one at a time, in the order they were queued, and the bytes not yet
// written tell how far a slow reader is behind.
//
//   queue_.Count(text.size());                    // any thread, before posting to the strand
//   post(strand, [..] { queue_.Push(std::move(text)); WriteNext(); });
//   void WriteNext() {                            // on the strand
//     queue_.WriteNext([&](auto buffer, auto done) { ws_.async_write(buffer, std::move(done)); },
//                      [self](error_code ec) { if (ec) return self->DropNow(); self->WriteNext();
//                      });
//   }
//
// A WebSocket message may be binary (Push(bytes, /*binary=*/true)); the writer asks front_binary()
// before each write. Only Count() and QueuedBytes() are thread-safe; everything else runs on the
// connection's strand.
// (Asio headers only, no Beast.)
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

namespace torghut::http::internal {

class WriteQueue {
 public:
  // Counts a message about to be posted to the strand, so QueuedBytes() includes it at once.
  void Count(size_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  size_t QueuedBytes() const { return bytes_.load(std::memory_order_relaxed); }

  // Appends a message already counted with Count().
  void Push(std::string message, bool binary = false) {
    queue_.push_back({std::move(message), binary});
  }
  // Puts a message ahead of everything queued (a response header), counting it.
  void PushFront(std::string message) {
    Count(message.size());
    queue_.push_front({std::move(message), false});
  }
  bool empty() const { return queue_.empty(); }
  // The message WriteNext() writes next is binary (a WebSocket binary frame).
  bool front_binary() const { return !queue_.empty() && queue_.front().binary; }
  bool writing() const { return writing_; }

  // Starts writing the front message with `async_write(buffer, handler)` — the stream's own async
  // write — unless a write is in flight or nothing is queued (then false). Once it completes, the
  // message leaves the queue and `on_written(error_code)` runs; it must keep the connection alive
  // (hold its shared_ptr), which keeps this queue alive too.
  template <class AsyncWrite, class OnWritten>
  bool WriteNext(AsyncWrite&& async_write, OnWritten on_written) {
    if (writing_ || queue_.empty()) return false;
    writing_ = true;
    async_write(boost::asio::buffer(queue_.front().bytes),
                [this, on_written = std::move(on_written)](const boost::system::error_code& ec,
                                                           size_t) mutable {
                  writing_ = false;
                  bytes_.fetch_sub(queue_.front().bytes.size(), std::memory_order_relaxed);
                  queue_.pop_front();
                  on_written(ec);
                });
    return true;
  }

 private:
  struct Message {
    std::string bytes;
    bool binary = false;
  };
  std::deque<Message> queue_;
  std::atomic<size_t> bytes_{0};
  bool writing_ = false;
};

}  // namespace torghut::http::internal
