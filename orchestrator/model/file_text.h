#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>

namespace anylab {

// A node's rendered file: its text, or what renders it the first time it is
// read. A background table's dump (a million routes: seconds and hundreds
// of MB) is rendered by what writes it, deploy's plan or an export, not by
// every command that loads the lab (`run`, `inspect`, `destroy`...). Copies
// share the text; rendering happens once, whichever thread reads first.
class FileText {
 public:
  FileText() : FileText(std::string()) {}
  FileText(std::string text) : state_(std::make_shared<State>()) {  // NOLINT: a string is a file's text
    state_->text = std::move(text);
    std::call_once(state_->once, [this] { state_->rendered = true; });
  }
  FileText(const char* text) : FileText(std::string(text)) {}  // NOLINT
  static FileText rendered_when_read(std::function<std::string()> render) {
    FileText f;
    f.state_ = std::make_shared<State>();
    f.state_->render = std::move(render);
    return f;
  }

  const std::string& str() const {
    std::call_once(state_->once, [this] {
      state_->text = std::exchange(state_->render, {})();
      state_->rendered = true;
    });
    return state_->text;
  }
  // Whether the text is there yet (a file given as text always is).
  bool rendered() const { return state_->rendered; }
  operator const std::string&() const { return str(); }  // NOLINT: read where a string is
  size_t size() const { return str().size(); }
  bool operator==(const FileText& other) const { return str() == other.str(); }
  friend std::ostream& operator<<(std::ostream& out, const FileText& f) { return out << f.str(); }

 private:
  struct State {
    std::once_flag once;
    std::function<std::string()> render;
    std::string text;
    std::atomic<bool> rendered = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace anylab
