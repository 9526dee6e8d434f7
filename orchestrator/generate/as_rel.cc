#include "generate/as_rel.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "generate/lab_text.h"

namespace anylab {
namespace {

constexpr int kMostRouters = 5000;  // as `generate --internet`

// What a neighbour is to an AS.
enum class Rel { kProvider, kCustomer, kPeer };

struct Edge {
  size_t to = 0;
  Rel rel = Rel::kPeer;
  size_t line = 0;  // of the file
};

struct AsGraph {
  std::vector<uint32_t> asn;
  std::unordered_map<uint32_t, size_t> index;
  std::vector<std::vector<Edge>> adj;
  size_t links = 0;

  size_t add(uint32_t a) {
    auto [it, fresh] = index.try_emplace(a, asn.size());
    if (fresh) asn.push_back(a), adj.emplace_back();
    return it->second;
  }
  bool has(Rel rel, size_t v) const {
    return std::ranges::any_of(adj[v], [&](const Edge& e) { return e.rel == rel; });
  }
};

std::vector<std::string_view> fields(std::string_view line, char sep = '|') {
  std::vector<std::string_view> out;
  for (size_t from = 0;;) {
    const size_t bar = line.find(sep, from);
    out.push_back(line.substr(from, bar == std::string_view::npos ? std::string_view::npos : bar - from));
    if (bar == std::string_view::npos) return out;
    from = bar + 1;
  }
}

std::expected<uint32_t, std::string> asn_of(std::string_view text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > UINT32_MAX)
    return std::unexpected(fmt::format("`{}` is not an AS number (1 to 4294967295)", text));
  return static_cast<uint32_t>(v);
}

// One link line into the graph; the links seen so far, by their pair, for
// a line that says it again.
class Reader {
 public:
  Reader(const AsRelOptions& o) : o_(o) {}

  std::expected<AsGraph, std::string> read(std::string_view text) {
    size_t line_no = 0;
    for (size_t from = 0; from < text.size();) {
      size_t end = text.find('\n', from);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(from, end - from);
      from = end + 1, ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      if (auto e = link(line, line_no); !e) return std::unexpected(fmt::format("{}:{}: {}", o_.file, line_no, e.error()));
    }
    if (g_.links == 0)
      return std::unexpected(fmt::format("{}: no AS links in it (lines `provider|customer|-1` or `peer|peer|0`)", o_.file));
    return std::move(g_);
  }

 private:
  std::expected<void, std::string> link(std::string_view line, size_t line_no) {
    const auto f = fields(line);
    if (f.size() != 3 && f.size() != 4)
      return std::unexpected(fmt::format(
          "`{}` is not a link: CAIDA's lines are `provider|customer|-1` or `peer|peer|0`, with `|source` in serial-2",
          line));
    auto a = asn_of(f[0]), b = asn_of(f[1]);
    if (!a) return std::unexpected(a.error());
    if (!b) return std::unexpected(b.error());
    if (f[2] != "-1" && f[2] != "0")
      return std::unexpected(fmt::format("relation `{}` is neither -1 (provider to customer) nor 0 (peers)", f[2]));
    if (*a == *b) return std::unexpected(fmt::format("AS{} is linked to itself", *a));
    const auto pair = std::minmax(*a, *b);
    if (!seen_.insert(static_cast<uint64_t>(pair.first) << 32 | pair.second).second) return {};  // said again
    if (*a == o_.origin || *b == o_.origin) return {};  // the service: its sites stand for it
    const size_t x = g_.add(*a), y = g_.add(*b);
    const bool peers = f[2] == "0";
    g_.adj[x].push_back({y, peers ? Rel::kPeer : Rel::kCustomer, line_no});
    g_.adj[y].push_back({x, peers ? Rel::kPeer : Rel::kProvider, line_no});
    ++g_.links;
    return {};
  }

  const AsRelOptions& o_;
  AsGraph g_;
  std::set<uint64_t> seen_;
};

// Links from sources along valley-free paths (up, at most one peering,
// then down), at most `depth` of them: per AS, the fewest links to reach it
// while still climbing (phase 0) and after the top (phase 1).
using Phases = std::array<int, 2>;
constexpr int kFar = INT_MAX / 4;

std::vector<Phases> valley_free_reach(const AsGraph& g, const std::vector<size_t>& sources, int depth) {
  std::vector<Phases> dist(g.asn.size(), Phases{kFar, kFar});
  std::vector<std::pair<size_t, int>> frontier;
  for (size_t s : sources) dist[s][0] = 0, frontier.push_back({s, 0});
  for (int hop = 1; hop <= depth && !frontier.empty(); ++hop) {
    std::vector<std::pair<size_t, int>> next;
    for (const auto& [u, phase] : frontier)
      for (const Edge& e : g.adj[u]) {
        if (phase == 1 && e.rel != Rel::kCustomer) continue;  // down only, once over the top
        const int to_phase = e.rel == Rel::kProvider ? 0 : 1;
        if (dist[e.to][to_phase] <= hop) continue;
        dist[e.to][to_phase] = hop;
        next.push_back({e.to, to_phase});
      }
    frontier = std::move(next);
  }
  return dist;
}

// The fewest links of a valley-free path from a site through v to the
// client: the two halves meet at v, and at most one of them may have passed
// its top (two would make a valley at v).
int through(const Phases& site, const Phases& client) {
  return std::min({site[0] + client[0], site[0] + client[1], site[1] + client[0]});
}

std::expected<std::vector<size_t>, std::string> indices(const AsGraph& g, const AsRelOptions& o,
                                                        const std::vector<uint32_t>& ases, const char* option) {
  std::vector<size_t> out;
  for (uint32_t a : ases) {
    if (a == o.origin)
      return std::unexpected(fmt::format("{} {}: AS{} is the service's own (--origin); name the networks it connects to",
                                         option, a, a));
    const auto it = g.index.find(a);
    if (it == g.index.end())
      return std::unexpected(fmt::format("{} {}: AS{} is not in {} ({} ASes, {} links)", option, a, a, o.file,
                                         g.asn.size(), g.links));
    out.push_back(it->second);
  }
  return out;
}

struct Selection {
  std::set<size_t> ases;
  std::vector<int> nearest;  // per client, the links to its nearest site
};

std::expected<Selection, std::string> select(const AsGraph& g, const AsRelOptions& o, const std::vector<size_t>& sites,
                                             const std::vector<size_t>& clients) {
  const std::vector<Phases> from_sites = valley_free_reach(g, sites, o.depth);
  Selection sel;
  for (size_t k = 0; k < clients.size(); ++k) {
    const std::vector<Phases> from_client = valley_free_reach(g, {clients[k]}, o.depth);
    int nearest = kFar;
    for (size_t v = 0; v < g.asn.size(); ++v) {
      const int links = through(from_sites[v], from_client[v]);
      if (links > o.depth) continue;
      sel.ases.insert(v);
      nearest = std::min(nearest, links);
    }
    if (nearest == kFar)
      return std::unexpected(fmt::format(
          "--clients {}: AS{} reaches no site within {} AS links along valley-free paths in {}: raise --depth, or "
          "name a site nearer it",
          o.clients[k], o.clients[k], o.depth, o.file));
    sel.nearest.push_back(nearest);
  }
  if (sel.ases.size() > static_cast<size_t>(kMostRouters))
    return std::unexpected(fmt::format(
        "--depth {} takes {} ASes of {} into the lab, one router each; anylab runs up to {}: lower --depth or name "
        "fewer clients",
        o.depth, sel.ases.size(), o.file, kMostRouters));
  return sel;
}

// Providers in a circle among the ASes taken (AS1 provides AS2, which
// provides AS3, which provides AS1): a lab anylab refuses, as routing would
// have no top. Real files can hold one (inferred relations); say where.
std::expected<void, std::string> no_provider_circle(const AsGraph& g, const AsRelOptions& o, const Selection& sel) {
  enum class Mark { kNew, kOnPath, kDone };
  std::unordered_map<size_t, Mark> mark;
  std::vector<const Edge*> path;  // provider-to-customer links walked from the start
  std::vector<size_t> from;       // the provider of each
  std::function<std::optional<size_t>(size_t)> walk = [&](size_t v) -> std::optional<size_t> {
    mark[v] = Mark::kOnPath;
    for (const Edge& e : g.adj[v]) {
      if (e.rel != Rel::kCustomer || !sel.ases.contains(e.to) || mark[e.to] == Mark::kDone) continue;
      path.push_back(&e), from.push_back(v);
      if (mark[e.to] == Mark::kOnPath) return e.to;
      if (auto circle = walk(e.to)) return circle;
      path.pop_back(), from.pop_back();
    }
    mark[v] = Mark::kDone;
    return std::nullopt;
  };
  for (size_t start : sel.ases) {
    if (mark[start] != Mark::kNew) continue;
    const auto circle = walk(start);
    if (!circle) continue;
    size_t first = 0;
    while (from[first] != *circle) ++first;
    std::string said;
    for (size_t i = first; i < path.size(); ++i)
      said += fmt::format("{}AS{} provides AS{} (line {})", i == first ? "" : ", ", g.asn[from[i]], g.asn[path[i]->to],
                          path[i]->line);
    return std::unexpected(fmt::format(
        "{}:{}: providers in a circle among the ASes taken: {}; a lab needs a top to its providers: make one of "
        "these a peering (0) in the file, or lower --depth to leave it out",
        o.file, path[first]->line, said));
  }
  return {};
}

std::string name_of(const AsGraph& g, size_t v) { return fmt::format("as{}", g.asn[v]); }

std::vector<RouterGroup> groups(const AsGraph& g, const Selection& sel) {
  std::vector<RouterGroup> out{
      {"Transit-free in the file (customers, no provider): the core", {}},
      {"Transit in the file (providers and customers)", {}},
      {"Stubs in the file (no customers)", {}}};
  std::vector<size_t> sorted(sel.ases.begin(), sel.ases.end());
  std::ranges::sort(sorted, {}, [&](size_t v) { return g.asn[v]; });
  for (size_t v : sorted) {
    const int tier = !g.has(Rel::kCustomer, v) ? 2 : g.has(Rel::kProvider, v) ? 1 : 0;
    out[tier].routers.push_back({name_of(g, v), g.asn[v]});
  }
  std::erase_if(out, [](const RouterGroup& r) { return r.routers.empty(); });
  return out;
}

std::string header(const AsRelOptions& o, const AsGraph& g, const Selection& sel, size_t links) {
  std::string nearest = "# Links from each client's AS to its nearest site:";
  size_t line = nearest.size();
  for (size_t k = 0; k < o.clients.size(); ++k) {
    const std::string item = fmt::format(" AS{} {}{}", o.clients[k], sel.nearest[k], k + 1 < o.clients.size() ? "," : ".");
    if (line + item.size() > 96) nearest += "\n#", line = 1;
    nearest += item, line += item.size();
  }
  return fmt::format(
      "# Generated by `{}`.\n"
      "# The part of {} (CAIDA AS relationships: {} ASes, {} links) that joins the service's sites\n"
      "# to its users: every AS on a valley-free path of at most {} links from a client's AS to a\n"
      "# site's, {} ASes, one router each, and the file's {} links between them with their relation\n"
      "# (-1 provider to customer: p2c; 0 peers: p2p). ASNs are the file's. The service (AS{}) is not\n"
      "# a router: its sites stand for it, each an instance announcing dns from the AS it hangs from.\n"
      "{}\n",
      o.command, o.file, g.asn.size(), g.links, o.depth, sel.ases.size(), links, o.origin, nearest);
}

GeneratedLab lab_of(const AsRelOptions& o, const AsGraph& g, const Selection& sel) {
  GeneratedLab lab{.name = "as-rel",
                   .service_asn = o.origin,
                   .groups = groups(g, sel),
                   .peering_comment = "peerings (0 in the file)",
                   .transit_comment = "provider to customer (-1 in the file)",
                   .site_comment = "The service's sites: each an instance announcing dns from the AS it hangs from",
                   .user_comment = "Users: a client in each AS given"};
  std::vector<std::pair<uint32_t, uint32_t>> peerings, transit;
  for (size_t v : sel.ases)
    for (const Edge& e : g.adj[v]) {
      if (!sel.ases.contains(e.to)) continue;
      if (e.rel == Rel::kCustomer) transit.push_back({g.asn[v], g.asn[e.to]});
      if (e.rel == Rel::kPeer && g.asn[v] < g.asn[e.to]) peerings.push_back({g.asn[v], g.asn[e.to]});
    }
  std::ranges::sort(peerings), std::ranges::sort(transit);
  for (const auto& [a, b] : peerings) lab.peerings.emplace_back(fmt::format("as{}", a), fmt::format("as{}", b));
  for (const auto& [a, b] : transit) lab.transit.emplace_back(fmt::format("as{}", a), fmt::format("as{}", b));
  for (uint32_t s : o.sites) lab.sites.push_back({fmt::format("site-as{}", s), fmt::format("as{}", s)});
  for (uint32_t c : o.clients) lab.users.push_back({fmt::format("users-as{}", c), fmt::format("as{}", c)});
  lab.header = header(o, g, sel, peerings.size() + transit.size());
  lab.description = fmt::format("{} ASes of {} around {} sites of one service and {} clients (depth {}).",
                                sel.ases.size(), o.file, o.sites.size(), o.clients.size(), o.depth);
  lab.failure_description = fmt::format(
      "The site in AS{} crashes; its users move to another site, the others stay.", o.sites.front());
  return lab;
}

std::expected<void, std::string> check_options(const AsRelOptions& o) {
  if (o.sites.empty() || o.clients.empty())
    return std::unexpected("--as-rel needs --sites and --clients (ASNs, comma-separated)");
  if (o.depth < 1 || o.depth > 8) return std::unexpected("--depth takes 1 to 8 AS links");
  for (const auto* list : {&o.sites, &o.clients}) {
    std::set<uint32_t> seen;
    for (uint32_t a : *list)
      if (!seen.insert(a).second)
        return std::unexpected(fmt::format("{} names AS{} twice", list == &o.sites ? "--sites" : "--clients", a));
  }
  return {};
}

}  // namespace

std::expected<std::vector<uint32_t>, std::string> parse_asn_list(std::string_view option, std::string_view text) {
  std::vector<uint32_t> out;
  for (std::string_view item : fields(text, ',')) {
    if (item.size() > 2 && (item.starts_with("AS") || item.starts_with("as"))) item.remove_prefix(2);
    auto asn = asn_of(item);
    if (!asn) return std::unexpected(fmt::format("{} {}: {}", option, text, asn.error()));
    out.push_back(*asn);
  }
  return out;
}

std::expected<std::string, std::string> generate_from_as_rel(const AsRelOptions& o, std::string_view text) {
  if (auto ok = check_options(o); !ok) return std::unexpected(ok.error());
  auto graph = Reader(o).read(text);
  if (!graph) return std::unexpected(graph.error());
  auto sites = indices(*graph, o, o.sites, "--sites");
  if (!sites) return std::unexpected(sites.error());
  auto clients = indices(*graph, o, o.clients, "--clients");
  if (!clients) return std::unexpected(clients.error());
  auto sel = select(*graph, o, *sites, *clients);
  if (!sel) return std::unexpected(sel.error());
  if (auto ok = no_provider_circle(*graph, o, *sel); !ok) return std::unexpected(ok.error());
  return lab_text(lab_of(o, *graph, *sel));
}

}  // namespace anylab
