#include "runtime/lab_claim.h"
#include "core/error.h"

#include "runtime/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace anylab {
namespace {

// This process as a person would recognise it: its pid and command line.
std::string who_am_i() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!args.empty() && args.back() == '\0') args.pop_back();
  for (char& c : args)
    if (c == '\0') c = ' ';
  return fmt::format("pid {}: {}", ::getpid(), args);
}

// The holder writes its line right after it locks: a loser that comes in
// between gives it a moment (at most 0.25 s) to appear.
std::string holder_of(int fd) {
  for (int tries = 0; tries < 50; ++tries) {
    char buf[512];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string who = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    if (who.ends_with('\n')) return who.substr(0, who.size() - 1);
    ::usleep(5000);
  }
  return "holder unknown";
}

}  // namespace

std::expected<LabClaim, Error> LabClaim::take(const std::string& root, const std::string& lab) {
  if (auto made = make_runtime_root(root); !made) return fail(made.error());
  const std::string path = fmt::format("{}/{}.lock", root, lab);
  for (int attempt = 0; attempt < 100; ++attempt) {
    UniqueFd held_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    const int fd = held_fd.get();
    if (!held_fd) return fail(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      std::string who = err == EWOULDBLOCK ? holder_of(fd) : std::strerror(err);
      if (err == EWOULDBLOCK)
        return fail(fmt::format("lab {} is in use by another anylab ({}); it was left alone", lab, who));
      return fail(fmt::format("cannot lock {}: {}", path, who));
    }
    // The holder before us may have removed the file between our open and
    // our lock: then the lock is on a file no one else will open. Again.
    struct stat held {}, named {};
    if (::fstat(fd, &held) != 0 || ::lstat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev)
      continue;
    const std::string me = who_am_i() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
      const int err = errno;
      ::unlink(path.c_str());
      return fail(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
    return LabClaim(std::move(held_fd), path);
  }
  return fail(fmt::format("cannot claim {}: it keeps being replaced", path));
}

LabClaim::LabClaim(LabClaim&& other) noexcept : fd_(std::move(other.fd_)), path_(std::move(other.path_)) {}

// Removed while still held, then released: whoever opened it meanwhile finds
// it gone once they hold it, and tries again.
LabClaim::~LabClaim() {
  if (!fd_) return;
  ::unlink(path_.c_str());
  fd_.reset();
}

}  // namespace anylab
