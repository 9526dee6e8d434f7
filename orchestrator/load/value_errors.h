#pragma once

#include <string>
#include <string_view>
#include <vector>

struct lysc_node;
struct ly_err_item;

namespace anylab {

// A message for a user about a value libyang refused for schema node
// `schema`: the leaf's name, the value, and why, in the words of the schema's
// own error-message where it has one.
std::string value_error(const lysc_node* schema, std::string_view value, const ly_err_item* error);

// Leaves that hold addresses or prefixes of either family: a bad value gets
// one message naming both, not each union member's.
bool is_address_leaf(std::string_view name);

// The allowed values of an enumeration leaf, in schema order.
std::vector<std::string> enum_names(const lysc_node* schema);

}  // namespace anylab
