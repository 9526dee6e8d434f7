#pragma once

#include <string>
#include <string_view>

namespace anylab {

// RFC 4648 base64, with padding: bytes where only text may go (an MRT dump
// in a Mininet script, a ConfigMap's binaryData).
std::string base64(std::string_view bytes);

}  // namespace anylab
