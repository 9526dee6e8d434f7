#pragma once

#include "core/error.h"

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace anylab {

// Asks one FRR daemon a command over its vty socket,
// /var/run/frr/<instance>/<daemon>.vty, with the protocol vtysh speaks: the
// command NUL-terminated, the answer ended by three NULs and a status byte.
// No process per question (vtysh costs ~30 ms of CPU; this ~0.3 ms).
// nullopt if the daemon does not answer in time or refuses the command.
// The session is in view mode (as vtysh's is before it says `enable`):
// `show` commands only; `clear` and the like need frr_enable.
std::optional<std::string> frr_vty(const std::string& instance, const std::string& daemon,
                                   const std::string& command,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The same, on a vty socket by its path. Every wait, the connect included,
// ends at `timeout`.
std::optional<std::string> vty_ask(const std::string& socket_path, const std::string& command,
                                   std::chrono::milliseconds timeout);

// Changes a running daemon's configuration: `enable`, `configure terminal`,
// each line in order, `end`, on one connection (the vty keeps its node
// between lines, as in a terminal), then each of `then` in enable mode (e.g.
// a soft clear that applies an edited route-map). Stops at the first line
// the daemon refuses; the error quotes the line and FRR's answer.
std::expected<void, Error> frr_configure(const std::string& instance, const std::string& daemon,
                                               const std::vector<std::string>& lines,
                                               const std::vector<std::string>& then = {},
                                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Runs commands in enable mode (`clear bgp ... soft in`), on one
// connection, stopping at the first the daemon refuses; the error quotes it
// and FRR's answer.
std::expected<void, Error> frr_enable(const std::string& instance, const std::string& daemon,
                                            const std::vector<std::string>& commands,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace anylab
