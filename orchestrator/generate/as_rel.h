// `anylab generate --as-rel FILE`: the part of a real AS graph (a CAIDA
// AS-relationship file) that joins a service's sites to its users.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace anylab {

struct AsRelOptions {
  std::string file;                // named in errors, as the user gave it
  uint32_t origin = 64500;         // the service's ASN (its instances')
  std::vector<uint32_t> sites;     // ASes a site of the service hangs from
  std::vector<uint32_t> clients;   // ASes a client sits in
  int depth = 3;                   // AS hops between a client's AS and a site's
  std::string command = "";        // the command line, for the file's header
};

// CAIDA's formats: serial-1 `provider|customer|-1` and `peer|peer|0`,
// serial-2 the same with `|source`; `#` starts a comment. The lab holds every
// AS on a valley-free path of at most `depth` links from a client's AS to a
// site's, and every link of the file between two of them, with its relation.
// Errors say where (FILE:LINE for the file) and what to change.
std::expected<std::string, std::string> generate_from_as_rel(const AsRelOptions& o, std::string_view text);

// "3356,1299" as ASNs; the error names the one that is not.
std::expected<std::vector<uint32_t>, std::string> parse_asn_list(std::string_view option, std::string_view text);

}  // namespace anylab
