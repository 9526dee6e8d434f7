#include "runtime/page_merging.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>

namespace anylab {

namespace {

std::optional<uint64_t> meminfo_kb(const std::string& text, const std::string& key) {
  const auto at = text.find("\n" + key + ":");
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(text.c_str() + at + key.size() + 2, nullptr, 10);
}

}  // namespace

std::optional<MergeState> read_merge_state() {
  std::ifstream meminfo("/proc/meminfo");
  const std::string text = "\n" + std::string(std::istreambuf_iterator<char>(meminfo), {});
  const auto total = meminfo_kb(text, "MemTotal"), available = meminfo_kb(text, "MemAvailable");
  std::ifstream scans("/sys/kernel/mm/ksm/full_scans");
  MergeState s;
  if (!total || !available || !(scans >> s.full_scans)) return std::nullopt;
  s.used_bytes = (*total - std::min(*total, *available)) * 1024;
  return s;
}

std::optional<double> ksm_pages_per_second() {
  std::ifstream pages("/sys/kernel/mm/ksm/pages_to_scan"), sleep("/sys/kernel/mm/ksm/sleep_millisecs");
  double n = 0, ms = 0;
  if (!(pages >> n) || !(sleep >> ms)) return std::nullopt;
  return n * 1000 / std::max(ms, 1.0);
}

uint64_t MergePacer::lag_from_environment() {
  const char* text = std::getenv("ANYLAB_MERGE_LAG");
  if (!text || !*text) return kDefaultLag;
  double gib = 0;
  const char* end = text + std::char_traits<char>::length(text);
  if (auto [at, ec] = std::from_chars(text, end, gib); ec != std::errc() || at != end || gib < 0) {
    std::fprintf(stderr, "anylab: ANYLAB_MERGE_LAG=%s is not a number of GiB (4, 0.5; 0 never waits); using 2\n", text);
    return kDefaultLag;
  }
  return static_cast<uint64_t>(gib * static_cast<double>(uint64_t{1} << 30));
}

MergePacer::MergePacer(bool on, uint64_t lag, std::chrono::seconds most, Reader read)
    : on_(on && lag > 0), lag_(lag), most_(most), read_(std::move(read)) {
  if (const auto s = on_ ? read_() : std::nullopt) settled_ = s->used_bytes;
  else on_ = false;
}

void MergePacer::before_start(const std::atomic<bool>* cancel) {
  if (!on_) return;
  const auto start = read_();
  if (!start) return;
  if (start->used_bytes < settled_) settled_ = start->used_bytes;  // something else let go
  if (start->used_bytes < settled_ + lag_) return;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t used = start->used_bytes;
  bool caught_up = false;
  while (!caught_up && std::chrono::steady_clock::now() - t0 < most_ && !(cancel && cancel->load())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = read_();
    if (!now) break;
    used = now->used_bytes;
    caught_up = used < settled_ + lag_ / 2 || now->full_scans >= start->full_scans + 2;
  }
  settled_ = used;
  waited_ += std::chrono::steady_clock::now() - t0;
  ++waits_;
  // ksmd did not catch up within `most`: it scans too slowly for this lab
  // (at the kernel's default rate a pass over 1000 routers takes minutes),
  // and more waits would only slow the deploy. Measured: 7 waits, 420 s,
  // saved ~1 GB of 17.
  if (!caught_up && !(cancel && cancel->load())) gave_up_ = true, on_ = false;
}

}  // namespace anylab
