#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "plan/render_exabgp.h"
#include "runtime/node_runtime.h"

namespace anylab {

// Breaking a running lab on purpose, and mending it. Each event is planned
// as actions (plan.h's second half: a link's end down, a daemon's
// configuration, an ExaBGP command, a recorded process killed, loss and
// delay) and carried out by the runtime's backend, or asks the runtime to
// kill, freeze or continue a node's processes; so a fake runtime shows
// what each would do (tests/events_test.cc). Each takes effect at once; the
// caller stamps the moment it returned as the event's time. A name the lab
// does not have is an input error; what the running lab refuses, an
// environment error.
class LabEvents {
 public:
  using Result = std::expected<void, Error>;
  LabEvents(const Lab& lab, const NodeRuntime& runtime) : lab_(lab), runtime_(runtime) {}

  // A link cut or mended: both ends down (both sides lose carrier, as with
  // a pulled cable) or up, every parallel link between the two together.
  // Mended, the two nodes' routes are put back: the kernel dropped those
  // through the link (an instance's default route among them).
  Result set_link(const std::string& a, const std::string& b, bool up) const;

  // crash: every process of the node killed; freeze: stopped with SIGSTOP
  // (peers notice only when their hold timer expires); service: the
  // responder killed while the announcement stays.
  Result fail_node(const std::string& node, FailMode mode) const;

  // Back to the node's deployed state, whatever broke it: stopped processes
  // continued, and every planned process of the node that no longer runs
  // started again (zebra waited for before bgpd), recorded in the journal.
  Result restore_node(const std::string& node) const;

  // A BGP session administratively shut down (`neighbor X shutdown` at each
  // router end; an instance's ExaBGP is left alone) or enabled again.
  Result set_bgp_session(const std::string& a, const std::string& b, bool up) const;

  // A policy step applied at once. On a router: local-pref on the routes it
  // imports from `peer`, MED and prepend on those it exports to it, each a
  // route-map of anylab's own (ANYLAB-IN-<peer>, ANYLAB-OUT-<peer>). On an
  // instance: its announcements sent again with the new prepend or MED. Each
  // change is followed by a soft clear toward the peer, so that an edit of a
  // route-map already attached takes effect too.
  Result apply_policy(const PolicyStep& policy) const;
  // The deployed policy back: anylab's route-maps removed, or the instance's
  // announcements sent again with the lab file's attributes.
  Result clear_policy(const PolicyStep& policy) const;

  // Loss (nftables, on what enters each end) and delay (netem, on what
  // leaves each end) on a link, both directions; and their removal.
  Result impair(const ImpairStep& impairment) const;
  Result clear_impairment(const ImpairStep& impairment) const;

  // ExaBGP API commands ("announce route ...", "withdraw route ...") to an
  // instance, through the FIFO its anylab-exabgp-relay reads; fails at once
  // if no relay is reading.
  Result exabgp(const std::string& instance, const std::vector<std::string>& commands) const;

 private:
  std::expected<const Node*, Error> node(const std::string& name) const;
  Result carry_out(const std::vector<Action>& actions, bool journal = false) const;
  Result configure_policy(const Node& router, const PolicyStep& p, bool apply) const;
  Result reannounce(const Node& instance, const RouteAttributes& attributes) const;
  const Lab& lab_;
  const NodeRuntime& runtime_;
};

}  // namespace anylab
