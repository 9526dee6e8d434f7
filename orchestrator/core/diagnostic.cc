#include "core/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace anylab {

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  size_t start = 0;
  while (start < text_.size()) {
    size_t nl = text_.find('\n', start);
    size_t end = nl == std::string::npos ? text_.size() : nl;
    size_t length = end - start;
    if (length > 0 && text_[end - 1] == '\r') --length;
    lines_.emplace_back(start, length);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

std::string_view SourceFile::line(int number) const {
  if (number < 1 || static_cast<size_t>(number) > lines_.size()) return {};
  const auto [start, length] = lines_[static_cast<size_t>(number - 1)];
  return std::string_view(text_).substr(start, length);
}

void Diagnostics::error(SourceMark mark, std::string message) {
  items_.push_back({mark, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.mark < b.mark;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// The length of the valid UTF-8 sequence that starts at text[i], or 0.
size_t utf8_length(std::string_view text, size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  const size_t n = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  return n;
}

}  // namespace

std::vector<std::pair<std::string, size_t>> printable_pieces(std::string_view text) {
  std::vector<std::pair<std::string, size_t>> out;
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7f) {
      out.emplace_back(std::string(1, text[i]), 1);
      ++i;
    } else if (b == '\t') {
      out.emplace_back("\t", 1);
      ++i;
    } else if (size_t n = b >= 0x80 ? utf8_length(text, i) : 0) {
      out.emplace_back(std::string(text.substr(i, n)), n);
      i += n;
    } else {
      out.emplace_back(fmt::format("\\x{:02x}", b), 1);
      ++i;
    }
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const auto& [piece, bytes] : printable_pieces(text)) out += piece;
  return out;
}

std::string format_diagnostic(const SourceFile& file, const Diagnostic& d) {
  if (d.mark.line == 0) return fmt::format("{}: error: {}\n", file.name(), printable(d.message));
  std::string out =
      fmt::format("{}:{}:{}: error: {}\n", file.name(), d.mark.line, d.mark.column, printable(d.message));
  std::string_view text = file.line(d.mark.line);
  if (text.empty()) return out;
  // Keep tabs in the padding so that the caret lines up however tabs render;
  // an escaped byte takes the width of its escape, a UTF-8 character one.
  std::string line, pad;
  size_t at = 0;
  for (const auto& [piece, bytes] : printable_pieces(text)) {
    if (at + 1 < static_cast<size_t>(d.mark.column))
      pad += piece == "\t" ? "\t" : std::string(piece.size() > 1 && piece[0] == '\\' ? piece.size() : 1, ' ');
    line += piece;
    at += bytes;
  }
  return out + fmt::format("{}\n{}^\n", line, pad);
}

std::string format_diagnostics(const SourceFile& file, const Diagnostics& ds) {
  std::string out;
  for (const Diagnostic& d : ds.sorted()) out += format_diagnostic(file, d);
  return out;
}

}  // namespace anylab
