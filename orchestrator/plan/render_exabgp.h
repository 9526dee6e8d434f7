#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// exabgp.conf for one instance: a session to each linked router, the service
// prefix (and more-specifics) announced with the lab's attributes; with
// `health:`, ExaBGP's healthcheck announces and withdraws the prefix instead.
std::string render_exabgp(const Lab& lab, const Node& instance);

struct RouteAttributes {
  int prepend = 0;
  std::optional<uint32_t> origin;  // a forged origin: the path ends in this AS
  std::optional<uint32_t> med;
  std::vector<std::string> communities;
};
// What an instance announces at rest: the service's prefixes (both
// families), then its more-specifics.
std::vector<IpPrefix> announced(const Node& instance);
// The attributes the lab file gives the instance's announcements.
RouteAttributes announce_attributes(const Node& instance);
// "route P next-hop self as-path [ ... ] med M community [ ... ]": ExaBGP's
// words for an announcement, in its config and on its API alike.
std::string exabgp_route(const Node& instance, const std::string& prefix, const RouteAttributes& attributes);
// The FIFO of the instance's control channel (see render_exabgp).
std::string control_fifo(const Node& instance);
// Where an instance's responder writes what it served and dropped, per
// second, when the lab offers load or the instance has a capacity.
std::string served_file(const Node& instance);
bool counts_served(const Lab& lab, const Node& instance);

// healthcheck.conf for an instance with `health:`: the options of ExaBGP's
// healthcheck (read with --config), so that no command line needs quoting.
std::string render_healthcheck(const Lab& lab, const Node& instance);

// health-check.sh for an instance with `health: {command}`: the user's
// command line, run from the instance's directory (where its `files:` are)
// with the instance's facts in the environment (ANYLAB_NODE, ANYLAB_ADDRESS,
// ANYLAB_PORT...).
std::string render_health_script(const Lab& lab, const Node& instance);
std::string health_script(const Node& instance);

// The healthcheck's probe of the instance's own responder: the command
// ExaBGP's healthcheck runs each interval (exit 0 = healthy).
std::vector<std::string> health_probe_argv(const Lab& lab, const Node& instance);

}  // namespace anylab
