// A node's own config (`config:`): the facts its template is rendered with,
// what anylab's measurements need to find in it, and which FRR daemons it
// asks for. Rendering a template runs Jinja2 (app/own_configs.h); this is
// the pure part.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/lab.h"

namespace anylab {

// The node's facts, a JSON object: a template's variables (name, kind,
// asn, router_id, loopback, interfaces, neighbors, services, ...). The
// README documents each by example.
nlohmann::json node_facts(const Lab& lab, const Node& n);

// What a node's rendered config lacks that the lab relies on, one sentence
// each naming the node: a BGP session the lab links (anylab waits for it
// and measures over it), `router bgp` with the node's ASN (events configure
// it), for BIRD the routes files anylab announces through.
std::vector<std::string> own_config_problems(const Node& n, const std::string& text);

// The file each FRR daemon of a router with its own config reads (-f).
inline constexpr const char* kFrrDaemonsConfig = "frr-daemons.conf";
// A router's own frr.conf is vtysh's integrated config; each daemon reads it
// whole and skips what is not its own, but an `exit` (or `end`) that closes
// a block the daemon does not know ends its reading there. Those lines are
// optional in FRR's files (a block ends where the next begins): this is the
// config without them.
std::string frr_for_daemons(const std::string& text);

// FRR's daemons a router's own frr.conf asks for, besides zebra, in the
// order they start: bfdd, staticd, ospfd, ospf6d, isisd as its sections
// say, and bgpd last.
std::vector<std::string> frr_daemons_for(const std::string& text);

}  // namespace anylab
