#include "load/value_errors.h"

#include <vector>

#include <fmt/format.h>
#include <libyang/libyang.h>

#include "load/suggest.h"

namespace anylab {
namespace {

const lysc_type* type_of(const lysc_node* s) {
  if (s->nodetype == LYS_LEAF) return reinterpret_cast<const lysc_node_leaf*>(s)->type;
  if (s->nodetype == LYS_LEAFLIST) return reinterpret_cast<const lysc_node_leaflist*>(s)->type;
  return nullptr;
}

const lysc_type* real_type(const lysc_type* t) {
  if (t && t->basetype == LY_TYPE_LEAFREF) return reinterpret_cast<const lysc_type_leafref*>(t)->realtype;
  return t;
}

bool is_unsigned(LY_DATA_TYPE t) {
  return t == LY_TYPE_UINT8 || t == LY_TYPE_UINT16 || t == LY_TYPE_UINT32 || t == LY_TYPE_UINT64;
}

std::string number_reason(const lysc_type* t, std::string_view ly_msg) {
  const lysc_range* range = reinterpret_cast<const lysc_type_num*>(t)->range;
  // libyang uses the schema's own error-message when the value is a number
  // outside the range; a value that is no number at all gets a plain word.
  if (range && range->emsg && ly_msg == range->emsg) return range->emsg;
  if (range && LY_ARRAY_COUNT(range->parts) == 1)
    return fmt::format("expected a whole number from {} to {}", range->parts[0].min_u64,
                       range->parts[0].max_u64);
  switch (t->basetype) {
    case LY_TYPE_UINT8: return "expected a whole number from 0 to 255";
    case LY_TYPE_UINT16: return "expected a whole number from 0 to 65535";
    case LY_TYPE_UINT32: return "expected a whole number from 0 to 4294967295";
    default: return "expected a whole number";
  }
}

}  // namespace

bool is_address_leaf(std::string_view name) {
  return name == "prefix" || name == "address" || name == "addresses" || name == "more-specifics";
}

std::vector<std::string> enum_names(const lysc_node* schema) {
  std::vector<std::string> out;
  const lysc_type* t = real_type(type_of(schema));
  if (!t || t->basetype != LY_TYPE_ENUM) return out;
  const auto* e = reinterpret_cast<const lysc_type_enum*>(t);
  LY_ARRAY_COUNT_TYPE i;
  LY_ARRAY_FOR(e->enums, i) { out.emplace_back(e->enums[i].name); }
  return out;
}

std::string value_error(const lysc_node* schema, std::string_view value, const ly_err_item* error) {
  const std::string ly_msg = error && error->msg ? error->msg : "invalid value";
  const lysc_type* t = real_type(type_of(schema));
  std::string reason = ly_msg;
  if (t && is_unsigned(t->basetype)) {
    reason = number_reason(t, ly_msg);
  } else if (t && t->basetype == LY_TYPE_ENUM) {
    const auto names = enum_names(schema);
    reason = fmt::format("expected one of: {}", fmt::join(names, ", "));
    if (auto n = nearest(value, names)) reason += fmt::format("; did you mean \"{}\"?", *n);
  } else if (t && t->basetype == LY_TYPE_BOOL) {
    reason = "expected true or false";
  } else if (t && t->basetype == LY_TYPE_UNION && is_address_leaf(schema->name)) {
    // Each member type's message would name one family only.
    reason = std::string_view(schema->name) == "address"
                 ? "expected an IPv4 or IPv6 address, like 192.0.2.53 or 2001:db8:53::53"
                 : "expected an IPv4 or IPv6 prefix with its length, like 192.0.2.0/24 or 2001:db8:53::/48";
  } else if (!reason.empty()) {
    // libyang's own sentences start with a capital and end with a period;
    // ours run on after "invalid X: ".
    if (reason.back() == '.') reason.pop_back();
  }
  return fmt::format("invalid {} \"{}\": {}", schema->name, value, reason);
}

}  // namespace anylab
