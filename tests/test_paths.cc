#include "test_paths.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

extern char** environ;

namespace anylab::test {

std::string source_dir() { return ANYLAB_SOURCE_DIR; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_golden(const std::string& golden_path, const std::string& actual) {
  if (const char* u = std::getenv("ANYLAB_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(golden_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden_path))
      << golden_path << " is missing; run the tests with ANYLAB_UPDATE_GOLDEN=1 to create it";
  EXPECT_EQ(read_file(golden_path), actual) << "differs from " << golden_path;
}

std::vector<std::string> lab_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(source_dir() + "/labs"))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

namespace {
// The code blocks of lab-format.md fenced with `fence`.
std::vector<std::string> lab_format_blocks(const std::string& fence) {
  const std::string doc = source_dir() + "/../shared/lab-format.md";
  std::vector<std::string> out;
  if (!std::filesystem::exists(doc)) return out;
  const std::string text = read_file(doc);
  const std::regex block("```" + fence + "\n([\\s\\S]*?)```");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), block); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}
}  // namespace

std::vector<std::string> lab_format_examples() { return lab_format_blocks("yaml"); }
std::vector<std::string> lab_format_planned_examples() { return lab_format_blocks("yaml planned"); }

RunResult run(const std::vector<std::string>& argv, const std::string& cwd) {
  char out_tmpl[] = "/tmp/anylab-test-out-XXXXXX";
  char err_tmpl[] = "/tmp/anylab-test-err-XXXXXX";
  int out_fd = mkstemp(out_tmpl), err_fd = mkstemp(err_tmpl);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  RunResult r;
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&fa);
  close(out_fd);
  close(err_fd);
  r.out = read_file(out_tmpl);
  r.err = read_file(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return r;
}

}  // namespace anylab::test
