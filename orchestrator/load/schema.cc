#include "load/schema.h"

#include <stdexcept>
#include <string>

#include <libyang/libyang.h>

namespace anylab {

extern const char kAnylabLabYang[];  // generated from yang/anylab-lab.yang

std::string_view Schema::yang_text() { return kAnylabLabYang; }

Schema& Schema::get() {
  static Schema schema;
  return schema;
}

Schema::Schema() {
  // Errors are stored and turned into the user's diagnostics, never printed.
  ly_log_options(LY_LOSTORE);
  if (ly_ctx_new(nullptr, LY_CTX_NO_YANGLIBRARY, &ctx_) != LY_SUCCESS)
    throw std::runtime_error("libyang: cannot create a context");
  lys_module* mod = nullptr;
  if (lys_parse_mem(ctx_, kAnylabLabYang, LYS_IN_YANG, &mod) != LY_SUCCESS) {
    const ly_err_item* e = ly_err_last(ctx_);
    throw std::runtime_error(std::string("libyang: the built-in schema does not compile: ") +
                             (e && e->msg ? e->msg : "unknown error"));
  }
  module_ = mod;
}

std::vector<const lysc_node*> Schema::data_children(const lysc_node* parent) const {
  std::vector<const lysc_node*> out;
  const lysc_node* last = nullptr;
  while ((last = lys_getnext(last, parent, parent ? nullptr : module_->compiled, 0)))
    out.push_back(last);
  return out;
}

const lysc_node* Schema::data_child(const lysc_node* parent, std::string_view name) const {
  for (const lysc_node* n : data_children(parent))
    if (name == n->name) return n;
  return nullptr;
}

const lysc_node* list_key(const lysc_node* list) {
  for (const lysc_node* c = lysc_node_child(list); c; c = c->next)
    if (lysc_is_key(c)) return c;
  return nullptr;
}

const lysc_node* enclosing_choice(const lysc_node* node) {
  const lysc_node* p = node->parent;
  if (p && p->nodetype == LYS_CASE) p = p->parent;
  return p && p->nodetype == LYS_CHOICE ? p : nullptr;
}

}  // namespace anylab
