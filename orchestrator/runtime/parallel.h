#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace anylab {

// Runs fn over items on `workers` threads, each taking the next item: for
// work that waits on other processes (vtysh, probes, the Docker daemon).
template <class T, class F>
void parallel_for(const std::vector<T>& items, size_t workers, F fn) {
  std::mutex m;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(m);
        if (next == items.size()) return;
        i = next++;
      }
      fn(i, items[i]);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(workers, items.size()); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace anylab
