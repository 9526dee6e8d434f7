#include "runtime/container/ownership.h"
#include "core/error.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/lab.h"
#include "unique_fd.h"

namespace anylab {

std::string containers_record(std::string_view lab) { return fmt::format("{}/{}.containers", records_dir(), lab); }

std::string lab_label(const std::string& lab) { return std::string(kLabLabelKey) + "=" + lab; }

ContainersRecord read_containers_record(const std::string& lab) {
  ContainersRecord r;
  std::ifstream in(containers_record(lab));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string kind, value, name;
    f >> kind >> value >> name;
    if (value.empty()) continue;
    if (kind == "token") r.tokens.insert(value);
    else if (kind == "name") r.names.insert(value);
    else if (kind == "id") r.ids[value] = name;
  }
  return r;
}

bool ContainersRecord::ours(const ContainerInfo& c, const std::string& lab) const {
  return ids.contains(c.id) || (c.label(kLabLabelKey) == lab && tokens.contains(c.label(kTokenLabelKey)));
}

std::expected<std::string, Error> deploy_token(const std::string& lab) {
  if (auto r = read_containers_record(lab); !r.tokens.empty()) return *r.tokens.rbegin();
  unsigned char bytes[16];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    return fail(fmt::format("cannot make a token for lab {}'s containers: {}", lab, std::strerror(errno)));
  std::string token;
  for (unsigned char b : bytes) token += fmt::format("{:02x}", b);
  if (auto w = record_container(lab, "token " + token); !w) return fail(w.error());
  return token;
}

std::expected<void, Error> record_container(const std::string& lab, const std::string& line) {
  const std::string path = containers_record(lab);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return fail(fmt::format("cannot record lab {}'s containers in {}: {}", lab, path, std::strerror(errno)));
  const std::string l = line + "\n";
  const bool written = ::write(fd.get(), l.data(), l.size()) == static_cast<ssize_t>(l.size());
  if (!written) return fail(fmt::format("cannot record lab {}'s containers in {}", lab, path));
  return {};
}

}  // namespace anylab
