// core/: small value types every other layer uses (source positions and
// diagnostics, durations, IPv4 arithmetic). Depends on nothing but the
// standard library and fmt; never touches the kernel or spawns processes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anylab {

// A position in the user's lab file, 1-based. line == 0 means "no position"
// (an error about the file as a whole).
struct SourceMark {
  int line = 0;
  int column = 0;
  auto operator<=>(const SourceMark&) const = default;
};

// The lab file as the user gave it: the name exactly as typed on the command
// line (errors must name it that way) and its text, for quoting lines.
class SourceFile {
 public:
  SourceFile(std::string name, std::string text);
  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  // The text of a 1-based line without its newline; empty if out of range.
  std::string_view line(int number) const;

 private:
  std::string name_;
  std::string text_;
  // Offsets, not string_views: views into text_ would dangle when a
  // SourceFile is moved and its text lives in the small-string buffer.
  std::vector<std::pair<size_t, size_t>> lines_;  // start, length
};

struct Diagnostic {
  SourceMark mark;
  std::string message;
  auto operator<=>(const Diagnostic&) const = default;
};

// Errors of one phase, collected so that the user sees all of them at once.
class Diagnostics {
 public:
  void error(SourceMark mark, std::string message);
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  // Sorted by position, duplicates removed: the order the user reads the file.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> items_;
};

// Text safe to print on a terminal: control bytes and bytes that are not
// valid UTF-8 written as \xNN, tabs and UTF-8 characters kept.
std::string printable(std::string_view text);
// The same, piece by piece: each printed piece and how many bytes of `text`
// it stands for (so that a column can be found in the printed line).
std::vector<std::pair<std::string, size_t>> printable_pieces(std::string_view text);

// "FILE:LINE:COL: error: MESSAGE", then the source line and a caret under
// the column, as ninja and compilers print them.
std::string format_diagnostic(const SourceFile& file, const Diagnostic& d);
std::string format_diagnostics(const SourceFile& file, const Diagnostics& ds);

}  // namespace anylab
