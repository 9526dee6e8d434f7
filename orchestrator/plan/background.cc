#include "plan/background.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include <fmt/format.h>

#include "plan/render_policy.h"
#include "plan/render_speakers.h"

namespace anylab {
namespace {

constexpr uint32_t kFeederAsn = 4200000000u;
constexpr const char* kFeederIn = "ANYLAB-IN-FEEDER";
constexpr const char* kFeederOut = "ANYLAB-OUT-FEEDER";
constexpr const char* kNotFromFeeder = "ANYLAB-NOT-FROM-FEEDER";

// Address space no table routes: this network, private, shared, loopback,
// link-local, IETF, documentation, benchmarking, multicast and reserved.
constexpr IpPrefix kUnrouted[] = {
    {IpAddress::v4(0x00000000u), 8},  {IpAddress::v4(0x0A000000u), 8},  {IpAddress::v4(0x64400000u), 10},
    {IpAddress::v4(0x7F000000u), 8},  {IpAddress::v4(0xA9FE0000u), 16}, {IpAddress::v4(0xAC100000u), 12},
    {IpAddress::v4(0xC0000000u), 24}, {IpAddress::v4(0xC0000200u), 24}, {IpAddress::v4(0xC0A80000u), 16},
    {IpAddress::v4(0xC6120000u), 15}, {IpAddress::v4(0xC6336400u), 24}, {IpAddress::v4(0xCB007100u), 24},
    {IpAddress::v4(0xE0000000u), 3},
};

// The mix of prefix lengths, in parts of 1000: the IPv4 table is over half
// /24s, then /22, /23, /21, /20 ... and a few /16s (rounded from public
// analyses of the global table; the sizes, not the counts, set how far the
// table reaches into the address space).
constexpr std::pair<int, int> kLengths[] = {{24, 600}, {23, 100}, {22, 120}, {21, 55}, {20, 50},
                                            {19, 30},  {18, 15},  {17, 10},  {16, 20}};
// AS path lengths behind the feeder (which adds its own AS), in parts of
// 100: most routes are 3 or 4 ASes away.
constexpr std::pair<int, int> kPathLengths[] = {{1, 5}, {2, 22}, {3, 33}, {4, 23}, {5, 10}, {6, 4}, {7, 2}, {8, 1}};

// ASes the paths are made of: tier-1s first, then transits, then origins,
// numbered into public 16- and 32-bit space (never AS_TRANS, private or
// documentation ASNs, nor the lab's own).
constexpr uint32_t kTier1s = 16, kTransits = 3000, kOrigins = 67000;
// Percent of routes that are a more-specific of another.
constexpr uint32_t kMoreSpecifics = 35;

template <size_t N>
int draw(std::mt19937& rng, const std::pair<int, int> (&table)[N]) {
  int total = 0;
  for (const auto& [v, w] : table) total += w;
  int pick = static_cast<int>(rng() % static_cast<uint32_t>(total));
  for (const auto& [v, w] : table) {
    if (pick < w) return v;
    pick -= w;
  }
  return table[N - 1].first;
}

class AsNumbers {
 public:
  explicit AsNumbers(const std::vector<uint32_t>& lab) : lab_(lab.begin(), lab.end()) {}
  // The k-th AS of the pool.
  uint32_t operator()(uint32_t k) const {
    uint32_t asn = k < 50000 ? 1 + k : 131072 + (k - 50000);
    if (asn == 23456) asn = 60000;  // AS_TRANS
    while (lab_.contains(asn)) asn += 400000;
    return asn;
  }

 private:
  std::set<uint32_t> lab_;
};

std::vector<uint32_t> path(std::mt19937& rng, const AsNumbers& as) {
  const int length = draw(rng, kPathLengths);
  std::vector<uint32_t> out;
  if (length >= 2) out.push_back(as(rng() % kTier1s));
  for (int i = 2; i < length; ++i) out.push_back(as(kTier1s + rng() % kTransits));
  out.push_back(as(kTier1s + kTransits + rng() % kOrigins));
  return out;
}

uint64_t first_after(const IpPrefix& p) {
  return static_cast<uint64_t>(p.network().address.value) + (uint64_t{1} << (32 - p.length));
}

}  // namespace

bool has_background(const Node& r) { return r.kind == NodeKind::kRouter && r.spec && r.spec->background; }

bool lab_has_background(const Lab& lab) { return std::ranges::any_of(lab.nodes, has_background); }

uint32_t feeder_asn(const Lab& lab) {
  uint32_t asn = kFeederAsn;
  while (std::ranges::any_of(lab.nodes, [&](const Node& n) { return n.asn == asn; })) ++asn;
  return asn;
}

std::vector<mrt::Route> synthetic_routes(uint32_t routes, uint32_t seed, const std::vector<IpPrefix>& avoid,
                                         const std::vector<uint32_t>& lab_asns) {
  std::vector<IpPrefix> skip(std::begin(kUnrouted), std::end(kUnrouted));
  for (const IpPrefix& p : avoid)
    if (p.family() == Family::kIpv4) skip.push_back(p.network());
  std::mt19937 rng(seed);
  const AsNumbers as(lab_asns);
  std::vector<mrt::Route> out;
  out.reserve(routes);
  std::set<IpPrefix> made;
  std::vector<size_t> covers;  // routes shorter than /24: room for more-specifics
  uint64_t cursor = uint64_t{1} << 24;  // 1.0.0.0
  while (out.size() < routes) {
    // A third of the table is more-specifics of other routes (traffic
    // engineering, de-aggregation), from the same origin.
    if (!covers.empty() && rng() % 100 < kMoreSpecifics) {
      const mrt::Route& cover = out[covers[rng() % covers.size()]];
      const int length = cover.prefix.length + 1 + static_cast<int>(rng() % static_cast<uint32_t>(24 - cover.prefix.length));
      const uint64_t room = uint64_t{1} << (length - cover.prefix.length);
      const IpPrefix p{cover.prefix.address.plus((rng() % room) << (32 - length)), length};
      if (made.insert(p).second) out.push_back({p, cover.as_path});
      continue;
    }
    const int length = draw(rng, kLengths);
    const uint64_t size = uint64_t{1} << (32 - length);
    cursor = (cursor + size - 1) / size * size;
    if (cursor + size > (uint64_t{224} << 24)) break;  // the unicast space is spent
    const IpPrefix p{IpAddress::v4(static_cast<uint32_t>(cursor)), length};
    auto in_the_way = std::ranges::find_if(skip, [&](const IpPrefix& s) { return s.overlaps(p); });
    if (in_the_way != skip.end()) {
      cursor = std::max(cursor + size, first_after(*in_the_way));
      continue;
    }
    if (length < 24) covers.push_back(out.size());
    made.insert(p);
    out.push_back({p, path(rng, as)});
    cursor += size;
  }
  return out;
}

std::vector<IpPrefix> lab_prefixes(const Lab& lab) {
  std::vector<IpPrefix> out;
  for (const ServiceSpec& s : lab.spec.services)
    for (const auto& p : s.prefixes) out.push_back(p.value);
  for (const Node& n : lab.nodes) {
    for (const Interface& i : n.interfaces)
      for (const InterfaceAddress& a : i.addresses) out.push_back(a.local.network());
    if (n.loopback) out.push_back({*n.loopback, 32});
    for (const auto& m : n.spec->announce.more_specifics) out.push_back(m.value);
  }
  return out;
}

FileText background_dump(const Lab& lab, const Node& r) {
  // Rendered when written: what it needs is taken now, by value (the spec
  // stays where it is, as Node::spec does, whenever the Lab moves).
  const BackgroundSpec* b = &*r.spec->background;
  std::vector<uint32_t> asns;
  for (const Node& n : lab.nodes) asns.push_back(n.asn);
  const uint32_t feeder = feeder_asn(lab);
  asns.push_back(feeder);
  return FileText::rendered_when_read([b, avoid = b->mrt ? std::vector<IpPrefix>{} : lab_prefixes(lab),
                                       asns = std::move(asns), feeder] {
    // What GoBGP 3.10 may drop at the end of an injection (mrt.h): repeats.
    constexpr size_t kRepeated = 4096;
    if (b->mrt) return mrt::with_repeated_head(b->dump, kRepeated);
    const auto routes = synthetic_routes(b->routes->value, b->seed, avoid, asns);
    return mrt::with_repeated_head(
        mrt::write_rib(routes, feeder, kFeederAddress.address, kFeederAddress.address, 1735689600), kRepeated);
  });
}

size_t dump_routes(const Node& r) {
  const BackgroundSpec& b = *r.spec->background;
  return b.mrt ? b.dump_prefixes : b.routes->value;
}

std::vector<IpPrefix> never_from_feeder(const Lab& lab) {
  std::vector<IpPrefix> out;
  for (const IpPrefix& p : lab_prefixes(lab))
    if (p.family() == Family::kIpv4 && std::ranges::find(out, p.network()) == out.end()) out.push_back(p.network());
  out.push_back({IpAddress::v4(0xC6120000u), 15});  // 198.18.0.0/15: anylab's links and router IDs
  return out;
}

size_t background_accepted(const Lab& lab, const Node& r) {
  const BackgroundSpec& b = *r.spec->background;
  if (!b.mrt) return b.routes->value;
  const auto never = never_from_feeder(lab);
  size_t n = 0;
  for (const mrt::Route& route : mrt::ipv4_first_paths(b.dump)) {
    if (route.prefix.length == 0 || std::ranges::find(route.as_path, r.asn) != route.as_path.end()) continue;
    n += std::ranges::none_of(never, [&](const IpPrefix& p) { return p.contains(route.prefix); });
  }
  return n;
}

std::string background_text(const Node& r) {
  const BackgroundSpec& b = *r.spec->background;
  if (b.mrt) return fmt::format("{} routes from {}", b.dump_prefixes, b.mrt->value);
  return fmt::format("{} synthetic routes (seed {})", b.routes->value, b.seed);
}

std::string render_feeder(const Lab& lab, const Node& r) {
  std::string out = fmt::format("# {}'s background feeder in lab {}: {}; generated by anylab\n", r.name, lab.name,
                                background_text(r));
  // port -1: no listening (bgpd holds 179 in this namespace); GoBGP connects.
  out += fmt::format("[global.config]\n  as = {}\n  router-id = \"{}\"\n  port = -1\n", feeder_asn(lab),
                     kFeederAddress.address.str());
  out += fmt::format("\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{}\"\n    peer-as = {}\n"
                     "    description = \"{}\"\n",
                     kFeedRouterAddress.address.str(), r.asn, r.name);
  out += fmt::format("  [neighbors.transport.config]\n    local-address = \"{}\"\n", kFeederAddress.address.str());
  out += "  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 90\n    keepalive-interval = 30\n";
  out += "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"ipv4-unicast\"\n";
  return out;
}

std::vector<std::string> feeder_argv(const Node& r) {
  const std::string& d = r.runtime_dir;
  const std::string sock = d + "/" + kFeederSocket, gobgp = fmt::format("{} --target unix://{}", kGobgp, sock);
  const std::string done = fmt::format("{}/{}", d, kFeederDone);
  // The injector is the shell's child, gobgpd's once the shell is replaced
  // ($$ is then gobgpd's pid): it stops waiting when gobgpd is gone. It
  // injects the dump until GoBGP holds every prefix (three times at most:
  // the repeats at the dump's end are for what GoBGP 3.10 drops), then
  // says so in kFeederDone.
  const std::string inject = fmt::format(
      "(until {g} global > /dev/null 2>&1; do kill -0 $$ 2> /dev/null || exit 1; sleep 0.1; done; "
      "for try in 1 2 3; do {g} mrt inject global --only-best --no-ipv6 {d}/{dump} || exit 1; "
      "have=$({g} global rib summary -a ipv4 | sed -n 's/^Destination: \\([0-9]*\\),.*/\\1/p'); "
      "echo \"$(date +%T) injected: $have of {want} prefixes\"; [ \"${{have:-0}}\" -ge {want} ] && break; done; "
      "{g} global rib summary -a ipv4 > {done}.tmp && mv {done}.tmp {done}) >> {d}/inject.log 2>&1 &",
      fmt::arg("g", gobgp), fmt::arg("d", d), fmt::arg("dump", kBackgroundDump), fmt::arg("want", dump_routes(r)),
      fmt::arg("done", done));
  return {"/bin/sh", "-c",
          fmt::format("rm -f {} {}; {} exec {} -f {}/{} -t toml --api-hosts=unix://{} --pprof-disable --log-plain", sock,
                      done, inject, kGobgpd, d, kFeederConfig, sock)};
}

std::vector<std::string> feeder_neighbor_lines(const Lab& lab, const Node& r) {
  const std::string a = kFeederAddress.address.str();
  return {fmt::format("neighbor {} remote-as {}", a, feeder_asn(lab)),
          fmt::format("neighbor {} description background feeder: {}", a, background_text(r)),
          fmt::format("neighbor {} passive", a), fmt::format("neighbor {} update-source {}", a, kFeedRouterAddress.address.str()),
          // Not the lab's fast timers: a full table keeps both ends busy
          // longer than a few seconds, and this session is not under test.
          fmt::format("neighbor {} timers 30 90", a)};
}

std::vector<std::string> feeder_address_family_lines(const Node&) {
  const std::string a = kFeederAddress.address.str();
  // No soft-reconfiguration: a copy of a full table would double it.
  return {fmt::format("neighbor {} activate", a), fmt::format("neighbor {} route-map {} in", a, kFeederIn),
          fmt::format("neighbor {} route-map {} out", a, kFeederOut)};
}

std::string feeder_route_maps(const Lab& lab, const Node& r) {
  std::string out = fmt::format("! The background feeder ({}): never the lab's own prefixes nor a default route; "
                                "next hop {} on {}, which no one holds\n",
                                background_text(r), kFeedNextHop.str(), kFeedRouterInterface);
  int seq = 5;
  // The list matches what the route-map's first entry then denies.
  auto never = [&](const std::string& p) {
    out += fmt::format("ip prefix-list {} seq {} permit {}\n", kNotFromFeeder, seq, p);
    seq += 5;
  };
  never("0.0.0.0/0");
  for (const IpPrefix& p : never_from_feeder(lab)) never(p.length == 32 ? p.str() : p.str() + " le 32");
  out += fmt::format("route-map {} deny 5\n match ip address prefix-list {}\nexit\n", kFeederIn, kNotFromFeeder);
  out += fmt::format("route-map {} permit 10\n set ip next-hop {}\n", kFeederIn, kFeedNextHop.str());
  if (has_relations(r))
    // The rest of the Internet, as a peer's routes are: to customers only.
    out += fmt::format(" set local-preference {}\n set large-community {}:0:2 additive\n",
                       lab.spec.defaults.relations.of(Relation::kPeer), r.asn);
  out += fmt::format("exit\nroute-map {} deny 10\nexit\n!\n", kFeederOut);
  return out;
}

}  // namespace anylab
