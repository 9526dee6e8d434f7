#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
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

// RFC 6811 origin validation of a route, by its prefix and its AS path as
// FRR prints it ("65001 64666"; the origin is the last AS, the router's own
// for an empty path, none for an AS_SET), against a set of ROAs.
enum class Validity { kNotFound, kValid, kInvalid };
Validity validate_origin(const IpPrefix& prefix, const std::string& as_path, uint32_t own_asn,
                         const std::vector<Roa>& roas);

// What an enforcing router's import policy has done, and has yet to do,
// after the ROAs changed from `before` to `after`, judged route by route on
// what each peer sent it (its Adj-RIB-In, kept by soft-reconfiguration)
// against what its table holds: a route that was invalid and is not any more
// must be in the table from that peer (taken back), one that became invalid
// must not be (dropped). Routes whose state did not change, or that the
// router could never take (its own AS in the path), are not looked at.
struct Revalidation {
  size_t taken_back = 0, dropped = 0;
  std::vector<std::string> pending;  // "192.0.2.0/25 from t1a: no longer invalid, not taken back"
};
// One peer's routes as the router received them: the text of `show bgp
// <family> unicast neighbors <address> received-routes json`.
struct ReceivedRoutes {
  std::string peer, address, json;
};
// From FRR's JSON (`table_json`: `show bgp <family> unicast json`); nullopt
// when a text is not FRR's JSON.
std::optional<Revalidation> revalidation(uint32_t own_asn, const std::vector<ReceivedRoutes>& received,
                                         const std::string& table_json, const std::vector<Roa>& before,
                                         const std::vector<Roa>& after);
// The same, asked of a running router, every family it peers in; nullopt
// when its bgpd does not answer.
std::optional<Revalidation> revalidation(const Node& router, const std::vector<Roa>& before,
                                         const std::vector<Roa>& after);

// Has an enforcing router's bgpd re-run its import policy on what every
// peer sent it (`clear bgp ... soft in`, in enable mode), per family it
// peers in.
std::expected<void, Error> reapply_import_policy(const Node& router);

// Writes the ROAs to every validating router's cache file (replaced whole,
// by rename) and waits (at most `budget`) until each router's FRR holds
// them; then has each enforcing router re-run its import policy on what it
// received (FRR never takes back by itself a route it denied when the VRPs
// change) and waits until it has taken back every route that is invalid no
// more and dropped every route that became invalid (see revalidation).
// Says when each router held the new set and, if it enforces, when its
// routes were re-judged, counted from the file's publication. `before`: the
// set the routers held until now.
std::expected<std::string, Error> publish_roas(const Lab& lab, const std::vector<Roa>& before,
                                                     const std::vector<Roa>& roas, std::chrono::milliseconds budget);

}  // namespace anylab
