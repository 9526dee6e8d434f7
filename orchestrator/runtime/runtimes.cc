#include "runtime/runtimes.h"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "runtime/containerlab/containerlab_runtime.h"
#include "runtime/docker/docker_runtime.h"
#include "runtime/netns/netns_runtime.h"

namespace anylab {

const std::vector<const NodeRuntime*>& all_runtimes() {
  static const NetnsRuntime netns;
  static const ContainerlabRuntime containerlab;
  static const DockerRuntime docker;
  // containerlab before docker: its removal runs `containerlab destroy`
  // while the containers it made are still there to find.
  static const std::vector<const NodeRuntime*> all{&netns, &containerlab, &docker};
  return all;
}

const char* default_runtime() { return "netns"; }

const NodeRuntime* runtime_named(std::string_view name) {
  for (const NodeRuntime* r : all_runtimes())
    if (name == r->name()) return r;
  return nullptr;
}

const NodeRuntime& runtime_of(const Lab& lab) {
  const NodeRuntime* r = runtime_named(lab.runtime.empty() ? default_runtime() : lab.runtime);
  if (!r) throw std::logic_error("a lab on an unknown runtime: " + lab.runtime);
  return *r;
}

std::vector<std::string> runtime_names() {
  std::vector<std::string> out;
  for (const NodeRuntime* r : all_runtimes()) out.push_back(r->name());
  return out;
}

std::expected<void, Error> record_runtime(const std::string& lab_dir, const std::string& runtime) {
  std::ofstream out(lab_file(lab_dir, LabFile::kRuntime));
  out << runtime << "\n";
  out.close();
  // Destroy reads it to know there are containers to remove: unrecorded,
  // it would find "nothing to destroy" while they run.
  if (!out) return fail(fmt::format("cannot record the lab's runtime in {}", lab_file(lab_dir, LabFile::kRuntime)));
  return {};
}

std::optional<std::string> recorded_runtime(const std::string& lab_dir) {
  std::ifstream in(lab_file(lab_dir, LabFile::kRuntime));
  std::string word;
  if (!(in >> word) || !runtime_named(word)) return std::nullopt;
  return word;
}

}  // namespace anylab
