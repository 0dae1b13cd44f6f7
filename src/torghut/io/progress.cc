#include "torghut/io/progress.h"

#include <unistd.h>

#include <cstdio>

namespace torghut::io {

Progress::Progress(std::string label, uint64_t total, std::function<std::string()> detail)
    : label_(std::move(label)),
      total_(total),
      detail_(std::move(detail)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      // The first look at the clock draws at once; later draws are at least 100 ms apart.
      last_draw_(start_ - std::chrono::seconds(1)) {}

void Progress::Update(uint64_t done, int64_t items) {
  if (!enabled_ || (++calls_ & 0xfff) != 0) return;  // look at the clock every 4096 calls
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done, items);
}

void Progress::Draw(uint64_t done, int64_t items) {
  const double frac = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const int width = 30;
  const int filled = static_cast<int>(frac * width);
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char eta[32] = "";
  if (frac > 0.001 && frac < 1)
    std::snprintf(eta, sizeof eta, "  ETA %.0f s", secs * (1 - frac) / frac);
  const std::string detail = detail_ ? "  " + detail_() : "";
  std::fprintf(stderr, "\r%s [%s] %5.1f%%  %lld events  %.1f s%s%s\033[K", label_.c_str(), bar,
               frac * 100, static_cast<long long>(items), secs, eta, detail.c_str());
  std::fflush(stderr);
}

void Progress::Finish() {
  if (!enabled_) return;
  std::fputs("\r\033[K", stderr);  // clear the bar; the caller prints its summary line
  std::fflush(stderr);
}

}  // namespace torghut::io
