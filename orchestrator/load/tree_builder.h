#pragma once

#include <unordered_map>

#include <yaml-cpp/yaml.h>

#include "core/diagnostic.h"

struct lyd_node;
struct lysc_node;

namespace anylab {

class Schema;

// Where each libyang data node came from in the user's file: the table that
// maps libyang's data paths back to YAML marks.
class MarkTable {
 public:
  void set(const lyd_node* node, SourceMark mark) { marks_[node] = mark; }
  // The node's own mark, or its nearest marked ancestor's (defaults that the
  // schema filled in have none of their own).
  SourceMark of(const lyd_node* node) const;
  // Whether the user wrote this node (libyang adds defaults and implicit
  // containers that have no mark of their own).
  bool written(const lyd_node* node) const { return node && marks_.contains(node); }

 private:
  std::unordered_map<const lyd_node*, SourceMark> marks_;
};

SourceMark mark_of(const YAML::Node& node);

// The plural list names of the schema as the singular a message needs:
// "nodes" -> "node".
std::string noun(const char* list_name);

// Walks the YAML document along the schema, building libyang data nodes.
// The schema decides what every key means, so an unknown key, a value of the
// wrong shape or type, and a duplicate key are all found here, each reported
// at its own mark; the walk goes on past them to find the rest.
class TreeBuilder {
 public:
  TreeBuilder(const Schema& schema, Diagnostics& diagnostics, MarkTable& marks)
      : schema_(schema), diag_(diagnostics), marks_(marks) {}

  // The `lab` container, owned by the caller (lyd_free_all), or nullptr.
  lyd_node* build(const YAML::Node& document);

 private:
  void fill(lyd_node* parent, const lysc_node* schema, const YAML::Node& map,
            const char* implicit_key = nullptr);
  void container(lyd_node* parent, const lysc_node* child, const YAML::Node& key, const YAML::Node& value);
  void member(lyd_node* parent, const lysc_node* child, const YAML::Node& key,
              const YAML::Node& value);
  void add_term(lyd_node* parent, const lysc_node* schema, const std::string& text, SourceMark mark);
  void add_leaf_list(lyd_node* parent, const lysc_node* schema, const YAML::Node& key,
                     const YAML::Node& value);
  void add_list(lyd_node* parent, const lysc_node* list, const YAML::Node& value);
  void add_by_name(lyd_node* parent, const lysc_node* list, const YAML::Node& value);
  lyd_node* new_entry(lyd_node* parent, const lysc_node* list, const std::string& key_value,
                      SourceMark mark);
  void shorthand(lyd_node* entry, const lysc_node* list, const YAML::Node& value, SourceMark key_mark);
  void endpoint(lyd_node* entry, const YAML::Node& value);

  const Schema& schema_;
  Diagnostics& diag_;
  MarkTable& marks_;
};

}  // namespace anylab
