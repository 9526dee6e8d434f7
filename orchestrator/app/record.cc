#include "app/record.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "app/sweep.h"
#include "load/loader.h"
#include "route.h"
#include "runtime/frr_vty.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool top_level_key(const std::string& line) {
  return !line.empty() && line[0] != ' ' && line[0] != '#' && line[0] != '-' && line[0] != '\t';
}

// Each stream's catchment (and the clients nobody answered), as steps.
std::string catchment_steps(const Lab& lab, const std::string& item, bool& settled) {
  std::string out;
  for (const auto& [stream, by_client] : answers_when_still(lab, settled)) {
    const std::string service = stream.substr(0, stream.find(' ')), family = stream.substr(stream.find(' ') + 1);
    const ServiceSpec* sv = lab.spec.find_service(service);
    const std::string family_key = sv && sv->families().size() > 1 ? ", family: " + family : "";
    std::map<std::string, std::vector<std::string>> by_instance;
    std::string dark;
    for (const auto& [client, instance] : by_client) {
      if (!instance.empty()) by_instance[instance].push_back(client);
      else
        dark += fmt::format("{}expect: {{client: {}, unreachable: true{}{}}}\n", item, client,
                            lab.spec.services.size() > 1 ? ", service: " + service : "", family_key);
    }
    std::string catchment;
    for (const auto& [instance, clients] : by_instance)
      catchment += fmt::format("{}{}: [{}]", catchment.empty() ? "" : ", ", instance, fmt::join(clients, ", "));
    if (!catchment.empty()) out += fmt::format("{}expect: {{catchment: {{{}}}{}}}\n", item, catchment, family_key);
    out += dark;
  }
  return out;
}

// Each router's best path to each service prefix: its neighbour and AS path
// (a route it originates itself is not recorded), or none at all.
std::string route_steps(const Lab& lab, const std::string& item) {
  std::string out;
  for (const Node& n : lab.nodes) {
    if (n.kind != NodeKind::kRouter) continue;
    for (const ServiceSpec& sv : lab.spec.services)
      for (const Marked<IpPrefix>& p : sv.prefixes) {
        const auto answer = frr_vty(n.netns, "bgpd",
                                    fmt::format("show bgp {} unicast {} json", to_string(p.value.family()), p.value.str()));
        if (!answer) continue;
        const auto best = checks::best_path(*answer);
        if (!best) {
          out += fmt::format("{}expect: {{route: {{node: {}, prefix: {}, absent: true}}}}\n", item, n.name, p.value.str());
          continue;
        }
        std::string via;
        for (const BgpNeighbor& nb : n.neighbors)
          if (nb.address.str() == best->peer) via = nb.node;
        if (via.empty()) continue;
        // Chosen by age, the path depends on which session came up first.
        const bool by_age = best->reason == "Older Path";
        out += fmt::format("{}expect: {{route: {{node: {}, prefix: {}, via: {}, as-path: \"{}\"}}}}{}\n", item, n.name,
                           p.value.str(), via, best->as_path,
                           by_age ? "  # FRR chose it by age (Older Path): another deploy may not; "
                                    "`bgp bestpath compare-routerid` makes it the lab's choice"
                                  : "");
      }
  }
  return out;
}

}  // namespace

std::string scenario_indent(const std::string& lab_text) {
  bool in = false;
  for (const std::string& line : lines_of(lab_text)) {
    if (line.rfind("scenarios:", 0) == 0) in = true;
    else if (in && top_level_key(line)) break;
    else if (in && line.find_first_not_of(' ') != std::string::npos && line[line.find_first_not_of(' ')] == '-')
      return line.substr(0, line.find_first_not_of(' '));
  }
  return "  ";
}

std::expected<std::string, Error> record_steady_state(const Lab& lab, const std::string& indent,
                                                       const std::string& when) {
  const std::string item = indent + "    - ";
  bool settled = true;
  const std::string steps = catchment_steps(lab, item, settled) + route_steps(lab, item);
  if (steps.empty()) return fail("nothing to record: no client answered and no router has a route to the service");
  return fmt::format("{0}# Recorded by anylab --record {1}: the lab's steady state as measured{2}. Review it and keep\n"
                     "{0}# it: run again, any change fails. Record again to replace it.\n"
                     "{0}- name: {3}\n"
                     "{0}  description: Each client's instance and each router's best path, as recorded.\n"
                     "{0}  steps:\n{4}",
                     indent, when, settled ? "" : " (the answers were still changing after the lab's settle time)",
                     kRecordedScenario, steps);
}

std::string with_recorded(const std::string& lab_text, const std::string& scenario_yaml) {
  std::vector<std::string> lines = lines_of(lab_text);
  const std::vector<std::string> added = lines_of(scenario_yaml);
  size_t start = lines.size();
  for (size_t k = 0; k < lines.size(); ++k)
    if (lines[k].rfind("scenarios:", 0) == 0) start = k;
  if (start == lines.size()) {
    lines.push_back("scenarios:");
    lines.insert(lines.end(), added.begin(), added.end());
  } else {
    size_t end = start + 1;
    while (end < lines.size() && !top_level_key(lines[end])) ++end;
    const std::string indent = scenario_indent(lab_text);
    size_t from = end, to = end;  // the old recording, if any
    for (size_t k = start + 1; k < end; ++k)
      if (lines[k] == indent + "- name: " + kRecordedScenario) {
        from = k;
        while (from > start + 1 && lines[from - 1].rfind(indent + "# ", 0) == 0) --from;
        to = k + 1;
        while (to < end && lines[to].rfind(indent + "- ", 0) != 0 && lines[to].rfind(indent + "# Recorded", 0) != 0) ++to;
        // Comments just above the next scenario are that scenario's.
        while (to < end && to > k + 1 && lines[to - 1].rfind(indent + "#", 0) == 0) --to;
      }
    if (from == end)
      while (from > start + 1 && lines[from - 1].find_first_not_of(' ') == std::string::npos) from = to = from - 1;
    lines.erase(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(to));
    lines.insert(lines.begin() + static_cast<long>(from), added.begin(), added.end());
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::expected<std::string, Error> record_into(const Lab& lab, const std::string& file, const std::string& when) {
  std::ifstream in(file);
  if (!in || !fs::is_regular_file(file))
    return std::unexpected(Error::input(fmt::format("--record writes into the lab file: \"{}\" is not one; give the "
                                                    "lab's YAML file",
                                                    file)));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto scenario = record_steady_state(lab, scenario_indent(text), when);
  if (!scenario) return std::unexpected(scenario.error());
  const std::string updated = with_recorded(text, *scenario);
  SourceFile check(file, updated);
  if (auto loaded = load_lab(check); !loaded)
    return fail(fmt::format("the recorded scenario would not load, nothing written:\n{}",
                            format_diagnostics(check, loaded.error())));
  const std::string temp = file + ".anylab-record";
  std::ofstream(temp, std::ios::trunc) << updated;
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) return fail(fmt::format("cannot write {}: {}", file, ec.message()));
  size_t steps = 0;
  for (const std::string& l : lines_of(*scenario)) steps += l.find("- expect:") != std::string::npos;
  return fmt::format("recorded {} expectations into {} (scenario \"{}\"): review them, keep them", steps, file,
                     kRecordedScenario);
}

}  // namespace anylab
