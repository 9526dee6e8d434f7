#pragma once

#include <string>
#include <vector>

namespace anylab::test {

std::string source_dir();
std::string read_file(const std::string& path);
// Compares text with a golden file; with ANYLAB_UPDATE_GOLDEN=1 in the
// environment, rewrites the golden file instead (review the diff!).
void expect_golden(const std::string& golden_path, const std::string& actual);
std::vector<std::string> lab_files();  // labs/*.yaml, sorted
// The ```yaml blocks of ../shared/lab-format.md, or none if it is absent.
std::vector<std::string> lab_format_examples();
// The examples of lab-format.md fenced `yaml planned`: not yet loaded by
// the test above (the contract says to fence them `yaml` once they load).
std::vector<std::string> lab_format_planned_examples();

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs argv (no shell) in `cwd`, capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::string& cwd = "");

}  // namespace anylab::test
