// The lab file's semantic checks, one class over three files: the rules of
// the topology (topology_rules.cc), of the scenarios (scenario_rules.cc),
// and what they share (semantic_checks.cc). Internal to load/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "model/lab_spec.h"
#include "model/reach.h"

namespace anylab::load_detail {

// "a router", "an instance".
std::string a(NodeKind k);

class Checker {
 public:
  Checker(const LabSpec& spec, Diagnostics& d) : spec_(spec), d_(d) {}
  void run();

 private:
  NodeKind kind(const std::string& name) const;
  void want_kind(const Marked<std::string>& ref, NodeKind k, std::string_view role);
  void check_timers(int keepalive, int hold, SourceMark mark);
  void check_network(const Marked<IpPrefix>& p, std::string_view what);
  void check_service(const ServiceSpec& s);
  void check_asn(const Marked<uint32_t>& asn);
  void not_for(const NodeSpec& n, bool present, SourceMark mark, std::string_view key, std::string_view who);
  void check_node(const NodeSpec& n);
  void check_own_config(const NodeSpec& n);
  void check_percentiles(const std::vector<PercentileBound>& bounds, const std::optional<Duration>& max,
                         std::string_view key);
  void check_kind_keys(const NodeSpec& n);
  void check_routing(const NodeSpec& n);
  void check_instance(const NodeSpec& n);
  void check_link(const LinkSpec& l);
  void check_relation(const LinkSpec& l, NodeKind ka, NodeKind kb);
  void check_damping(const DampingSpec& d);
  void check_roa(const Roa& r);
  bool validates(const std::string& router) const;
  bool has_upward_relation(const std::string& router) const;
  void check_provider_cycles();
  void check_autonomous_systems();
  void check_link_addresses(const LinkSpec& l, const Marked<IpPrefix>& ma, const Marked<IpPrefix>& mb);
  void check_attachments();
  std::optional<size_t> routers_between(const std::string& client, const std::string& instance);
  void check_clients_in_reach();
  void want_in_reach(SourceMark mark, const std::string& client, const std::string& instance);
  bool linked(const std::string& a, const std::string& b) const;
  bool session(const std::string& a, const std::string& b) const;
  void want_link(const NodePair& p, std::string_view what);
  void want_session(const Marked<std::string>& a, const Marked<std::string>& b);
  void check_target(const Target& t, std::string_view verb);
  void check(const StepSpec&, const FailStep& f);
  void check(const StepSpec&, const RestoreStep& r);
  void check(const StepSpec&, const AnnounceStep& a);
  void check(const StepSpec& st, const RpkiStep& r);
  void check(const StepSpec& st, const PolicyStep& p);
  void check(const StepSpec& st, const ImpairStep& i);
  void check(const StepSpec&, const FlapStep& f);
  void check(const StepSpec&, const WaitStep&);
  void check(const StepSpec& st, const ExpectStep& e);
  void check_load(const LoadExpect& load);
  void check_loss(const LossExpect& loss);
  void check_control_plane(const ExpectStep& e);
  void want_flows(const Marked<std::string>& client, std::string_view what);
  void check_bounds(const std::optional<Marked<double>>& at_least, const std::optional<Marked<double>>& at_most,
                    SourceMark mark, std::string_view what);
  void check_health_files(const NodeSpec& n);
  void check_spread(const SpreadExpect& s);
  void check_moved(const MovedExpect& m, const std::optional<Marked<std::string>>& client);
  void check_service(const ExpectStep& e);
  void check_catchment(const ExpectStep& e);
  void check_route(const RouteExpect& route);
  void check_tcp(const TcpExpect& tcp);
  void check_family(const ExpectStep& e);

  static constexpr size_t kMaxRouters = kMaxRoutersCrossed;
  const LabSpec& spec_;
  Diagnostics& d_;
  std::map<IpAddress, std::string> router_ids_;
  std::map<std::string, SourceMark> interfaces_;
  std::map<std::string, std::vector<const LinkSpec*>> links_of_;
  std::map<std::string, std::vector<std::pair<std::string, SourceMark>>> customers_;  // provider -> its customers
  std::map<std::string, std::map<std::string, size_t>> reach_;  // routers_from, per client
  std::vector<std::pair<IpPrefix, int>> link_nets_;
};

}  // namespace anylab::load_detail
