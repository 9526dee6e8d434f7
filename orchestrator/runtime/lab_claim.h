#pragma once

#include "core/error.h"
#include "unique_fd.h"

#include <expected>
#include <string>

namespace anylab {

// A lab claimed by one anylab command for as long as it runs: deploy, test
// and destroy each hold it, so that two CI jobs deploying the same lab
// cannot both pass the "already deployed" check and then clean up each
// other's daemons. The claim is an exclusive flock(2) on
// <root>/<lab>.lock, held by the open file and so released by the kernel
// however the command ends (SIGKILL too); the file names the holder (pid
// and command line) for the one that is refused, and is removed by the
// holder on release. A claim taken on a lock file that its holder removed
// in the meantime is taken again on the new file.
class LabClaim {
 public:
  // The claim, or why not: "held by anylab (pid 1234: anylab test labs/x.yaml)".
  // Never waits.
  static std::expected<LabClaim, Error> take(const std::string& root, const std::string& lab);
  LabClaim(LabClaim&& other) noexcept;
  LabClaim& operator=(LabClaim&&) = delete;
  LabClaim(const LabClaim&) = delete;
  ~LabClaim();

 private:
  LabClaim(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

}  // namespace anylab
