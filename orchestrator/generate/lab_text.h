// The text of a generated lab: what `generate --internet` and
// `generate --as-rel` share once each has chosen its ASes and links.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace anylab {

struct Router {
  std::string name;
  uint32_t asn = 0;
};

// Routers under one comment line saying what they are.
struct RouterGroup {
  std::string comment;
  std::vector<Router> routers;
};

// A node of the service or of its users, and the router it hangs from.
struct Attached {
  std::string name;
  std::string router;
};

struct GeneratedLab {
  std::string header = "";  // comment lines, each ending in a newline
  std::string name = "", description = "";
  uint32_t service_asn = 64500;
  std::vector<RouterGroup> groups = {};
  std::string peering_comment = "", transit_comment = "";
  std::vector<std::pair<std::string, std::string>> peerings = {};  // (a, b): p2p
  std::vector<std::pair<std::string, std::string>> transit = {};   // (provider, customer): p2c
  std::string site_comment = "", user_comment = "";
  std::vector<Attached> sites = {}, users = {};
  std::string failure_description = "";  // of the scenario in which the first site crashes
};

// The lab as YAML: defaults, the service, routers, links, a baseline
// scenario (every client answered) and the first site's failure (with two
// sites or more).
std::string lab_text(const GeneratedLab& lab);

}  // namespace anylab
