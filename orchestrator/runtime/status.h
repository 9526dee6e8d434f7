#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"

namespace anylab {

// What the running lab says about itself, asked of the daemons: FRR over
// bgpd's vty socket (frr_vty.h), clients through anylab-probe run in their
// namespace.
struct SessionStatus {
  std::string router, peer_node, peer_address, state;  // state "" if bgpd did not answer
  Family family = Family::kIpv4;  // the session's
  int prefixes_received = 0;
  bool established() const { return state == "Established"; }
};
std::vector<SessionStatus> bgp_sessions(const Node& router);

struct ClientAnswer {
  std::string client, service;
  Family family = Family::kIpv4;
  std::optional<std::string> instance;  // who answered, if anyone
};
ClientAnswer probe(const Lab& lab, const Node& client, const ServiceSpec& service, Family family,
                   std::chrono::milliseconds timeout);

// Waits until every BGP session is Established, every instance announces
// (a health-checked one only once its check has risen), and every client
// gets an answer from an instance of every service over every family, or
// the deadline passes; if not, the error is a report of exactly what is not
// ready, a line each.
std::expected<void, Error> wait_ready(const Lab& lab, std::chrono::steady_clock::time_point deadline,
                       const std::atomic<bool>* cancel);

}  // namespace anylab
