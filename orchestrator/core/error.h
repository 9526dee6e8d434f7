#pragma once

#include <expected>
#include <ostream>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace anylab {

// An expected failure, as a value (std::expected<T, Error>), the one error
// convention below the CLI: what kind it is, which decides what the user is
// told to do (and the exit code: app/), and the message, for a person.
struct Error {
  enum class Kind {
    kInput,        // what the user gave is wrong (exit 2): a name, a prefix, an option
    kEnvironment,  // this machine or the running lab cannot do it (exit 3)
  };
  Kind kind = Kind::kEnvironment;
  std::string message;

  static Error input(std::string m) { return {Kind::kInput, std::move(m)}; }
  static Error environment(std::string m) { return {Kind::kEnvironment, std::move(m)}; }
};

// `return fail(...)` from a function returning std::expected<T, Error>: a
// message is the environment's error (what the machine or the lab cannot
// do); an Error passes as it is.
inline std::unexpected<Error> fail(std::string message) {
  return std::unexpected(Error::environment(std::move(message)));
}
inline std::unexpected<Error> fail(Error e) { return std::unexpected(std::move(e)); }
inline std::unexpected<Error> fail(const char* message) { return fail(std::string(message)); }

// Printed, it is its message.
inline std::ostream& operator<<(std::ostream& out, const Error& e) { return out << e.message; }

}  // namespace anylab

// An Error formats as its message.
template <>
struct fmt::formatter<anylab::Error> : fmt::formatter<std::string> {
  auto format(const anylab::Error& e, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(e.message, ctx);
  }
};
