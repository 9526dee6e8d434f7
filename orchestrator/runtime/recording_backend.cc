#include "runtime/backend.h"
#include "core/error.h"

namespace anylab {

std::expected<std::vector<Spawned>, Error> RecordingBackend::apply(std::span<const Action> batch) {
  ++batches_;
  for (const Action& a : batch) log_.push_back(describe(a.what));
  return std::vector<Spawned>{};
}

}  // namespace anylab
