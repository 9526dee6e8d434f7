#pragma once

#include <sys/types.h>

#include <expected>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "plan/plan.h"

namespace anylab {

struct Spawned {
  pid_t pid = 0;
  uint64_t start_time = 0;
  std::string node, name;
};

// Carries out plan actions. The executor hands it consecutive actions of one
// kind at a time, so that a backend can do them in one go (one `ip -batch`
// for all namespaces) or in parallel.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::expected<std::vector<Spawned>, Error> apply(std::span<const Action> batch) = 0;
};

// The dry run: records what it was asked to do, in order.
class RecordingBackend : public Backend {
 public:
  std::expected<std::vector<Spawned>, Error> apply(std::span<const Action> batch) override;
  const std::vector<std::string>& log() const { return log_; }
  size_t batches() const { return batches_; }

 private:
  std::vector<std::string> log_;
  size_t batches_ = 0;
};

}  // namespace anylab
