#pragma once

#include "core/diagnostic.h"
#include "model/lab.h"

namespace anylab {

// Puts each node's own config (`config:`) in place of anylab's rendering:
// a template rendered with the node's facts by Jinja2 (an error located at
// the template's file and line), a plain file as it is. Then each is
// checked for what the lab relies on (a BGP session it links, the routes
// files of a BIRD instance) and by its own program where this machine has
// it: FRR's `vtysh -C`, `bird -p`, `gobgpd -d`. Errors are marked at the
// node's `config:`; a lab without `config:` is left as it is. A deployed
// lab's configs, read back from its nodes, were checked when it was
// deployed and are not again (every command on a running lab loads it).
Diagnostics apply_own_configs(Lab& lab);

}  // namespace anylab
