#include "app/sweep.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/operate.h"
#include "runtime/status.h"

namespace anylab {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using Answers = std::map<std::string, std::map<std::string, std::string>>;

constexpr auto kStill = 1s;       // answers unchanged this long: settled
constexpr auto kLookEvery = 250ms;

std::string knob_name(const SweepKnob& k) { return k.text.substr(0, k.text.find('=')); }

std::optional<std::vector<uint32_t>> parse_values(const std::string& text, bool site) {
  std::vector<uint32_t> out;
  if (site) {
    for (size_t at = 0; at <= text.size();) {
      const size_t end = std::min(text.find(',', at), text.size());
      const std::string v = text.substr(at, end - at);
      if (v != "on" && v != "off") return std::nullopt;
      out.push_back(v == "on" ? 1 : 0);
      at = end + 1;
    }
    return out;
  }
  try {
    if (const size_t dots = text.find(".."); dots != std::string::npos) {
      const unsigned long from = std::stoul(text.substr(0, dots)), to = std::stoul(text.substr(dots + 2));
      if (to < from || to - from > 64) return std::nullopt;
      for (unsigned long v = from; v <= to; ++v) out.push_back(static_cast<uint32_t>(v));
      return out;
    }
    for (size_t at = 0; at <= text.size();) {
      const size_t end = std::min(text.find(',', at), text.size());
      size_t used = 0;
      const std::string v = text.substr(at, end - at);
      out.push_back(static_cast<uint32_t>(std::stoul(v, &used)));
      if (used != v.size()) return std::nullopt;
      at = end + 1;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

// Who answers every client over every service and family now, one probe each.
Answers read_answers(const Lab& lab) {
  Answers out;
  for (const Node& n : lab.nodes)
    if (n.kind == NodeKind::kClient)
      for (const ServiceSpec& sv : lab.spec.services)
        for (Family f : sv.families())
          out[sv.name.value + " " + to_string(f)][n.name] = probe(lab, n, sv, f, 300ms).instance.value_or("");
  return out;
}

// Waits until the answers have held still for a second (at most the lab's
// settle); whether they did.
bool wait_still(const Lab& lab, Answers& answers) {
  const auto start = Clock::now();
  const auto deadline = start + lab.spec.defaults.settle;
  answers = read_answers(lab);
  for (auto still_since = start;;) {
    std::this_thread::sleep_for(kLookEvery);
    Answers now = read_answers(lab);
    if (now != answers) {
      answers = std::move(now);
      still_since = Clock::now();
    }
    if (Clock::now() - still_since >= kStill && Clock::now() - start >= kStill) return true;
    if (Clock::now() > deadline) return false;
  }
}

// Every instance a knob names, announced as the setting says (the lab's own
// attributes otherwise; `values` by knob).
std::expected<void, Error> apply(const Lab& lab, const std::vector<SweepKnob>& knobs, const std::vector<uint32_t>& values) {
  std::map<std::string, AnnounceOptions> by_instance;
  for (size_t k = 0; k < knobs.size(); ++k) {
    AnnounceOptions& o = by_instance[knobs[k].instance];
    if (knobs[k].kind == SweepKnob::Kind::kPrepend) o.prepend = static_cast<int>(values[k]);
    if (knobs[k].kind == SweepKnob::Kind::kMed) o.med = values[k];
    if (knobs[k].kind == SweepKnob::Kind::kSite) o.withdraw = values[k] == 0;
  }
  for (const auto& [instance, o] : by_instance)
    if (auto sent = announce_routes(lab, instance, o); !sent) return std::unexpected(sent.error());
  return {};
}

SweepRow row_of(const Lab& lab, const std::vector<SweepKnob>& knobs, const std::vector<uint32_t>& values,
                Answers answers, bool settled) {
  SweepRow row{.setting = {}, .answers = std::move(answers), .shares = {}, .settled = settled};
  for (size_t k = 0; k < knobs.size(); ++k) row.setting.push_back({knob_name(knobs[k]), values[k]});
  for (const auto& [stream, by_client] : row.answers) {
    double total = 0;
    std::map<std::string, double> weight;
    for (const auto& [client, instance] : by_client) {
      const double w = lab.find(client)->spec->weight_or_one();
      total += w;
      weight[instance.empty() ? "(nobody)" : instance] += w;
    }
    for (auto& [instance, w] : weight) row.shares[stream][instance] = 100 * w / total;
  }
  return row;
}

std::string value_text(const std::string& knob, uint32_t v) {
  return knob.starts_with("site:") ? (v ? "on" : "off") : std::to_string(v);
}

}  // namespace

Answers answers_when_still(const Lab& lab, bool& settled) {
  Answers answers;
  settled = wait_still(lab, answers);
  return answers;
}

std::expected<SweepKnob, std::string> parse_knob(const std::string& text) {
  const std::string forms = "give prepend:INSTANCE=0..3, med:INSTANCE=0,100 or site:INSTANCE=on,off";
  const size_t colon = text.find(':'), eq = text.find('=');
  if (colon == std::string::npos || eq == std::string::npos || eq < colon)
    return std::unexpected(fmt::format("--vary {}: {}", text, forms));
  const std::string kind = text.substr(0, colon);
  SweepKnob k{.kind = kind == "med" ? SweepKnob::Kind::kMed : kind == "site" ? SweepKnob::Kind::kSite
                                                                            : SweepKnob::Kind::kPrepend,
              .instance = text.substr(colon + 1, eq - colon - 1), .values = {}, .text = text};
  if (kind != "prepend" && kind != "med" && kind != "site")
    return std::unexpected(fmt::format("--vary {}: no knob \"{}\"; {}", text, kind, forms));
  auto values = parse_values(text.substr(eq + 1), k.kind == SweepKnob::Kind::kSite);
  if (!values || values->empty())
    return std::unexpected(fmt::format("--vary {}: the values are {}", text,
                                       k.kind == SweepKnob::Kind::kSite ? "on and off, like on,off"
                                                                        : "numbers, like 0..3 or 0,2,4"));
  if (k.kind == SweepKnob::Kind::kPrepend && std::ranges::any_of(*values, [](uint32_t v) { return v > 16; }))
    return std::unexpected(fmt::format("--vary {}: a prepend is 0 to 16", text));
  k.values = std::move(*values);
  return k;
}

std::expected<SweepResult, Error> sweep(const Lab& lab, const std::vector<SweepKnob>& knobs, Messages& messages) {
  SweepResult out{.lab = lab.name, .clients = {}, .rows = {}};
  for (const Node& n : lab.nodes)
    if (n.kind == NodeKind::kClient) out.clients.push_back(n.name);
  for (const SweepKnob& k : knobs)
    if (const Node* n = lab.find(k.instance); !n || n->kind != NodeKind::kInstance)
      return std::unexpected(Error::input(fmt::format("--vary {}: lab {} has no instance \"{}\"", k.text, lab.name, k.instance)));
  std::vector<uint32_t> values(knobs.size());
  std::vector<size_t> at(knobs.size(), 0);
  for (bool more = true; more;) {
    for (size_t k = 0; k < knobs.size(); ++k) values[k] = knobs[k].values[at[k]];
    if (auto done = apply(lab, knobs, values); !done) return std::unexpected(done.error());
    Answers answers;
    const bool settled = wait_still(lab, answers);
    out.rows.push_back(row_of(lab, knobs, values, std::move(answers), settled));
    if (!settled) messages.problem("the answers were still changing at the lab's settle time; read as they stood");
    more = false;
    for (size_t k = knobs.size(); k-- > 0 && !more;) {
      if (++at[k] < knobs[k].values.size()) more = true;
      else at[k] = 0;
    }
  }
  // The lab's own announcements back.
  std::vector<SweepKnob> own;
  for (const SweepKnob& k : knobs) own.push_back({.kind = SweepKnob::Kind::kSite, .instance = k.instance, .values = {1}, .text = ""});
  if (auto done = apply(lab, own, std::vector<uint32_t>(own.size(), 1)); !done) return std::unexpected(done.error());
  return out;
}

std::string sweep_text(const SweepResult& r) {
  std::string out;
  std::map<std::string, bool> streams;
  for (const SweepRow& row : r.rows)
    for (const auto& [stream, _] : row.answers) streams[stream] = true;
  auto setting_of = [](const SweepRow& row) {
    std::string setting;
    for (const auto& [knob, v] : row.setting) setting += (setting.empty() ? "" : ", ") + knob + "=" + value_text(knob, v);
    return setting + (row.settled ? "" : " (not settled)");
  };
  size_t width = 8;
  for (const SweepRow& row : r.rows) width = std::max(width, setting_of(row).size() + 1);
  for (const auto& [stream, _] : streams) {
    out += fmt::format("sweep {}: who answers each client ({})\n", r.lab, stream);
    std::string head = fmt::format("  {:<{}}", "setting", width);
    for (const std::string& c : r.clients) head += fmt::format(" {:<14}", c);
    out += head + " shares of the clients' weight\n";
    for (const SweepRow& row : r.rows) {
      std::string line = fmt::format("  {:<{}}", setting_of(row), width);
      for (const std::string& c : r.clients) {
        const auto& by = row.answers.at(stream);
        const auto it = by.find(c);
        line += fmt::format(" {:<14}", it == by.end() ? "-" : it->second.empty() ? "NOBODY" : it->second);
      }
      std::string shares;
      for (const auto& [instance, p] : row.shares.at(stream)) shares += fmt::format("{}{} {:.0f}%", shares.empty() ? "" : ", ", instance, p);
      out += line + " " + shares + "\n";
    }
  }
  return out;
}

std::string sweep_json(const SweepResult& r) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const SweepRow& row : r.rows) {
    nlohmann::ordered_json setting = nlohmann::ordered_json::object();
    for (const auto& [knob, v] : row.setting)
      setting[knob] = knob.starts_with("site:") ? nlohmann::ordered_json(v ? "on" : "off") : nlohmann::ordered_json(v);
    rows.push_back({{"setting", setting}, {"settled", row.settled}, {"answers", row.answers}, {"shares", row.shares}});
  }
  const nlohmann::ordered_json j = {{"format", "anylab-sweep/1"}, {"lab", r.lab}, {"clients", r.clients}, {"rows", rows}};
  return j.dump(2) + "\n";
}

}  // namespace anylab
