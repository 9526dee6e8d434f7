// model/: the lab as the user wrote it (LabSpec, with source marks) and the
// lab resolved into concrete objects (Lab). Pure data; depends on core/ only.
//
// LabSpec is "solely a product of unmarshaling" (containerlab's phrase): it
// holds what the file says, with a SourceMark on everything a later check may
// need to point at, and the defaults the schema filled in. Nothing is
// resolved here: no addresses allocated, no interfaces numbered.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/ip.h"
#include "wire.h"

namespace anylab {

template <class T>
struct Marked {
  T value{};
  SourceMark mark;
};

struct BgpTimers {
  std::optional<int> keepalive;
  std::optional<int> hold;
  std::optional<Marked<int>> advertisement_interval;  // routers: MRAI, seconds
};

enum class NodeKind { kRouter, kInstance, kClient };
const char* to_string(NodeKind k);

// What a neighbour is to a router, from the link's `relation:`; kNone where
// the link has none (everything accepted and exported, as without relations).
enum class Relation { kNone, kCustomer, kPeer, kProvider };
const char* to_string(Relation r);  // "customer", "peer", "provider", "none"

// Local preference by relationship (`defaults.relations`).
struct RelationPrefs {
  uint32_t customer = 200;
  uint32_t peer = 100;
  uint32_t provider = 50;
  uint32_t of(Relation r) const;
};

// The interior gateway protocol inside an AS of several routers.
enum class Igp { kOspf, kIsis };
const char* to_string(Igp i);  // "ospf", "isis"

// `defaults.ecmp`: how many equal-cost paths a router installs, and what
// the kernel hashes a flow on to pick one (l3: addresses; l4: ports too).
struct EcmpSpec {
  int paths = 64;
  bool l4 = false;
  SourceMark mark;
  // ecmp.resilient: the service prefixes' paths in a resilient nexthop
  // group, so that a path that goes moves only its own flows
  // (anylab-resilient-ecmp in every router).
  bool resilient = false;
  SourceMark resilient_mark;
};

struct DefaultsSpec {
  int keepalive = 1;
  int hold = 3;
  int advertisement_interval = 0;  // routers' MRAI, seconds
  // defaults.bgp.link-subnets: every link subnet in BGP (all) or only the
  // clients' links (clients); unset: by the lab's size (Lab::carries_link_subnets).
  std::optional<bool> all_link_subnets;
  Duration probe_interval{};
  Duration probe_timeout{};
  Duration settle{};
  SourceMark bgp_mark;
  std::map<NodeKind, Marked<std::string>> images;  // defaults.images, by kind
  RelationPrefs relations;
  // defaults.load.rate: the queries a second the clients offer together,
  // split by weight (real datagrams, besides the probes).
  std::optional<Marked<double>> load_rate;
  Marked<Igp> igp;  // defaults.igp (OSPF unless written)
  std::optional<EcmpSpec> ecmp;
};

// What a client sends: the verification side's own protocol (checks/wire.h).
using ProbeKind = checks::Protocol;

struct ServiceSpec {
  Marked<std::string> name;
  std::vector<Marked<IpPrefix>> prefixes;    // as written: one, or one of each family
  std::vector<Marked<IpAddress>> addresses;  // as written: one per prefix
  Marked<uint32_t> asn;
  ProbeKind probe = ProbeKind::kUdp;
  uint16_t port = 53;

  // The families the service is announced and probed in, IPv4 first.
  std::vector<Family> families() const;
  bool has(Family f) const { return prefix(f) != nullptr; }
  // Its prefix and address in a family; nullptr if it has none.
  const IpPrefix* prefix(Family f) const;
  const IpAddress* address(Family f) const;
};

struct HealthSpec {
  Duration interval{};
  int rise = 0;
  int fall = 0;
  SourceMark mark;
  // `overload: withdraw`: the check fails while the responder is over its
  // capacity, so the instance withdraws (and comes back below it).
  std::optional<Marked<bool>> withdraw_on_overload;
  // `command:` the user's own check, a shell command line run in the
  // instance from its own directory, within `timeout`; `files:` the files it
  // needs, read from beside the lab file and copied there.
  std::optional<Marked<std::string>> command;
  Duration timeout{};
  SourceMark timeout_mark;
  struct File {
    Marked<std::string> path;  // as written, relative to the lab file
    std::string name;          // in the instance's directory
    std::string text;          // read when the lab is loaded
  };
  std::vector<File> files;
};

// A route origin authorisation: `asn` may originate `prefix` and its
// more-specifics down to `max_length` (default the prefix's own length).
struct Roa {
  Marked<IpPrefix> prefix;
  std::optional<Marked<int>> max_length;
  uint32_t asn = 0;
  SourceMark mark;
  int max() const { return max_length ? max_length->value : prefix.value.length; }
  bool operator==(const Roa& o) const { return prefix.value == o.prefix.value && max() == o.max() && asn == o.asn; }
};

struct RpkiSpec {
  std::vector<Roa> roas;
  SourceMark mark;
};

// Route flap damping on a router (FRR's bgp dampening).
struct DampingSpec {
  Duration half_life{};
  int reuse = 750;
  int suppress = 2000;
  Duration max_suppress{};
  SourceMark mark;
};

// `background:` on a router: a feeder peer announces a table of other
// routes, synthetic (`routes`, from `seed`) or replayed from an MRT RIB
// dump (`mrt`, read when the lab is loaded).
struct BackgroundSpec {
  std::optional<Marked<uint32_t>> routes;
  std::optional<Marked<std::string>> mrt;  // as written, relative to the lab file
  uint32_t seed = 1;
  SourceMark mark;
  std::string dump;          // the MRT file's bytes (mrt)
  size_t dump_prefixes = 0;  // the IPv4 prefixes in it
};

struct AnnounceSpec {
  bool at_start = true;  // false: silent until a scenario announces
  int prepend = 0;
  std::optional<uint32_t> med;
  std::vector<std::string> communities;
  std::vector<Marked<IpPrefix>> more_specifics;
  SourceMark mark;  // line of `announce:`, or none when absent
};

// `config:` on a router (its whole frr.conf) or a BIRD or GoBGP instance
// (its speaker's config): the user's own, a Jinja2 template (a name ending
// .j2, .jinja or .jinja2) rendered with the node's facts, or a plain file.
struct ConfigSpec {
  Marked<std::string> path;  // as written, relative to the lab file
  std::string file;          // where it was read: the template's path, for its errors and includes
  std::string text;          // read when the lab is loaded
  bool is_template = false;
  bool deployed = false;  // read back from a deployed lab's node directory: rendered and checked at its deploy
};

struct NodeSpec {
  // Whether an instance is a local node: it announces with NO_EXPORT.
  bool local() const { return scope && scope->value == "local"; }
  // Whether an instance announces from BIRD or GoBGP (else ExaBGP).
  bool speaks_bird() const { return speaker && speaker->value == "bird"; }
  bool speaks_gobgp() const { return speaker && speaker->value == "gobgp"; }

  Marked<std::string> name;
  Marked<NodeKind> kind;
  std::optional<Marked<uint32_t>> asn;
  std::optional<Marked<IpAddress>> router_id;
  Marked<bool> bfd;
  BgpTimers bgp;
  SourceMark bgp_mark;
  std::optional<Marked<std::string>> frr;
  std::optional<Marked<std::string>> image;  // on the container runtimes
  std::optional<Marked<std::string>> service;
  std::optional<Marked<std::string>> scope;  // "local" | "global" (instances); nullopt: global
  std::optional<Marked<std::string>> speaker;  // "exabgp" | "bird" | "gobgp" (instances); nullopt: exabgp
  std::optional<Marked<std::string>> rpki;   // "enforce" | "tag" (routers); nullopt: no validation
  std::optional<DampingSpec> damping;        // routers
  std::optional<BackgroundSpec> background;  // routers
  std::optional<Marked<uint32_t>> weight;    // clients: the users behind it (default 1)
  std::optional<Marked<double>> capacity;    // instances: queries a second the responder answers at most
  std::optional<Marked<bool>> route_reflector;  // routers: its AS-mates are its clients
  std::optional<Marked<int>> flows;             // clients: each probe sent from this many source ports
  int flows_or_one() const { return flows ? flows->value : 1; }
  bool reflects() const { return route_reflector && route_reflector->value; }
  uint32_t weight_or_one() const { return weight ? weight->value : 1; }
  bool enforces_rpki() const { return rpki && rpki->value == "enforce"; }
  std::optional<HealthSpec> health;
  AnnounceSpec announce;
  std::optional<ConfigSpec> config;
};

// The file a node's `config:` becomes in its directory: frr.conf for a
// router, bird.conf or gobgpd.toml for an instance.
std::string config_file_name(const NodeSpec& n);
// The MRT dump a router's background feeder replays, in its directory.
inline constexpr const char* kBackgroundDump = "background.mrt";

struct EndpointSpec {
  Marked<std::string> node;
  std::optional<Marked<std::string>> interface;
};

struct LinkSpec {
  SourceMark mark;
  EndpointSpec a;
  EndpointSpec b;
  // As written: a pair per family, the first endpoint's address first
  // ([a4, b4], [a6, b6] or [a4, b4, a6, b6]); the loader checks the pairing.
  std::vector<Marked<IpPrefix>> addresses;
  std::optional<Marked<std::string>> relation;  // "p2c" | "c2p" | "p2p"
  // What b is to a (kNone without `relation:`); relation_of_a(), what a is to b.
  Relation relation_of_b() const;
  Relation relation_of_a() const;
  // The written pair of one family, if any.
  std::optional<std::pair<IpPrefix, IpPrefix>> written(Family f) const;
};

// A reference to a link or a BGP session by its two nodes, as in `[a, b]`.
struct NodePair {
  Marked<std::string> a;
  Marked<std::string> b;
};

enum class FailMode { kCrash, kFreeze, kService };
const char* to_string(FailMode m);
std::optional<FailMode> parse_fail_mode(std::string_view name);

// What a fail/restore step acts on.
struct Target {
  enum class Kind { kLink, kNode, kBgp, kService } kind = Kind::kNode;
  NodePair pair;               // kLink, kBgp
  Marked<std::string> node;    // kNode; kService: the service's name
};

struct FailStep {
  Target target;
  std::optional<Marked<FailMode>> mode;
};
struct RestoreStep {
  Target target;
};
struct AnnounceStep {
  Marked<std::string> node;
  std::optional<Marked<IpPrefix>> prefix;
  bool withdraw = false;
  std::optional<Marked<uint32_t>> origin;  // a forged origin: the path ends in this AS
};
// The published ROAs changed mid-scenario.
struct RpkiStep {
  std::vector<Roa> add;
  std::vector<Roa> remove;
};
struct PolicyStep {
  Marked<std::string> node;
  std::optional<Marked<std::string>> peer;
  std::optional<int> prepend;
  std::optional<uint32_t> local_pref;
  std::optional<uint32_t> med;
  std::optional<Marked<bool>> leak;  // a router's valley-free export filter dropped (true) or back (false)
};
struct ImpairStep {
  NodePair link;
  std::optional<Marked<double>> loss_percent;
  std::optional<Marked<Duration>> delay;
};
struct FlapStep {
  NodePair link;
  std::optional<Marked<std::string>> node;  // an instance's announcements flap instead of a link
  int times = 1;
  Duration period{};
};
struct WaitStep {
  Duration duration{};
};

struct CatchmentSpec {
  Marked<std::string> instance;
  std::vector<Marked<std::string>> clients;
};
struct RouteExpect {
  Marked<std::string> node;
  std::optional<Marked<IpPrefix>> prefix;
  std::optional<Marked<std::string>> via;
  std::optional<std::string> as_path;
  std::optional<Marked<bool>> absent;  // true: no route at all
  std::optional<Marked<std::string>> rpki;  // "valid" | "invalid" | "notfound": the best path's state
};
struct TcpExpect {
  Marked<std::string> client;
  bool survives = false;
  std::optional<Marked<std::string>> service;  // required when the lab has several
  // The instance the connection must be held by when opened: behind ECMP,
  // connections are opened (each from another source port) until one is.
  std::optional<Marked<std::string>> on;
};
// `load:` an instance serves a share of the clients' weight within bounds
// (percent), or, with offered load, answers queries at a rate within them
// (written 900/s).
struct LoadExpect {
  Marked<std::string> instance;
  std::optional<Marked<double>> at_most, at_least;  // percent, or queries a second when `rate`
  bool rate = false;
  bool mixed_units = false;  // one bound a share, the other a rate: an error
};
// `loss:` the share of a client's probes unanswered since the last event
// (in its first `over`, if given).
struct LossExpect {
  std::optional<Marked<double>> at_most, at_least;  // percent
  std::optional<Duration> over;
  SourceMark mark;
};
// `flips:` how many times the instance answering a client changed, since
// the last event or in its first `over` (anycast instability).
struct FlipsExpect {
  Marked<uint32_t> at_most;
  std::optional<Duration> over;
  SourceMark mark;
};
// `updates:` the BGP UPDATE messages the lab's routers (or one router) sent
// since the last event, counted once its routes settled.
struct UpdatesExpect {
  Marked<uint64_t> at_most;
  std::optional<Marked<std::string>> router;
  SourceMark mark;
};
// `settled:` every router's best path to the services (or `service:`'s)
// changed for the last time at most `within` after the last event.
struct SettledExpect {
  Marked<Duration> within;
  SourceMark mark;
};
// `spread:` the share of a client's flows each listed instance answers.
struct SpreadShare {
  Marked<std::string> instance;
  std::optional<Marked<double>> at_least, at_most;  // percent, its own bounds
};
struct SpreadExpect {
  Marked<std::string> client;
  std::vector<SpreadShare> instances;
  std::optional<Marked<double>> at_least, at_most;  // percent, `each:`
};
// `moved:` the share of a client's flows answered by another instance than
// just before the last event.
struct MovedExpect {
  std::optional<Marked<double>> at_least, at_most;  // percent
  SourceMark mark;
  // `healthy:` the share of the flows of instances that still answer which
  // moved all the same (re-hashed): connections anycast had no need to break.
  std::optional<Marked<double>> healthy_at_least, healthy_at_most;
};
// A bound over the runs of --repeat: the p-th percentile (50, 95, 99; the
// nearest rank) of what an expectation measured in each run.
struct PercentileBound {
  int percentile = 0;
  Duration bound{};
  SourceMark mark;
};
struct ExpectStep {
  std::optional<Marked<std::string>> client;
  std::optional<Marked<std::string>> reaches;
  std::optional<Duration> within;  // every run (`within: 2s`, or its `max:`)
  std::vector<PercentileBound> within_percentiles;  // `within: {p95: 1s}`: of the convergence over the runs
  std::optional<Duration> stable;
  std::optional<bool> unreachable;
  std::optional<Duration> max_outage;  // every run (`max-outage: 2s`, or its `max:`)
  std::vector<PercentileBound> outage_percentiles;  // `max-outage: {p95: 2s}`: of the longest outage over the runs
  // Whether this is a max-outage expectation (a bound every run or over them).
  bool outage() const { return max_outage || !outage_percentiles.empty(); }
  bool has_within() const { return within || !within_percentiles.empty(); }
  std::optional<Marked<Family>> family;  // reaches, unreachable, max-outage, catchment: this family only
  std::optional<Marked<std::string>> service;  // unreachable, max-outage, loss: this service only
  std::vector<CatchmentSpec> catchment;
  std::optional<RouteExpect> route;
  std::optional<TcpExpect> tcp;
  std::optional<LoadExpect> load;
  std::optional<LossExpect> loss;
  std::optional<FlipsExpect> flips;
  std::optional<UpdatesExpect> updates;
  std::optional<SettledExpect> settled;
  std::optional<SpreadExpect> spread;
  std::optional<MovedExpect> moved;
};

using StepAction = std::variant<FailStep, RestoreStep, AnnounceStep, PolicyStep, ImpairStep,
                                FlapStep, WaitStep, ExpectStep, RpkiStep>;

struct StepSpec {
  SourceMark mark;
  StepAction action;
};

struct ScenarioSpec {
  Marked<std::string> name;
  std::string description;
  std::vector<StepSpec> steps;
};

struct LabSpec {
  Marked<std::string> name;
  std::string description;
  DefaultsSpec defaults;
  std::vector<ServiceSpec> services;
  std::vector<NodeSpec> nodes;
  std::vector<LinkSpec> links;
  std::vector<ScenarioSpec> scenarios;
  std::optional<RpkiSpec> rpki;
  // The lab file's text as it was read (a deployed lab keeps a copy).
  std::string source_text;

  const NodeSpec* find_node(std::string_view name) const;
  const ServiceSpec* find_service(std::string_view name) const;
  // The families links carry: IPv4 always, IPv6 too when a service has an
  // IPv6 prefix or a link an IPv6 pair.
  std::vector<Family> link_families() const;

  // The routers of an AS, in file order. Routers that share an ASN are one
  // AS: iBGP between them over an IGP, eBGP only between ASes.
  std::vector<const NodeSpec*> routers_of(uint32_t asn) const;
  // Whether a router shares its AS with other routers (it runs an IGP and
  // iBGP over loopbacks).
  bool in_shared_as(const NodeSpec& router) const;
  // A router's iBGP peers, in file order: every AS-mate (a full mesh), or,
  // when the AS has route reflectors, the reflectors (for a client) or
  // every AS-mate (for a reflector).
  std::vector<const NodeSpec*> ibgp_peers(const NodeSpec& router) const;
};

}  // namespace anylab
