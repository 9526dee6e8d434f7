#include "plan/speaker_routes.h"

#include <sstream>

namespace anylab {
namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The words between "[" and "]" from `at` (which names the "["); `at`
// ends past the "]". False when the list is not closed.
bool bracketed(const std::vector<std::string>& w, size_t& at, std::vector<std::string>& out) {
  if (at >= w.size() || w[at] != "[") return false;
  for (++at; at < w.size() && w[at] != "]"; ++at) out.push_back(w[at]);
  if (at >= w.size()) return false;
  ++at;
  return true;
}

// BIRD's name for a community: a pair, or a well-known one (RFC 1997).
std::string bird_community(const std::string& c) {
  if (c == "no-export") return "(65535, 65281)";
  if (c == "no-advertise") return "(65535, 65282)";
  if (c == "no-export-subconfed") return "(65535, 65283)";
  const size_t colon = c.find(':');
  return "(" + c.substr(0, colon) + ", " + c.substr(colon + 1) + ")";
}

}  // namespace

std::optional<SpeakerRoute> parse_speaker_route(std::string_view text) {
  const std::vector<std::string> w = words_of(text);
  if (w.size() < 4 || w[0] != "route" || w[2] != "next-hop" || w[3] != "self") return std::nullopt;
  SpeakerRoute r;
  r.prefix = w[1];
  for (size_t at = 4; at < w.size();) {
    const std::string& key = w[at++];
    if (key == "as-path") {
      if (!bracketed(w, at, r.as_path)) return std::nullopt;
    } else if (key == "community") {
      if (!bracketed(w, at, r.communities)) return std::nullopt;
    } else if (key == "med" && at < w.size()) {
      r.med = static_cast<uint32_t>(std::stoul(w[at++]));
    } else {
      return std::nullopt;
    }
  }
  return r;
}

std::string bird_static_route(const SpeakerRoute& r) {
  std::string attributes;
  // prepend() puts an AS in front: the path after the speaker's own AS,
  // last AS first.
  for (size_t i = r.as_path.size(); i > 1; --i) attributes += " bgp_path.prepend(" + r.as_path[i - 1] + ");";
  if (r.med) attributes += " bgp_med = " + std::to_string(*r.med) + ";";
  for (const std::string& c : r.communities) attributes += " bgp_community.add(" + bird_community(c) + ");";
  return "route " + r.prefix + " via \"lo\"" + (attributes.empty() ? ";" : " {" + attributes + " };");
}

std::string bird_routes_file(const std::vector<SpeakerRoute>& routes, bool ipv6) {
  std::string out = "# What this instance announces now; written by anylab (anylab-speaker-relay rewrites it)\n";
  for (const SpeakerRoute& r : routes)
    if (r.ipv6() == ipv6) out += bird_static_route(r) + "\n";
  return out;
}

std::vector<std::string> gobgp_route_args(const SpeakerRoute& r) {
  std::vector<std::string> out{"-a", r.ipv6() ? "ipv6" : "ipv4", r.prefix, "origin", "igp"};
  auto joined = [](auto first, auto last) {
    std::string s;
    for (auto it = first; it != last; ++it) s += (s.empty() ? "" : ",") + *it;
    return s;
  };
  if (r.as_path.size() > 1) out.insert(out.end(), {"aspath", joined(r.as_path.begin() + 1, r.as_path.end())});
  if (r.med) out.insert(out.end(), {"med", std::to_string(*r.med)});
  if (!r.communities.empty()) out.insert(out.end(), {"community", joined(r.communities.begin(), r.communities.end())});
  return out;
}

}  // namespace anylab
