#pragma once

#include <string>
#include <utility>

namespace anylab {

// An expected failure, as a value (std::expected<T, Error>): what kind it
// is, which decides what the user is told to do (and the exit code: app/),
// and the message, for a person.
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

}  // namespace anylab
