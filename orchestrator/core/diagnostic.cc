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

std::string format_diagnostic(const SourceFile& file, const Diagnostic& d) {
  if (d.mark.line == 0) return fmt::format("{}: error: {}\n", file.name(), d.message);
  std::string out =
      fmt::format("{}:{}:{}: error: {}\n", file.name(), d.mark.line, d.mark.column, d.message);
  std::string_view text = file.line(d.mark.line);
  if (text.empty()) return out;
  // Keep tabs in the padding so that the caret lines up however tabs render.
  std::string pad;
  for (size_t i = 0; i + 1 < static_cast<size_t>(d.mark.column) && i < text.size(); ++i)
    pad += text[i] == '\t' ? '\t' : ' ';
  return out + fmt::format("{}\n{}^\n", text, pad);
}

std::string format_diagnostics(const SourceFile& file, const Diagnostics& ds) {
  std::string out;
  for (const Diagnostic& d : ds.sorted()) out += format_diagnostic(file, d);
  return out;
}

}  // namespace anylab
