#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// RPKI on a running lab: what each validating router's FRR holds from its
// StayRTR (plan/render_frr.h), and changes to the published ROAs.

// One validated ROA payload as FRR holds it.
struct Vrp {
  std::string address;  // the prefix's address, as FRR prints it
  int min_length = 0, max_length = 0;
  uint32_t asn = 0;
  auto operator<=>(const Vrp&) const = default;
};
Vrp vrp_of(const Roa& roa);

// The VRPs of `show rpki prefix-table json`, or nullopt when FRR is not
// synchronised with its cache (or bgpd does not answer).
std::optional<std::vector<Vrp>> parse_rpki_table(const std::string& frr_json);
std::optional<std::vector<Vrp>> rpki_table(const Node& router);

// A validating router's RTR session with its cache, as its FRR says it.
struct RtrStatus {
  std::string router;
  std::string cache;  // host:port
  std::string state;  // "connected", "disconnected", or "" when bgpd does not answer
  std::optional<size_t> vrps;  // held, once synchronised
};
RtrStatus rtr_status(const Node& router);

// Whether the router's FRR holds exactly these ROAs.
bool holds(const Node& router, const std::vector<Roa>& roas);

// Writes the ROAs to every validating router's cache file (replaced whole,
// by rename), waits until each router's FRR holds them (at most `budget`),
// then re-runs the enforcing routers' import policy (FRR 8.4 never takes
// back a route it denied when the VRPs change) and waits until each holds
// no RPKI-invalid route. Says when each router held the new set and, if it
// enforces, when its invalid routes were gone, counted from the file's
// publication.
std::expected<std::string, std::string> publish_roas(const Lab& lab, const std::vector<Roa>& roas,
                                                     std::chrono::milliseconds budget);

}  // namespace anylab
