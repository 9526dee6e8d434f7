#include "load/tree_builder.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <libyang/libyang.h>

#include "load/schema.h"
#include "load/suggest.h"
#include "load/value_errors.h"

namespace anylab {
namespace {

const char* shape(const YAML::Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "nothing";
  return "a single value";
}

std::vector<std::string> names_of(const std::vector<const lysc_node*>& nodes, const lysc_node* skip) {
  std::vector<std::string> out;
  for (const lysc_node* n : nodes)
    if (n != skip) out.emplace_back(n->name);
  return out;
}

// Whether an entry of the list may be its key alone (no other setting is
// mandatory), and so be written as a plain name.
bool only_key_required(const lysc_node* list) {
  for (const lysc_node* c = lysc_node_child(list); c; c = c->next)
    if (!lysc_is_key(c) && (c->flags & LYS_MAND_TRUE)) return false;
  return true;
}

}  // namespace

SourceMark mark_of(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

SourceMark MarkTable::of(const lyd_node* node) const {
  for (const lyd_node* n = node; n; n = lyd_parent(n)) {
    auto it = marks_.find(n);
    if (it != marks_.end()) return it->second;
  }
  return {};
}

std::string noun(const char* list_name) {
  std::string n = list_name;
  if (n.size() > 1 && n.back() == 's') n.pop_back();
  return n;
}

lyd_node* TreeBuilder::build(const YAML::Node& document) {
  if (!document.IsDefined() || document.IsNull()) {
    diag_.error({1, 1}, "the lab file is empty; it needs at least `name:` and `topology:`");
    return nullptr;
  }
  if (!document.IsMap()) {
    diag_.error(mark_of(document),
                fmt::format("a lab file is a mapping with `name:`, `topology:` and more, not {}",
                            shape(document)));
    return nullptr;
  }
  lyd_node* root = nullptr;
  if (lyd_new_inner(nullptr, schema_.module(), "lab", 0, &root) != LY_SUCCESS)
    throw std::runtime_error("libyang: cannot create the lab container");
  marks_.set(root, {1, 1});
  fill(root, root->schema, document);
  return root;
}

// A YAML mapping into a container or list entry. implicit_key names the list
// key already taken from outside the mapping (`nodes: {r1: {...}}`).
void TreeBuilder::fill(lyd_node* parent, const lysc_node* schema, const YAML::Node& map,
                       const char* implicit_key) {
  std::map<std::string, SourceMark> seen;
  std::map<const lysc_node*, std::string> chosen;  // choice -> key that took it
  std::vector<const lysc_node*> children = schema_.data_children(schema);
  const lysc_node* key_leaf = schema->nodetype == LYS_LIST ? list_key(schema) : nullptr;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies: yaml-cpp's it-> yields a temporary, a reference would dangle.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      diag_.error(mark_of(key), "a key must be a plain word, not " + std::string(shape(key)));
      continue;
    }
    const std::string name = key.Scalar();
    auto [first, fresh] = seen.emplace(name, mark_of(key));
    if (!fresh) {
      diag_.error(mark_of(key), fmt::format("duplicate key \"{}\"; the first is on line {}", name,
                                            first->second.line));
      continue;
    }
    const lysc_node* child = schema_.data_child(schema, name);
    if (!child || (key_leaf && child == key_leaf && (implicit_key || name == "index"))) {
      diag_.error(mark_of(key), fmt::format("unknown key \"{}\"; {}", name,
                                            suggestion_tail(name, names_of(children, key_leaf))));
      continue;
    }
    if (child == key_leaf) continue;  // taken when the entry was created
    if (const lysc_node* choice = enclosing_choice(child)) {
      auto [other, first_case] = chosen.emplace(choice, name);
      if (!first_case) {
        diag_.error(mark_of(key),
                    fmt::format("\"{}\" cannot stand beside \"{}\": they are alternatives; write "
                                "one of them{}",
                                name, other->second,
                                std::string_view(choice->name) == "step" ? " per step" : ""));
        continue;
      }
    }
    member(parent, child, key, value);
  }
}

// A container: a mapping of its settings, `true`/`false` for a presence
// container, or one duration for a bound with percentiles.
void TreeBuilder::container(lyd_node* parent, const lysc_node* child, const YAML::Node& key, const YAML::Node& value) {
  const SourceMark key_mark = mark_of(key);
  auto made = [&]() -> lyd_node* {
    lyd_node* node = nullptr;
    if (lyd_new_inner(parent, nullptr, child->name, 0, &node) != LY_SUCCESS) {
      diag_.error(key_mark, value_error(child, "", ly_err_last(schema_.context())));
      return nullptr;
    }
    marks_.set(node, key_mark);
    return node;
  };
  // A bound with percentiles takes one duration as its `max` (`within: 2s`
  // for `within: {max: 2s}`).
  if (const lysc_node* max = schema_.data_child(child, "max"); max && value.IsScalar()) {
    if (lyd_node* node = made()) add_term(node, max, value.Scalar(), mark_of(value));
    return;
  }
  // A presence container may be switched on with its defaults by `true`
  // (`damping: true` for `damping: {}`), and left out by `false`.
  if ((child->flags & LYS_PRESENCE) && value.IsScalar() && (value.Scalar() == "true" || value.Scalar() == "false")) {
    if (value.Scalar() == "true") made();
    return;
  }
  if (!value.IsMap() && !value.IsNull()) {
    diag_.error(mark_of(value), fmt::format("\"{}\" takes a mapping of settings, not {}", child->name, shape(value)));
    return;
  }
  lyd_node* node = made();
  if (node && value.IsMap()) fill(node, child, value);
}

void TreeBuilder::member(lyd_node* parent, const lysc_node* child, const YAML::Node& key,
                         const YAML::Node& value) {
  const SourceMark key_mark = mark_of(key);
  switch (child->nodetype) {
    case LYS_CONTAINER:
      return container(parent, child, key, value);
    case LYS_LEAF:
      if (!value.IsScalar()) {
        diag_.error(value.IsNull() ? key_mark : mark_of(value),
                    fmt::format("\"{}\" needs a single value, not {}", child->name, shape(value)));
        return;
      }
      add_term(parent, child, value.Scalar(), mark_of(value));
      return;
    case LYS_LEAFLIST:
      add_leaf_list(parent, child, key, value);
      return;
    case LYS_LIST:
      add_list(parent, child, value);
      return;
    default:
      diag_.error(key_mark, fmt::format("\"{}\" cannot be written in a lab file", child->name));
  }
}

void TreeBuilder::add_term(lyd_node* parent, const lysc_node* schema, const std::string& text,
                           SourceMark mark) {
  lyd_node* node = nullptr;
  ly_err_clean(schema_.context(), nullptr);
  if (lyd_new_term(parent, nullptr, schema->name, text.c_str(), 0, &node) != LY_SUCCESS) {
    diag_.error(mark, value_error(schema, text, ly_err_last(schema_.context())));
    return;
  }
  marks_.set(node, mark);
}

void TreeBuilder::add_leaf_list(lyd_node* parent, const lysc_node* schema, const YAML::Node& key,
                                const YAML::Node& value) {
  if (value.IsScalar()) {  // `communities: 64500:1` for a list of one
    add_term(parent, schema, value.Scalar(), mark_of(value));
    return;
  }
  if (!value.IsSequence()) {
    diag_.error(value.IsNull() ? mark_of(key) : mark_of(value),
                fmt::format("\"{}\" takes a list like [a, b], not {}", schema->name, shape(value)));
    return;
  }
  std::map<std::string, SourceMark> seen;
  for (const YAML::Node& item : value) {
    if (!item.IsScalar()) {
      diag_.error(mark_of(item), fmt::format("\"{}\" is a list of single values, not of {}",
                                             schema->name, shape(item)));
      continue;
    }
    auto [first, fresh] = seen.emplace(item.Scalar(), mark_of(item));
    if (!fresh) {
      diag_.error(mark_of(item), fmt::format("\"{}\" is already in this list", item.Scalar()));
      continue;
    }
    add_term(parent, schema, item.Scalar(), mark_of(item));
  }
}

lyd_node* TreeBuilder::new_entry(lyd_node* parent, const lysc_node* list, const std::string& key_value,
                                 SourceMark mark) {
  lyd_node* entry = nullptr;
  ly_err_clean(schema_.context(), nullptr);
  if (lyd_new_list(parent, nullptr, list->name, 0, &entry, key_value.c_str()) != LY_SUCCESS) {
    diag_.error(mark, value_error(list_key(list), key_value, ly_err_last(schema_.context())));
    return nullptr;
  }
  marks_.set(entry, mark);
  marks_.set(lyd_child(entry), mark);
  return entry;
}

// Lists come in two shapes. Named things (services, nodes) are a mapping
// from name to settings, or a sequence of mappings with a `name:` (as
// scenarios are written). Everything else is a sequence, numbered by index.
void TreeBuilder::add_list(lyd_node* parent, const lysc_node* list, const YAML::Node& value) {
  const lysc_node* key_leaf = list_key(list);
  const bool numbered = std::string_view(key_leaf->name) == "index";
  if (value.IsNull()) return;  // `scenarios:` with nothing under it yet
  if (value.IsMap() && !numbered) {
    add_by_name(parent, list, value);
    return;
  }
  if (!value.IsSequence()) {
    diag_.error(mark_of(value), fmt::format("\"{}\" takes a list{}, not {}", list->name,
                                            numbered ? "" : " or a mapping by name", shape(value)));
    return;
  }
  std::map<std::string, SourceMark> names;
  uint32_t index = 0;
  for (const YAML::Node& item : value) {
    ++index;
    if (numbered) {
      lyd_node* entry = new_entry(parent, list, std::to_string(index), mark_of(item));
      if (!entry) continue;
      if (item.IsMap()) fill(entry, list, item);
      else shorthand(entry, list, item, mark_of(item));
      continue;
    }
    // `instances: [a, b]`: plain names, for a list whose other settings are
    // all optional (the same list also reads `{a: {at-least: 30%}, b: {}}`).
    const bool plain = item.IsScalar() && only_key_required(list);
    const YAML::Node name = plain ? item : item.IsMap() ? item[key_leaf->name] : YAML::Node();
    if (!name.IsDefined() || !name.IsScalar()) {
      diag_.error(mark_of(item), fmt::format("each {} needs a `{}:`", noun(list->name), key_leaf->name));
      continue;
    }
    auto [first, fresh] = names.emplace(name.Scalar(), mark_of(name));
    if (!fresh) {
      diag_.error(mark_of(name), fmt::format("duplicate {} \"{}\"; the first is on line {}",
                                             noun(list->name), name.Scalar(), first->second.line));
      continue;
    }
    lyd_node* entry = new_entry(parent, list, name.Scalar(), mark_of(name));
    if (entry && !plain) fill(entry, list, item);
  }
}

// `nodes: {r1: {...}, r2: {...}}`: a list's entries by name.
void TreeBuilder::add_by_name(lyd_node* parent, const lysc_node* list, const YAML::Node& value) {
  const lysc_node* key_leaf = list_key(list);
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it->first.IsScalar()) {
      diag_.error(mark_of(it->first), fmt::format("a {} name must be a plain word", noun(list->name)));
      continue;
    }
    const std::string name = it->first.Scalar();
    bool duplicate = false;
    for (auto prev = value.begin(); prev != it; ++prev)
      if (prev->first.IsScalar() && prev->first.Scalar() == name) {
        diag_.error(mark_of(it->first), fmt::format("duplicate {} \"{}\"; the first is on line {}",
                                                    noun(list->name), name, mark_of(prev->first).line));
        duplicate = true;
        break;
      }
    if (duplicate) continue;
    lyd_node* entry = new_entry(parent, list, name, mark_of(it->first));
    if (!entry) continue;
    if (it->second.IsMap()) fill(entry, list, it->second, key_leaf->name);
    else if (!it->second.IsNull()) shorthand(entry, list, it->second, mark_of(it->first));
  }
}

// The short forms users write instead of a mapping: a link as `[a, b]`, an
// endpoint as "node:interface", a catchment entry as `instance: [clients]`.
void TreeBuilder::shorthand(lyd_node* entry, const lysc_node* list, const YAML::Node& value,
                            SourceMark key_mark) {
  const std::string_view name = list->name;
  if (name == "links" && value.IsSequence()) {
    const lysc_node* endpoints = schema_.data_child(list, "endpoints");
    add_list(entry, endpoints, value);
    return;
  }
  if (name == "endpoints" && value.IsScalar()) {
    endpoint(entry, value);
    return;
  }
  // A list with one setting besides its key takes that setting directly.
  std::vector<const lysc_node*> rest;
  for (const lysc_node* c : schema_.data_children(list))
    if (!lysc_is_key(c)) rest.push_back(c);
  if (rest.size() == 1) {
    YAML::Node key;
    member(entry, rest[0], key, value);
    return;
  }
  diag_.error(value.IsNull() ? key_mark : mark_of(value),
              fmt::format("a {} is written as a mapping, not {}", noun(list->name), shape(value)));
}

// "client-ap:eth1" or "client-ap". Each part gets its own column, so that an
// error about the interface points at the interface.
void TreeBuilder::endpoint(lyd_node* entry, const YAML::Node& value) {
  const std::string text = value.Scalar();
  const SourceMark mark = mark_of(value);
  const int quote = value.Tag() == "!" ? 1 : 0;  // yaml-cpp tags quoted scalars "!"
  const size_t colon = text.find(':');
  const lysc_node* list = lysc_node_child(entry->schema)->parent;
  add_term(entry, schema_.data_child(list, "node"), text.substr(0, colon),
           {mark.line, mark.column + quote});
  if (colon != std::string::npos)
    add_term(entry, schema_.data_child(list, "interface"), text.substr(colon + 1),
             {mark.line, mark.column + quote + static_cast<int>(colon) + 1});
}

}  // namespace anylab
