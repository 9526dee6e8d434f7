// runtime/: what touches the kernel and spawns processes, the only layer
// (with cli/) that does. Backends apply plan actions; the journal records
// what a lab made so destroy can undo exactly that; readiness and inspect
// ask the running daemons. Depends on core/, model/, plan/.
#pragma once

#include "core/error.h"
#include "unique_fd.h"

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace anylab {

// The lab's journal, /run/anylab/<lab>/journal: one line per thing the lab
// made, appended *before* it is made (a process: right after its spawn), so
// that destroy finds everything even when anylab was killed mid-deploy.
// Ownership: destroy removes only what a journal names, and only names that
// belong to that lab.
struct JournalEntry {
  enum class Kind { kNetns, kDirectory, kRunDir, kProcess } kind;
  std::string path;  // netns name, or directory
  pid_t pid = 0;
  uint64_t start_time = 0;  // /proc/<pid>/stat field 22: tells a reused pid apart
  std::string node, name;
};

// The runtime root (/run/anylab) made if missing, root's and 0711: no one
// else lists or writes it (journals hold the pids destroy kills); FRR, which
// drops to its own user, may still pass through to its node's directory.
// Refuses a root that is a link or not owned by us.
std::expected<void, Error> make_runtime_root(const std::string& root);


class Journal {
 public:
  static std::string lab_dir(const std::string& root, const std::string& lab);
  // kCreate (deploy): makes the lab directory and a journal that must not
  // exist yet. kAppend (a restored node's new daemons): the deployed lab's
  // journal, which must be one anylab wrote.
  enum class Open { kCreate, kAppend };
  static std::expected<Journal, Error> open(const std::string& root, const std::string& lab,
                                            Open how = Open::kCreate);
  Journal(Journal&&) noexcept = default;
  Journal& operator=(Journal&&) = delete;

  // Each line is written whole or not at all; an error when it was not.
  using Written = std::expected<void, Error>;
  Written netns(const std::string& name);
  Written directory(const std::string& path);
  Written run_dir(const std::string& path);
  Written process(pid_t pid, uint64_t start_time, const std::string& node, const std::string& name);

  // Nothing when the journal is not one anylab wrote (untrusted() says why).
  static std::vector<JournalEntry> read(const std::string& root, const std::string& lab);
  // Why a journal there is not to be trusted: a link, not a regular file,
  // not this user's, or writable by others. nullopt when there is none, or
  // it is ours.
  static std::optional<std::string> untrusted(const std::string& root, const std::string& lab);

 private:
  explicit Journal(UniqueFd fd) : fd_(std::move(fd)) {}
  Written append(const std::string& line);
  UniqueFd fd_;
};

}  // namespace anylab
