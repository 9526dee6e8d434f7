#pragma once

#include <expected>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/error.h"
#include "runtime/docker/engine.h"

namespace anylab {

// Which containers are a lab's, for the two container runtimes. Each
// container's name is recorded before it is made, with the deploy's token
// (a random word, in a record only root reads, that the containers carry
// as a label), and its id right after, in containers_record(lab), which
// outlives /run. A container is the lab's when its id was recorded, or
// when its name was and it carries the token: a label alone can be copied,
// the token cannot. Destroy removes those and no other.

// The record: "token T" (a deploy's), "name N" (before the container is
// made), "id I N" (right after), one per line, in records_dir().
std::string containers_record(std::string_view lab);

// The label that marks a lab's containers as anylab's (key=value, for
// filters and topologies), and the label that carries a deploy's token.
std::string lab_label(const std::string& lab);
constexpr const char* kLabLabelKey = "org.anylab.lab";
constexpr const char* kTokenLabelKey = "org.anylab.token";

// The lab's deploy token: made and recorded on the first call of a deploy
// (the record is new), read back from the record after.
std::expected<std::string, Error> deploy_token(const std::string& lab);

struct ContainersRecord {
  std::set<std::string> tokens, names;
  std::map<std::string, std::string> ids;  // id -> name
  // Whether a container the caller found by a recorded name or id is the
  // lab's: its id recorded, or it carries the lab's label and a recorded
  // token.
  bool ours(const ContainerInfo& c, const std::string& lab) const;
};
ContainersRecord read_containers_record(const std::string& lab);

// Appends a line of the above to the lab's record.
std::expected<void, Error> record_container(const std::string& lab, const std::string& line);

}  // namespace anylab
