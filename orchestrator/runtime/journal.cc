#include "runtime/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace anylab {

std::string Journal::lab_dir(const std::string& root, const std::string& lab) { return root + "/" + lab; }

Journal::Journal(const std::string& root, const std::string& lab) {
  std::filesystem::create_directories(lab_dir(root, lab));
  const std::string path = lab_dir(root, lab) + "/journal";
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

// One write(2) per line on an O_APPEND file: a line is whole or absent.
void Journal::append(const std::string& line) {
  const std::string l = line + "\n";
  if (::write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size()))
    throw std::runtime_error(fmt::format("cannot write the journal: {}", std::strerror(errno)));
}

void Journal::netns(const std::string& name) { append("netns " + name); }
void Journal::directory(const std::string& path) { append("dir " + path); }
void Journal::run_dir(const std::string& path) { append("rundir " + path); }
void Journal::process(pid_t pid, uint64_t start_time, const std::string& node, const std::string& name) {
  append(fmt::format("pid {} {} {} {}", pid, start_time, node, name));
}

std::vector<JournalEntry> Journal::read(const std::string& root, const std::string& lab) {
  std::vector<JournalEntry> out;
  std::ifstream in(lab_dir(root, lab) + "/journal");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    JournalEntry e{JournalEntry::Kind::kNetns, "", 0, 0, "", ""};
    if (kind == "netns") words >> e.path;
    else if (kind == "dir") e.kind = JournalEntry::Kind::kDirectory, words >> e.path;
    else if (kind == "rundir") e.kind = JournalEntry::Kind::kRunDir, words >> e.path;
    else if (kind == "pid") e.kind = JournalEntry::Kind::kProcess, words >> e.pid >> e.start_time >> e.node >> e.name;
    else continue;
    if (words.fail()) continue;  // a torn last line: the step it announced never happened
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace anylab
