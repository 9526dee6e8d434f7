// generate/: labs written by anylab for a person to keep: an Internet-like
// AS graph around a service (`anylab generate --internet N`).
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace anylab {

struct InternetOptions {
  int ases = 0;         // routers, one per AS
  int sites = 3;        // instances of the service, each in its own AS
  int clients = 5;      // clients, each in its own stub AS
  uint32_t seed = 1;    // the same seed gives the same file
  std::string command = "";  // the command line, for the file's header
};

// The lab as YAML: a clique of tier-1s, transit networks buying transit
// from tier-1s or larger transits (some peering), stubs with one or two
// providers, `relation:` on every link, the sites and the clients, a
// baseline scenario and a site failure. The error says what to change.
std::expected<std::string, std::string> generate_internet(const InternetOptions& o);

}  // namespace anylab
