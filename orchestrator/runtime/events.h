#pragma once

#include <expected>
#include <string>

#include "model/lab.h"

namespace anylab {

// Breaking a running lab on purpose, and mending it. Each takes effect at
// once; the caller stamps the moment it returned as the event's time.

// A link cut or mended: both ends down (both sides lose carrier, as with a
// pulled cable) or up.
std::expected<void, std::string> set_link(const Lab& lab, const std::string& a, const std::string& b, bool up);

// crash: every process of the node killed; freeze: stopped with SIGSTOP
// (peers notice only when their hold timer expires); service: the
// responder killed while the announcement stays.
std::expected<void, std::string> fail_node(const Lab& lab, const std::string& node, FailMode mode);

// Back to the node's deployed state, whatever broke it: stopped processes
// continued, and every planned process of the node that no longer runs
// started again (zebra waited for before bgpd), recorded in the journal.
std::expected<void, std::string> restore_node(const Lab& lab, const std::string& node);

// A BGP session administratively shut down (`neighbor X shutdown` at each
// router end; an instance's ExaBGP is left alone) or enabled again.
std::expected<void, std::string> set_bgp_session(const Lab& lab, const std::string& a, const std::string& b, bool up);

// A policy step applied at once. On a router: local-pref on the routes it
// imports from `peer`, MED and prepend on those it exports to it, each a
// route-map of anylab's own (ANYLAB-IN-<peer>, ANYLAB-OUT-<peer>). On an
// instance: its announcements sent again with the new prepend or MED. Each
// change is followed by a soft clear toward the peer, so that an edit of a
// route-map already attached takes effect too.
std::expected<void, std::string> apply_policy(const Lab& lab, const PolicyStep& policy);
// The deployed policy back: anylab's route-maps removed, or the instance's
// announcements sent again with the lab file's attributes.
std::expected<void, std::string> clear_policy(const Lab& lab, const PolicyStep& policy);

// Loss (nftables, on what enters each end) and delay (netem, on what leaves
// each end) on a link, both directions; and their removal.
std::expected<void, std::string> impair_link(const Lab& lab, const ImpairStep& impairment);
std::expected<void, std::string> clear_impairment(const Lab& lab, const ImpairStep& impairment);
// What to tell a user whose kernel lacks netem.
std::string netem_missing_message();

}  // namespace anylab
