// The resolution of measured times, against a ground truth. In a deployed
// lab, a client's route to the service is blackholed at a known moment and
// restored at another (`ip route` in the client's namespace: the data plane
// changes the instant the command returns, no routing protocol involved).
// The prober and the evaluators that judge every scenario then measure the
// outage and the recovery, and the error must stay within two probe
// intervals. The figures are printed for BENCHMARKS.md.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "../test_paths.h"
#include "evaluate.h"
#include "prober.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using checks::Micros;

const std::string kAnylab = std::string(ANYLAB_BIN_DIR) + "/anylab";
const std::string kNetns = "anylab-ground-truth_client-eu";

struct Stamped {
  Micros before, after;  // the truth lies between
};

// The service address over each family: the quickstart lab made dual-stack.
struct Param {
  int interval_ms;
  bool ipv6;
};
std::string address_of(const Param& p) { return p.ipv6 ? "2001:db8:53::53" : "192.0.2.53"; }

Stamped route(checks::Prober& prober, const char* verb, const std::string& address) {
  Stamped s{prober.now(), {}};
  auto r = test::run({"ip", "-n", kNetns, "route", verb, "blackhole", address});
  s.after = prober.now();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return s;
}

std::string figures(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  char buf[96];
  std::snprintf(buf, sizeof buf, "min %.1f / median %.1f / max %.1f ms", v.front(), v[v.size() / 2], v.back());
  return buf;
}

class GroundTruth : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests build real labs: run them as root";
    std::string lab = test::read_file(test::source_dir() + "/labs/quickstart.yaml");
    lab.replace(lab.find("name: quickstart"), 16, "name: ground-truth");
    const std::string prefix = "prefix: 192.0.2.0/24", address = "address: 192.0.2.53";
    ASSERT_NE(lab.find(prefix), std::string::npos);
    ASSERT_NE(lab.find(address), std::string::npos);
    lab.replace(lab.find(prefix), prefix.size(), "prefix: [192.0.2.0/24, 2001:db8:53::/48]");
    lab.replace(lab.find(address), address.size(), "address: [192.0.2.53, 2001:db8:53::53]");
    file_ = fs::temp_directory_path() / ("ground-truth-" + std::to_string(getpid()) + ".yaml");
    std::ofstream(file_) << lab;
    test::run({kAnylab, "destroy", "ground-truth"});
    auto d = test::run({kAnylab, "deploy", file_.string()});
    ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  }
  void TearDown() override {
    test::run({kAnylab, "destroy", "ground-truth"});
    fs::remove(file_);
  }
  fs::path file_;
};

TEST_P(GroundTruth, MeasuredOutageAndRecoveryWithinTwoProbeIntervals) {
  const Micros interval = std::chrono::milliseconds(GetParam().interval_ms);
  const std::string address = address_of(GetParam());
  const Micros timeout = std::max<Micros>(100ms, 2 * interval);
  const int fd = ::open(("/run/netns/" + kNetns).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  checks::Prober prober({{"client-eu", fd, address, 53, checks::Protocol::kUdp}}, interval, timeout);
  ASSERT_TRUE(prober.start());
  std::this_thread::sleep_for(500ms);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> dark_ms(200, 600), phase_us(0, static_cast<int>(interval.count()));
  struct Cycle {
    Stamped cut, mend;
  };
  std::vector<Cycle> cycles;
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(Micros(phase_us(rng)));  // events at every phase of the probe clock
    Cycle c;
    c.cut = route(prober, "add", address);
    std::this_thread::sleep_for(std::chrono::milliseconds(dark_ms(rng)));
    c.mend = route(prober, "del", address);
    cycles.push_back(c);
    std::this_thread::sleep_for(400ms);
  }
  std::this_thread::sleep_for(timeout + 50ms);
  const auto timeline = prober.timelines().at(0);
  prober.stop();
  ::close(fd);

  std::vector<double> outage_error, recovery, onset;
  for (const Cycle& c : cycles) {
    // The outage as the scenario engine measures it (max-outage from the cut).
    auto v = checks::max_outage(timeline, c.cut.after, c.mend.after + 300ms, Micros(0));
    ASSERT_TRUE(v.longest_outage);
    const double measured = v.longest_outage->count() / 1e3;
    const double truth_min = (c.mend.before - c.cut.after).count() / 1e3;
    const double truth_max = (c.mend.after - c.cut.before).count() / 1e3;
    const double error = measured < truth_min ? measured - truth_min : measured > truth_max ? measured - truth_max : 0;
    outage_error.push_back(error);
    // Recovery as `reaches ... within`: from the moment the route is back.
    auto r = checks::reaches(timeline, c.mend.after, c.mend.after + 300ms, "pop-ams", std::nullopt, std::nullopt);
    ASSERT_TRUE(r.pass) << r.measured;
    recovery.push_back(r.convergence->count() / 1e3);
    // Onset: the first lost probe after the cut.
    for (const checks::Probe& p : checks::window(timeline, c.cut.before, c.mend.after))
      if (!p.instance) {
        onset.push_back((p.sent - c.cut.after).count() / 1e3);
        break;
      }
    const double bound = 2 * interval.count() / 1e3;
    EXPECT_LE(std::abs(error), bound) << "outage " << measured << " ms, truth " << truth_min << "-" << truth_max;
    EXPECT_LE(recovery.back(), bound);
    EXPECT_GE(recovery.back(), 0);
  }
  std::printf("ground truth over %s, probe interval %d ms, %zu cut/mend cycles (200-600 ms dark):\n"
              "  outage error beyond the command's own duration: %s\n"
              "  recovery measured after the route came back (truth 0): %s\n"
              "  first lost probe after the cut: %s\n",
              GetParam().ipv6 ? "IPv6" : "IPv4", GetParam().interval_ms, cycles.size(), figures(outage_error).c_str(), figures(recovery).c_str(),
              figures(onset).c_str());
}

INSTANTIATE_TEST_SUITE_P(Interval, GroundTruth,
                         ::testing::Values(Param{10, false}, Param{50, false}, Param{10, true}, Param{50, true}),
                         [](const auto& p) {
                           return std::to_string(p.param.interval_ms) + "ms" + (p.param.ipv6 ? "_ipv6" : "");
                         });

}  // namespace
}  // namespace anylab
