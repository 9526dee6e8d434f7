#include "load/schema_validation.h"

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

// The quoted word in a libyang message: Mandatory node "kind" instance ...
std::string quoted(const std::string& msg) {
  size_t a = msg.find('"');
  size_t b = a == std::string::npos ? a : msg.find('"', a + 1);
  return b == std::string::npos ? "" : msg.substr(a + 1, b - a - 1);
}

// The key values of the list a leafref points to: the names a user may use.
std::vector<std::string> leafref_targets(const lyd_node* root, const lysc_node* leaf) {
  const auto* t = reinterpret_cast<const lysc_type_leafref*>(
      leaf->nodetype == LYS_LEAF ? reinterpret_cast<const lysc_node_leaf*>(leaf)->type
                                 : reinterpret_cast<const lysc_node_leaflist*>(leaf)->type);
  const std::string target = lyxp_get_expr(t->path);
  const std::string xpath = target.find("services") != std::string::npos
                                ? "/anylab-lab:lab/services/name"
                                : "/anylab-lab:lab/topology/nodes/name";
  std::vector<std::string> out;
  ly_set* set = nullptr;
  if (lyd_find_xpath(root, xpath.c_str(), &set) == LY_SUCCESS) {
    for (uint32_t i = 0; i < set->count; ++i) out.emplace_back(lyd_get_value(set->dnodes[i]));
    ly_set_free(set, nullptr);
  }
  return out;
}

std::string target_noun(const std::vector<std::string>&, const lysc_node* leaf) {
  const auto* t = reinterpret_cast<const lysc_type_leafref*>(
      leaf->nodetype == LYS_LEAF ? reinterpret_cast<const lysc_node_leaf*>(leaf)->type
                                 : reinterpret_cast<const lysc_node_leaflist*>(leaf)->type);
  return std::string(lyxp_get_expr(t->path)).find("services") != std::string::npos ? "service"
                                                                                    : "node";
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

std::string count_message(const lyd_node* node, const std::string& msg) {
  const lysc_node* s = node->schema;
  uint32_t min = 0, max = 0;
  if (s->nodetype == LYS_LIST) {
    min = reinterpret_cast<const lysc_node_list*>(s)->min;
    max = reinterpret_cast<const lysc_node_list*>(s)->max;
  } else if (s->nodetype == LYS_LEAFLIST) {
    min = reinterpret_cast<const lysc_node_leaflist*>(s)->min;
    max = reinterpret_cast<const lysc_node_leaflist*>(s)->max;
  }
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

void validate_tree(lyd_node** tree, const MarkTable& marks, Diagnostics& diag) {
  ly_ctx* ctx = Schema::get().context();
  std::set<std::string> lost_child;    // paths of nodes that lost a child to pruning
  std::set<std::string> pruned_names;  // names of pruned services and nodes
  for (int round = 0; round < 100000 && *tree; ++round) {
    ly_err_clean(ctx, nullptr);
    if (lyd_validate_all(tree, ctx, LYD_VALIDATE_PRESENT, nullptr) == LY_SUCCESS) return;
    const ly_err_item* e = ly_err_first(ctx);
    const std::string msg = e && e->msg ? e->msg : "the lab does not validate";
    lyd_node* node = e && e->path ? nearest_node(*tree, e->path) : nullptr;
    if (!node) {
      diag.error({}, msg);  // a bug in the schema mapping, not in the user's file
      return;
    }
    const std::string path = path_of(node);
    const bool is_mandatory = msg.starts_with("Mandatory");
    const bool follows = (is_mandatory || msg.starts_with("Too few")) && lost_child.contains(path);
    const SourceMark mark = marks.of(node);
    std::string text;
    if (msg.find("leafref") != std::string::npos) {
      const std::string value = lyd_get_value(node);
      if (!pruned_names.contains(value)) {
        auto targets = leafref_targets(*tree, node->schema);
        text = fmt::format("unknown {} \"{}\"; {}", target_noun(targets, node->schema), value,
                           suggestion_tail(value, targets, "one of"));
      }
    } else if (msg.starts_with("Mandatory choice")) {
      text = fmt::format("a {} needs one of: {}", noun(node->schema->name),
                         choice_alternatives(node->schema, quoted(msg)));
    } else if (is_mandatory) {
      text = fmt::format("missing \"{}\"", quoted(msg));
      if (node->schema->nodetype == LYS_LIST)
        text += fmt::format(" in {} \"{}\"", noun(node->schema->name), lyd_get_value(lyd_child(node)));
    } else if (msg.starts_with("Too few") || msg.starts_with("Too many")) {
      text = count_message(node, msg);
    } else {
      text = msg;
    }
    if (!follows && !text.empty()) diag.error(mark, text);

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
