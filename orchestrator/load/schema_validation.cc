#include "load/schema_validation.h"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include <fmt/format.h>
#include <libyang/libyang.h>

#include "load/schema.h"
#include "load/suggest.h"
#include "load/tree_builder.h"

namespace anylab {
namespace {

std::string path_of(const lyd_node* node) {
  char* p = lyd_path(node, LYD_PATH_STD, nullptr, 0);
  std::string out = p ? p : "";
  free(p);
  return out;
}

// The node at a libyang data path, or its nearest existing ancestor (an
// error about a missing node names the missing node's path).
lyd_node* nearest_node(lyd_node* tree, std::string path) {
  while (!path.empty()) {
    lyd_node* node = nullptr;
    if (lyd_find_path(tree, path.c_str(), 0, &node) == LY_SUCCESS && node) return node;
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    path.resize(slash);
  }
  return nullptr;
}

// libyang 2.1 words its error path as `Data location "/a/b".` (and may add
// a schema location); the data path is the part a tree can be searched with.
std::string data_location(const std::string& text) {
  const std::string tag = "ata location \"";
  size_t at = text.find(tag);
  if (at == std::string::npos) return text.starts_with("/") ? text : "";
  at += tag.size();
  size_t end = text.find('"', at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// A schema path as libyang logs it names choices and cases too
// (/m:lab/scenarios/steps/step/fail/fail/target); a data XPath must not.
std::string schema_location(const std::string& text) {
  const std::string tag = "chema location \"";
  size_t at = text.find(tag);
  if (at == std::string::npos) return "";
  at += tag.size();
  const std::string path = text.substr(at, text.find('"', at) - at);
  std::string out;
  const lysc_node* cur = nullptr;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    std::string seg = path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? path.size() + 1 : end + 1;
    std::string name = seg.substr(seg.find(':') == std::string::npos ? 0 : seg.find(':') + 1);
    const lysc_node* next = nullptr;
    if (!cur) next = Schema::get().data_child(nullptr, name);
    else
      for (const lysc_node* c = lysc_node_child(cur); c && !next; c = c->next)
        if (name == c->name) next = c;
    if (!next) return path;  // not as expected: let the caller fail visibly
    cur = next;
    const bool last = pos > path.size();  // the missing node itself may be a choice
    if (last || (cur->nodetype & (LYS_CHOICE | LYS_CASE)) == 0) out += "/" + seg;
  }
  return out;
}

uint32_t count_children(const lyd_node* node, std::string_view name) {
  uint32_t n = 0;
  for (const lyd_node* c = lyd_child(node); c; c = c->next) n += name == c->schema->name;
  return n;
}

void min_max(const lysc_node* s, uint32_t& min, uint32_t& max) {
  min = 0;
  max = UINT32_MAX;
  if (s && s->nodetype == LYS_LIST) {
    min = reinterpret_cast<const lysc_node_list*>(s)->min;
    max = reinterpret_cast<const lysc_node_list*>(s)->max;
  } else if (s && s->nodetype == LYS_LEAFLIST) {
    min = reinterpret_cast<const lysc_node_leaflist*>(s)->min;
    max = reinterpret_cast<const lysc_node_leaflist*>(s)->max;
  }
}

bool has_child_named(const lyd_node* node, std::string_view name) {
  for (const lyd_node* c = lyd_child(node); c; c = c->next) {
    if (name == c->schema->name) return true;
    // a choice is "had" when any node of any of its cases is there
    for (const lysc_node* p = c->schema->parent; p && p != node->schema; p = p->parent)
      if (p->nodetype == LYS_CHOICE && name == p->name) return true;
  }
  return false;
}

// A mandatory-node error names only the schema path of what is missing; the
// node that lacks it is the first instance of its parent without it.
lyd_node* lacking_instance(lyd_node* tree, std::string path, const std::string& missing,
                           const lysc_node* counted = nullptr) {
  uint32_t min = 0, max = 0;
  min_max(counted, min, max);
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return nullptr;
  path.resize(slash);
  ly_set* set = nullptr;
  lyd_node* found = nullptr;
  if (lyd_find_xpath(tree, path.c_str(), &set) == LY_SUCCESS) {
    for (uint32_t i = 0; i < set->count && !found; ++i)
      if (counted ? (count_children(set->dnodes[i], missing) < min ||
                     count_children(set->dnodes[i], missing) > max)
                  : !has_child_named(set->dnodes[i], missing))
        found = set->dnodes[i];
    ly_set_free(set, nullptr);
  }
  return found;
}

// The quoted word in a libyang message: Mandatory node "kind" instance ...
std::string quoted(const std::string& msg) {
  size_t a = msg.find('"');
  size_t b = a == std::string::npos ? a : msg.find('"', a + 1);
  return b == std::string::npos ? "" : msg.substr(a + 1, b - a - 1);
}

// What a leafref refers to: the noun for messages, and the names a user may
// use (the key values of that list in the tree).
struct LeafrefTargets {
  std::string noun;
  std::vector<std::string> names;
};

LeafrefTargets leafref_targets(const lyd_node* root, const lysc_node* leaf) {
  const auto* t = reinterpret_cast<const lysc_type_leafref*>(
      leaf->nodetype == LYS_LEAF ? reinterpret_cast<const lysc_node_leaf*>(leaf)->type
                                 : reinterpret_cast<const lysc_node_leaflist*>(leaf)->type);
  const bool service = std::string(lyxp_get_expr(t->path)).find("services") != std::string::npos;
  LeafrefTargets out{service ? "service" : "node", {}};
  ly_set* set = nullptr;
  const char* xpath = service ? "/anylab-lab:lab/services/name" : "/anylab-lab:lab/topology/nodes/name";
  if (lyd_find_xpath(root, xpath, &set) == LY_SUCCESS) {
    for (uint32_t i = 0; i < set->count; ++i) out.names.emplace_back(lyd_get_value(set->dnodes[i]));
    ly_set_free(set, nullptr);
  }
  return out;
}

std::string choice_alternatives(const lysc_node* parent, const std::string& choice_name) {
  std::vector<std::string> names;
  for (const lysc_node* c = lysc_node_child(parent); c; c = c->next) {
    if (c->nodetype != LYS_CHOICE || choice_name != c->name) continue;
    for (const lysc_node* cs = lysc_node_child(c); cs; cs = cs->next)
      for (const lysc_node* d = lysc_node_child(cs); d; d = d->next) names.emplace_back(d->name);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string count_message(const lysc_node* s, const std::string& msg) {
  uint32_t min = 0, max = 0;
  min_max(s, min, max);
  std::string many = min == max ? fmt::format("exactly {}", min)
                     : msg.starts_with("Too few") ? fmt::format("at least {}", min)
                                                  : fmt::format("at most {}", max);
  const char* what = s->nodetype == LYS_LIST && std::string_view(s->name) == "endpoints"
                         ? "a link needs"
                         : nullptr;
  if (what) return fmt::format("{} {} endpoints", what, many);
  return fmt::format("\"{}\" takes {} values", s->name, many);
}

}  // namespace

namespace {

// What libyang's first error is about: the data node it names, or for a
// missing node the instance that lacks it (and, for a count, the counted
// schema node).
struct Culprit {
  lyd_node* node = nullptr;
  const lysc_node* counted = nullptr;
};
Culprit culprit_of(ly_ctx* ctx, lyd_node* tree, const ly_err_item* e, const std::string& msg, bool is_count) {
  Culprit c;
  if (!e || !e->path) return c;
  const std::string where = data_location(e->path);
  const std::string schema_path = schema_location(e->path);
  if (is_count && !schema_path.empty()) c.counted = lys_find_path(ctx, nullptr, schema_path.c_str(), 0);
  c.node = !where.empty() ? nearest_node(tree, where) : lacking_instance(tree, schema_path, quoted(msg), c.counted);
  if (c.node && is_count && !c.counted) c.counted = c.node->schema;
  return c;
}

// libyang's message in the user's words ("" when it only follows from a
// name pruned earlier).
std::string user_message(lyd_node* tree, const Culprit& c, const std::string& msg, bool is_mandatory, bool is_count,
                         const std::set<std::string>& pruned_names) {
  const lyd_node* node = c.node;
  if (msg.find("leafref") != std::string::npos) {
    const std::string value = lyd_get_value(node);
    if (pruned_names.contains(value)) return "";
    const LeafrefTargets targets = leafref_targets(tree, node->schema);
    return fmt::format("unknown {} \"{}\"; {}", targets.noun, value, suggestion_tail(value, targets.names, "one of"));
  }
  if (msg.starts_with("Mandatory choice")) {
    const std::string options = choice_alternatives(node->schema, quoted(msg));
    return node->schema->nodetype == LYS_LIST ? fmt::format("a {} needs one of: {}", noun(node->schema->name), options)
                                              : fmt::format("\"{}\" needs one of: {}", node->schema->name, options);
  }
  if (is_mandatory)
    return node->schema->nodetype == LYS_LIST && std::string_view(lysc_node_child(node->schema)->name) == "name"
               ? fmt::format("{} \"{}\" needs \"{}\"", noun(node->schema->name), lyd_get_value(lyd_child(node)),
                             quoted(msg))
               : fmt::format("\"{}\" needs \"{}\"", node->schema->name, quoted(msg));
  if (is_count) return count_message(c.counted, msg);
  return msg;
}

}  // namespace

void validate_tree(lyd_node** tree, const MarkTable& marks, Diagnostics& diag) {
  ly_ctx* ctx = Schema::get().context();
  std::set<std::string> lost_child;    // paths of nodes that lost a child to pruning
  std::set<std::string> pruned_names;  // names of pruned services and nodes
  for (int round = 0; round < 100000 && *tree; ++round) {
    ly_err_clean(ctx, nullptr);
    if (lyd_validate_all(tree, ctx, LYD_VALIDATE_PRESENT, nullptr) == LY_SUCCESS) return;
    const ly_err_item* e = ly_err_first(ctx);
    const std::string msg = e && e->msg ? e->msg : "the lab does not validate";
    if (std::getenv("ANYLAB_DEBUG_YANG"))
      std::fprintf(stderr, "libyang: %s [%s]\n", msg.c_str(), e && e->path ? e->path : "");
    const bool is_count = msg.starts_with("Too few") || msg.starts_with("Too many");
    const bool is_mandatory = msg.starts_with("Mandatory");
    Culprit c = culprit_of(ctx, *tree, e, msg, is_count);
    if (!c.node) {
      diag.error({}, msg);  // a bug in the schema mapping, not in the user's file
      return;
    }
    lyd_node* node = c.node;
    // An error that only follows from a child pruned earlier is not reported.
    const bool follows = (is_mandatory || is_count) && lost_child.contains(path_of(node));
    const std::string text = user_message(*tree, c, msg, is_mandatory, is_count, pruned_names);
    if (!follows && !text.empty()) diag.error(marks.of(node), text);

    // Prune: the node itself, or for a missing child the node that lacks it.
    lyd_node* parent = lyd_parent(node);
    if (!parent) return;  // the root itself is wrong: nothing left to check
    if (node->schema->nodetype == LYS_LIST && (node->schema->parent == nullptr ||
                                               std::string_view(node->schema->name) == "services" ||
                                               std::string_view(node->schema->name) == "nodes"))
      pruned_names.insert(lyd_get_value(lyd_child(node)));
    if (lysc_is_key(node->schema)) {
      node = parent;
      parent = lyd_parent(node);
      if (!parent) return;
    }
    lost_child.insert(path_of(parent));
    lyd_free_tree(node);
  }
}

}  // namespace anylab
