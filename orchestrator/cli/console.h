// What app/'s workflows tell as they go, printed: problems and notes on
// stderr ("anylab: ..."), deploy progress on a terminal only, the ready line
// on stdout, what destroy did on stderr.
#pragma once

#include <chrono>
#include <string>

#include "app/session.h"

namespace anylab {

namespace console {
void problem(const std::string& line);
void text(const std::string& text);
void deploying(const std::string& lab, size_t done, size_t total);
void built(const std::string& lab);
void waiting(const std::string& lab, std::chrono::seconds timeout);
void ready(const std::string& line);
void destroyed(const std::string& lab, const DestroyReport& report);
}  // namespace console

// Messages (or an observer that is one, like RunObserver) printed.
template <typename Base = Messages>
class Console : public Base {
 public:
  void problem(const std::string& line) override { console::problem(line); }
  void text(const std::string& text) override { console::text(text); }
  void deploying(const std::string& lab, size_t done, size_t total) override { console::deploying(lab, done, total); }
  void built(const std::string& lab) override { console::built(lab); }
  void waiting(const std::string& lab, std::chrono::seconds timeout) override { console::waiting(lab, timeout); }
  void ready(const std::string& line) override { console::ready(line); }
  void destroyed(const std::string& lab, const DestroyReport& report) override { console::destroyed(lab, report); }
};

}  // namespace anylab
