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

// How a probe asks: a line over UDP, a line over TCP (a connection of its
// own), or a DNS CHAOS query over UDP. The one mapping to and from the
// words lab files, the probe's command line and the healthcheck use.
enum class Protocol { kUdp, kTcp, kDns };
std::string_view protocol_name(Protocol p);
std::optional<Protocol> parse_protocol(std::string_view name);

// The request a probe sends and the reply a responder gives: one line each.
// UDP and TCP carry the same text; a TCP connection may carry many requests
// (a long-lived connection that must survive, or break, when paths move).
// "anylab? who N" is answered "NAME N", so that replies are matched to
// their probes with several in flight; a bare request gets the name.
inline constexpr std::string_view kRequestPrefix = "anylab? who ";
inline constexpr std::string_view kRequest = "anylab? who\n";
std::string numbered_request(uint32_t seq);
// The healthcheck's question when an instance withdraws on overload: the
// responder answers "NAME ok" or "NAME overloaded" (checks/capacity.h).
inline constexpr std::string_view kHealthRequest = "anylab? health\n";

// A DNS query for CHAOS TXT hostname.bind (how operators ask an anycast DNS
// instance for its name), and the instance's answer to it.
std::string dns_query(uint16_t id);
std::optional<std::string> dns_answer(std::string_view query, std::string_view name);
// The name in a reply to dns_query(id), if it is one.
std::optional<std::string> dns_reply_name(std::string_view reply, uint16_t id);

}  // namespace anylab::checks
