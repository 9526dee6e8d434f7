// The JUnit report read by a real consumer: junitparser (Debian's
// python3-junitparser, a library CI tools use to read and merge JUnit
// files), after xmllint has checked the XML is well-formed.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "report/report.h"
#include "report_sample.h"
#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

// What junitparser reads: per suite "name tests failures errors", per case
// "  name result message".
constexpr const char* kReader = R"(
import sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
print(xml.name, xml.tests, xml.failures, xml.errors)
for suite in xml:
    print(suite.name, suite.tests, suite.failures, suite.errors)
    for case in suite:
        kinds = [type(r).__name__ + ': ' + (r.message or '') for r in case.result]
        print('  ' + case.name + ' | ' + ('; '.join(kinds) or 'passed'))
)";

class JunitConsumer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("anylab-junit-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(JunitConsumer, XmllintFindsItWellFormed) {
  const std::string xml = write("report.xml", junit_report(test::sample_report()));
  auto r = test::run({"xmllint", "--noout", xml});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The check can fail: a broken file is refused.
  auto broken = test::run({"xmllint", "--noout", write("broken.xml", "<testsuites><testsuite></testsuites>")});
  EXPECT_NE(broken.exit_code, 0);
}

TEST_F(JunitConsumer, JunitparserReadsSuitesCasesAndVerdicts) {
  const std::string reader = write("read.py", kReader);
  auto r = test::run({"/usr/bin/python3", reader, write("report.xml", junit_report(test::sample_report()))});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "anylab sample 4 1 1\n"
            "sample.baseline 1 0 0\n"
            "  line 12: expect catchment | passed\n"
            "sample.crash 3 1 1\n"
            "  line 19: restore node pop-ams | Error: run 2: pop-ams runs nothing to restore\n"
            "  line 17: expect client-eu reaches pop-sin within 2s | Failure: pop-sin from +2.400s (expected within 2s)\n"
            "  line 18: expect client-eu max-outage 1s | passed\n");
}

}  // namespace
}  // namespace anylab
