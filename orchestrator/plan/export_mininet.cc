#include "plan/export_mininet.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "wire.h"
#include "core/base64.h"
#include "plan/plan.h"

namespace anylab {
namespace {

using nlohmann::json;

// One plan action as a row of the script's ACTIONS (a Python literal).
struct Row {
  const Action& a;
  json operator()(const CreateNamespace&) const { return {"host", a.node}; }
  json operator()(const CreateVeth& v) const {
    // A node's own pair (a background feeder's) is made inside it.
    if (v.netns_a == v.netns_b)
      return {"sh", a.node, fmt::format("ip link add {} type veth peer name {}", v.interface_a, v.interface_b)};
    // The plan's namespaces are anylab's names; the script's hosts are the nodes.
    const std::string prefix = v.netns_a.substr(0, v.netns_a.find('_') + 1);
    return {"link", v.netns_a.substr(prefix.size()), v.interface_a, v.netns_b.substr(prefix.size()), v.interface_b};
  }
  json operator()(const AddAddress& x) const {
    return {"sh", a.node, fmt::format("ip address add {} dev {}{}", x.address.str(), x.interface,
                                      x.address.address.is_v6() ? " nodad" : "")};
  }
  json operator()(const SetLinkUp& x) const { return {"up", a.node, x.interface}; }
  json operator()(const AddRoute& x) const {
    return {"sh", a.node, fmt::format("ip route replace {} via {}", x.destination.str(), x.via.str())};
  }
  json operator()(const SetSysctl& x) const {
    std::string path = x.key;
    std::replace(path.begin(), path.end(), '.', '/');
    return {"sh", a.node, fmt::format("echo {} > /proc/sys/{}", sh_word(x.value), path)};
  }
  json operator()(const CreateDirectory& d) const { return {"dir", d.path, d.frr_owned ? 1 : 0}; }
  json operator()(const WriteFile& w) const {
    // An MRT dump is bytes, not text: base64 in the script.
    if (w.path.ends_with(".mrt")) return {"file64", w.path, base64(w.content)};
    return {"file", w.path, w.content};
  }
  json operator()(const StartProcess& p) const {
    std::string line;
    for (const auto& [k, v] : p.env) line += sh_word(k + "=" + v) + " ";
    line = (line.empty() ? "" : "env " + line) + "nohup";
    for (const std::string& w : p.argv) line += " " + sh_word(w);
    line += fmt::format(" > {} 2>&1 < /dev/null &", sh_word(p.log_file.empty() ? "/dev/null" : p.log_file));
    return {"start", a.node, p.name, line};
  }
  json operator()(const WaitForSocket& w) const { return {"socket", a.node, w.path}; }
  // What events do (a link down, a configuration, ...) is never in a deploy plan.
  template <typename Change>
  json operator()(const Change&) const {
    return json::array();
  }
};

// Who answers each client in the lab's first scenario before anything
// happens: its leading expectations (reaches, catchment). Rows of [client,
// protocol, address, port, service, family, instance or ""].
json expectations(const Lab& lab) {
  std::map<std::tuple<std::string, std::string, Family>, std::string> expected;  // client, service, family
  if (!lab.spec.scenarios.empty())
    for (const StepSpec& st : lab.spec.scenarios.front().steps) {
      const auto* e = std::get_if<ExpectStep>(&st.action);
      if (!e) break;
      auto add = [&](const std::string& client, const std::string& instance) {
        const Node* n = lab.find(instance);
        if (!n || !n->service) return;
        for (Family f : n->service->families())
          if (!e->family || e->family->value == f) expected[{client, n->service->name.value, f}] = instance;
      };
      if (e->client && e->reaches) add(e->client->value, e->reaches->value);
      for (const CatchmentSpec& c : e->catchment)
        for (const auto& client : c.clients) add(client.value, c.instance.value);
    }
  json rows = json::array();
  for (const Node& n : lab.nodes) {
    if (n.kind != NodeKind::kClient) continue;
    for (const ServiceSpec& s : lab.spec.services)
      for (Family f : s.families()) {
        auto it = expected.find({n.name, s.name.value, f});
        rows.push_back({n.name, std::string(checks::protocol_name(s.probe)), s.address(f)->str(), s.port,
                        s.name.value, to_string(f), it == expected.end() ? "" : it->second});
      }
  }
  return rows;
}

// A Python literal of JSON's arrays, strings and integers (no booleans or
// nulls are written): JSON's syntax is Python's for those.
// One row a line.
std::string py(const json& rows) {
  std::string out = "[\n";
  for (const json& row : rows) out += "    " + row.dump(-1, ' ', false, json::error_handler_t::replace) + ",\n";
  return out + "]";
}

// The template with each @@NAME@@ replaced by its value, in one pass: what
// is put in is never read again for names.
std::string fill(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t at = 0;;) {
    const size_t open = text.find("@@", at);
    const size_t close = open == std::string_view::npos ? open : text.find("@@", open + 2);
    if (close == std::string_view::npos) return out.append(text.substr(at));
    auto it = values.find(std::string(text.substr(open + 2, close - open - 2)));
    out.append(text.substr(at, open - at));
    if (it == values.end()) {
      out.append("@@");  // not a name: kept, and the second @@ may open one
      at = open + 2;
      continue;
    }
    out.append(it->second);
    at = close + 2;
  }
}

}  // namespace

// plan/mininet_script.py, compiled in (CMakeLists.txt).
extern const char kMininetScript[];

std::string export_mininet(const Lab& lab) {
  json actions = json::array();
  for (const Action& a : plan_deploy(lab)) {
    json row = std::visit(Row{a}, a.what);
    row.push_back(a.reason);
    actions.push_back(row);
  }
  return fill(kMininetScript, {{"LAB", lab.name},
                               {"VERSION", ANYLAB_VERSION},
                               {"LAB_LITERAL", json(lab.name).dump()},
                               {"RUNTIME_DIR", json(lab.runtime_dir).dump()},
                               {"PROBE", json(lab.paths.host_helper_dir + "/anylab-probe").dump()},
                               {"ACTIONS", py(actions)},
                               {"EXPECT", py(expectations(lab))}});
}

}  // namespace anylab
