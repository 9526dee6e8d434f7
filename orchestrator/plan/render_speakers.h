#pragma once

#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// BIRD and GoBGP as Debian's bird2 and gobgpd (and anylab's instance
// image) install them.
inline constexpr const char* kBird = "/usr/sbin/bird";
inline constexpr const char* kGobgpd = "/usr/bin/gobgpd";
inline constexpr const char* kGobgp = "/usr/bin/gobgp";

// An instance with `speaker: bird` announces from BIRD 2: bird.conf holds a
// passive BGP session to each linked router (BFD where both ask for it) that
// exports the routes of a static protocol per family; each static protocol
// includes a file of routes (anycast4.conf, anycast6.conf) that
// anylab-speaker-relay rewrites, then reconfigures BIRD over its control
// socket, when anylab announces or withdraws or a health check changes:
// how operators' health checkers drive BIRD.
std::string render_bird(const Lab& lab, const Node& instance);

// The routes file of one family as deployed: the instance's announcements,
// or none while a health check has yet to rise.
std::string render_bird_routes(const Node& instance, bool ipv6);

// BIRD's control socket, the routes files' directory: the instance's own.
std::string bird_socket(const Node& instance);

// An instance with `speaker: gobgp` announces from GoBGP: gobgpd.toml holds
// a passive session to each linked router; the relay adds and deletes the
// routes in gobgpd's global RIB over its API socket (gobgp.sock), as an
// operator's health checker drives GoBGP. GoBGP has no BFD: FRR's bfdd runs
// beside it, as beside ExaBGP.
std::string render_gobgp(const Lab& lab, const Node& instance);
std::string gobgp_socket(const Node& instance);

// The relay's command line (BIRD or GoBGP): it reads the control FIFO, knows
// what is announced at start (and waits for a health check to rise, with
// `health:`).
std::vector<std::string> speaker_relay_argv(const Lab& lab, const Node& instance);

// health-loop.sh: the health check for a speaker without ExaBGP's
// healthcheck: the check every interval, `rise` passes in a row announce,
// `fall` failures in a row withdraw (told to the relay on its FIFO).
std::string render_health_loop(const Lab& lab, const Node& instance);

}  // namespace anylab
