// libFuzzer target: any bytes as a lab file. The loader must return a lab or
// diagnostics, never crash, hang or trip a sanitizer; a lab that loads must
// also resolve and plan.
#include <cstddef>
#include <cstdint>
#include <string>

#include "load/loader.h"
#include "plan/plan.h"
#include "plan/resolve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  anylab::SourceFile file("fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size));
  auto spec = anylab::load_lab(file);
  if (!spec) {
    (void)anylab::format_diagnostics(file, spec.error());
    return 0;
  }
  auto lab = anylab::resolve(std::move(*spec), anylab::Paths{});
  if (lab) (void)anylab::format_plan(*lab, anylab::plan_deploy(*lab));
  return 0;
}
