// checks/: the verification side. The responder that runs in instances and
// the probe that asks it who answers. Nothing here knows how the lab was
// built, so it can be pointed at any network. Depends only on the C++
// standard library and POSIX sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anylab::checks {

// The request a probe sends and the reply a responder gives: one line each.
// UDP and TCP carry the same text; a TCP connection may carry many requests
// (a long-lived connection that must survive, or break, when paths move).
inline constexpr std::string_view kRequest = "anylab? who\n";

// A DNS query for CHAOS TXT hostname.bind (how operators ask an anycast DNS
// instance for its name), and the instance's answer to it.
std::string dns_query(uint16_t id);
std::optional<std::string> dns_answer(std::string_view query, std::string_view name);
// The name in a reply to dns_query(id), if it is one.
std::optional<std::string> dns_reply_name(std::string_view reply, uint16_t id);

}  // namespace anylab::checks
