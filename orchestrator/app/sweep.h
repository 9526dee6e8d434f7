// `anylab sweep LAB --vary KNOB`: the catchment of a deployed lab under
// each setting of one or two announcement knobs (a site's prepend, its MED,
// the site on or off), the way operators try announcements before a change:
// per setting, which instance answers each client (per service and family)
// and each instance's share of the clients' weight.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/session.h"
#include "core/error.h"
#include "model/lab.h"

namespace anylab {

// One knob: what it changes, on which instance, and its values in order.
struct SweepKnob {
  enum class Kind { kPrepend, kMed, kSite };
  Kind kind = Kind::kPrepend;
  std::string instance;
  std::vector<uint32_t> values;  // kSite: 1 on, 0 off
  std::string text;              // as given: "prepend:pop-sin=0..3"
};
// "prepend:INSTANCE=0..3", "prepend:INSTANCE=0,2,4", "med:INSTANCE=0,100",
// "site:INSTANCE=on,off"; the error says what is wrong and the forms.
std::expected<SweepKnob, std::string> parse_knob(const std::string& text);

struct SweepRow {
  std::vector<std::pair<std::string, uint32_t>> setting;  // knob text (without values) -> value
  // Per "service family" stream, client -> instance ("" for nobody).
  std::map<std::string, std::map<std::string, std::string>> answers;
  // Per stream, instance -> its share of the clients' weight, in percent.
  std::map<std::string, std::map<std::string, double>> shares;
  bool settled = true;  // the answers held still before they were read
};

struct SweepResult {
  std::string lab;
  std::vector<std::string> clients;  // in node order
  std::vector<SweepRow> rows;
};

// Sets each combination of the knobs' values in turn (every other
// announcement as the lab has it), waits until every client's answer has
// held still for a second (at most the lab's settle), reads who answers
// each, and puts the lab's own announcements back at the end.
std::expected<SweepResult, Error> sweep(const Lab& lab, const std::vector<SweepKnob>& knobs, Messages& messages);

// Who answers every client now (per "service family" stream, client ->
// instance, "" for nobody), read once the answers have held still for a
// second (at most the lab's settle); `settled` says whether they did.
std::map<std::string, std::map<std::string, std::string>> answers_when_still(const Lab& lab, bool& settled);

std::string sweep_text(const SweepResult& r);
std::string sweep_json(const SweepResult& r);

}  // namespace anylab
