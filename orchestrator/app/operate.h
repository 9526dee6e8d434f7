#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/session.h"
#include "core/error.h"
#include "timeline.h"

namespace anylab {

// What a person does to a running lab by hand: change an announcement,
// break or mend something, run a command in a node, watch who answers.

struct AnnounceOptions {
  std::string prefix;  // "" for the service prefix
  std::optional<int> prepend;
  std::optional<uint32_t> med;
  bool withdraw = false;
};
// Changes what a running instance announces, through ExaBGP's API: the
// commands sent.
std::expected<std::vector<std::string>, Error> announce_routes(const Lab& lab, const std::string& node,
                                                               const AnnounceOptions& options);

struct EventOptions {
  std::string node;
  std::vector<std::string> link;  // two node names
  std::vector<std::string> bgp;   // two node names
  std::string mode = "crash";
  bool restore = false;
};
// Breaks (fail) or mends (restore) a node, a link or a BGP session: what
// was done, as a person says it ("failed node pop-ams (crash)").
std::expected<std::string, Error> apply_event(const Lab& lab, const EventOptions& options);

// Enters the node's namespaces in this process (a container's too: its
// programs, its files) and returns the command to exec there; vtysh is told
// which FRR instance is the router's own.
std::expected<std::vector<std::string>, Error> enter_node(const Lab& lab, const std::string& node,
                                                          std::vector<std::string> command);

// What watching a lab tells: each change of who answers a target (a client,
// service and family), and a summary per target at the end.
class WatchObserver {
 public:
  virtual ~WatchObserver() = default;
  virtual void started(size_t targets) = 0;
  virtual void changed(checks::Micros at, const std::string& target, const std::optional<std::string>& instance) = 0;
  virtual void summary(const std::string& target, size_t probes, size_t answered, checks::Micros longest_outage,
                       const std::optional<std::string>& last) = 0;
};
// Probes every service from every client for `seconds` (0: until cancel).
std::expected<void, Error> watch_lab(const Lab& lab, double seconds, WatchObserver& observer, const Cancel& cancel);

}  // namespace anylab
