#include "wire.h"

namespace anylab::checks {

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kTcp: return "tcp";
    case Protocol::kDns: return "dns";
    case Protocol::kUdp: break;
  }
  return "udp";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  for (Protocol p : {Protocol::kUdp, Protocol::kTcp, Protocol::kDns})
    if (protocol_name(p) == name) return p;
  return std::nullopt;
}

std::string numbered_request(uint32_t seq) { return std::string(kRequestPrefix) + std::to_string(seq) + "\n"; }
namespace {

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v >> 8);
  s += static_cast<char>(v & 0xff);
}
uint16_t get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]));
}

const std::string kQname = std::string("\x08hostname\x04" "bind\x00", 15);
constexpr uint16_t kTxt = 16, kChaos = 3;

}  // namespace

std::string dns_query(uint16_t id) {
  std::string q;
  put16(q, id);
  put16(q, 0x0100);  // standard query, recursion desired
  put16(q, 1);       // one question
  put16(q, 0);
  put16(q, 0);
  put16(q, 0);
  q += kQname;
  put16(q, kTxt);
  put16(q, kChaos);
  return q;
}

std::optional<std::string> dns_answer(std::string_view query, std::string_view name) {
  const size_t question_end = 12 + kQname.size() + 4;
  if (query.size() < question_end || get16(query, 4) != 1) return std::nullopt;
  if (query.substr(12, kQname.size()) != kQname) return std::nullopt;
  if (get16(query, 12 + kQname.size()) != kTxt || get16(query, 14 + kQname.size()) != kChaos) return std::nullopt;
  std::string r(query.substr(0, question_end));
  r[2] = static_cast<char>(0x84);  // response, authoritative
  r[3] = 0;
  r[6] = 0;
  r[7] = 1;  // one answer
  r[8] = r[9] = r[10] = r[11] = 0;
  put16(r, 0xc00c);  // the name, by pointer to the question
  put16(r, kTxt);
  put16(r, kChaos);
  put16(r, 0);
  put16(r, 0);  // TTL 0
  const std::string txt = std::string(name.substr(0, 255));
  put16(r, static_cast<uint16_t>(txt.size() + 1));
  r += static_cast<char>(txt.size());
  r += txt;
  return r;
}

std::optional<std::string> dns_reply_name(std::string_view reply, uint16_t id) {
  const size_t question_end = 12 + kQname.size() + 4;
  if (reply.size() < question_end + 13 || get16(reply, 0) != id || (reply[2] & 0x80) == 0) return std::nullopt;
  if (get16(reply, 6) < 1) return std::nullopt;
  const size_t rdata = question_end + 12;
  const size_t len = static_cast<uint8_t>(reply[rdata]);
  if (reply.size() < rdata + 1 + len) return std::nullopt;
  return std::string(reply.substr(rdata + 1, len));
}

}  // namespace anylab::checks
