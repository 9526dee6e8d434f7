#include "runtime/journal.h"
#include "core/error.h"

#include "model/lab.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace anylab {

std::expected<void, Error> make_runtime_root(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(root).parent_path(), ec);
  const mode_t old = ::umask(077);
  const int made = ::mkdir(root.c_str(), 0711);
  const int err = errno;
  ::umask(old);
  // The usual cause, for a user who is not root: said first.
  const std::string not_root = ::geteuid() != 0 ? "anylab drives labs as root: run it with sudo (" : "";
  const std::string close = not_root.empty() ? "" : ")";
  if (made != 0 && err != EEXIST)
    return fail(fmt::format("{}cannot make {}: {}{}", not_root, root, std::strerror(err), close));
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
    return fail(fmt::format("{}{} is not a directory of this user's (a link, or someone else's): anylab "
                            "keeps the pids it kills there; remove it, or move it aside{}",
                            not_root, root, close));
  if ((st.st_mode & 0777) != 0711 && ::chmod(root.c_str(), 0711) != 0)
    return fail(fmt::format("cannot make {} private: {}", root, std::strerror(errno)));
  return {};
}

std::string Journal::lab_dir(const std::string& root, const std::string& lab) { return root + "/" + lab; }

// The lab's directory is root's and 0711 (FRR passes through to its node's
// directory; no one else lists or writes it), the journal 0600 and new: a
// journal already there is another deploy's (the claim and the "already
// deployed" check come first, so this is the last guard), and neither is
// ever reached through a link.
std::expected<Journal, Error> Journal::open(const std::string& root, const std::string& lab, Open how) {
  if (how == Open::kAppend) {
    const std::string path = lab_file(lab_dir(root, lab), LabFile::kJournal);
    if (auto why = untrusted(root, lab)) return fail(*why);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return fail(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    return Journal(std::move(fd));
  }
  if (auto made = make_runtime_root(root); !made) return fail(made.error());
  const std::string dir = lab_dir(root, lab);
  if (::mkdir(dir.c_str(), 0711) != 0 && errno != EEXIST)
    return fail(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
    return fail(fmt::format("{} is a link or someone else's; it was left alone", dir));
  ::chmod(dir.c_str(), 0711);
  const std::string path = lab_file(dir, LabFile::kJournal);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return fail(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  return Journal(std::move(fd));
}

std::optional<std::string> Journal::untrusted(const std::string& root, const std::string& lab) {
  const std::string path = lab_file(lab_dir(root, lab), LabFile::kJournal);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;  // none: nothing to trust
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
    return fmt::format("{} is not a journal anylab wrote (a link, someone else's, or writable by others): "
                       "nothing it names was touched; look at it, then remove it",
                       path);
  return std::nullopt;
}


// One write(2) per line on an O_APPEND file: a line is whole or absent.
Journal::Written Journal::append(const std::string& line) {
  const std::string l = line + "\n";
  if (::write(fd_.get(), l.data(), l.size()) != static_cast<ssize_t>(l.size()))
    return fail(fmt::format("cannot write the journal: {}", std::strerror(errno)));
  return {};
}

Journal::Written Journal::netns(const std::string& name) { return append("netns " + name); }
Journal::Written Journal::directory(const std::string& path) { return append("dir " + path); }
Journal::Written Journal::run_dir(const std::string& path) { return append("rundir " + path); }
Journal::Written Journal::process(pid_t pid, uint64_t start_time, const std::string& node, const std::string& name) {
  return append(fmt::format("pid {} {} {} {}", pid, start_time, node, name));
}

std::vector<JournalEntry> Journal::read(const std::string& root, const std::string& lab) {
  std::vector<JournalEntry> out;
  // Destroy kills the pids it names: only a journal anylab wrote is read.
  if (untrusted(root, lab)) return out;
  std::ifstream in(lab_file(lab_dir(root, lab), LabFile::kJournal));
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
