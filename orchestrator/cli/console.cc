#include "cli/console.h"

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

namespace anylab::console {

namespace {
// Progress is drawn over one line of a terminal; a log gets none of it.
bool tty() {
  static const bool is = ::isatty(2);
  return is;
}
}  // namespace

void problem(const std::string& line) { std::cerr << "anylab: " << line << "\n"; }
void text(const std::string& text) { std::cerr << text; }

void deploying(const std::string& lab, size_t done, size_t total) {
  if (tty()) std::cerr << fmt::format("\rdeploying {}: {}/{} actions", lab, done, total) << std::flush;
}
void built(const std::string&) {
  if (tty()) std::cerr << "\n";
}
void waiting(const std::string&, std::chrono::seconds timeout) {
  if (tty()) std::cerr << fmt::format("waiting for BGP sessions and clients (at most {}s)\n", timeout.count());
}
void ready(const std::string& line) { std::cout << line << "\n"; }

void destroyed(const std::string& lab, const DestroyReport& r) {
  if (!r.found) {
    std::cerr << fmt::format("lab {}: nothing to destroy\n", lab);
    return;
  }
  std::cerr << fmt::format("lab {} destroyed: {} processes stopped, {} namespaces removed{}\n", lab, r.processes,
                           r.namespaces, r.containers ? fmt::format(", {} containers removed", r.containers) : "");
  for (const std::string& p : r.problems) std::cerr << "  problem: " << p << "\n";
}

}  // namespace anylab::console
