// load/: from the bytes of a lab file to a validated LabSpec, in phases
// (YAML syntax, YANG schema via libyang, semantic checks in C++), each phase
// reporting all of its errors with the user's line and column. Depends on
// core/ and model/; never touches the kernel or spawns processes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct ly_ctx;
struct lys_module;
struct lysc_node;

namespace anylab {

// The libyang context holding the anylab-lab module, compiled once per
// process from the YANG text embedded at build time.
class Schema {
 public:
  static Schema& get();
  ly_ctx* context() const { return ctx_; }
  const lys_module* module() const { return module_; }
  // The YANG text of the schema, for `anylab schema` style tooling and docs.
  static std::string_view yang_text();

  // Data children of a schema node (choices and cases looked through), in
  // schema order; parent == nullptr gives the top-level nodes.
  std::vector<const lysc_node*> data_children(const lysc_node* parent) const;
  const lysc_node* data_child(const lysc_node* parent, std::string_view name) const;

 private:
  Schema();
  ly_ctx* ctx_ = nullptr;
  const lys_module* module_ = nullptr;
};

// The key leaf of a list (anylab lists have exactly one key).
const lysc_node* list_key(const lysc_node* list);
// The choice a node belongs to (through its case), or nullptr.
const lysc_node* enclosing_choice(const lysc_node* node);

}  // namespace anylab
