#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "capacity.h"
#include "control_plane.h"
#include "loadgen.h"
#include "prober.h"
#include "tcp_session.h"
#include "wire.h"

namespace anylab::checks {
namespace {

// A capacity of 100/s: a burst of a quarter of a second's worth, then one
// query per 10 ms; overloaded while more than 100 arrived in the last second.
TEST(Capacity, AnswersUpToItsRateAndDropsTheRest) {
  Capacity c(100.0);
  int served = 0;
  for (int i = 0; i < 300; ++i) served += c.admit(Micros(10'000'000 + i * 3'333));  // 300/s for a second
  EXPECT_GE(served, 100);
  EXPECT_LE(served, 127) << "a quarter of a second's burst, then the rate";
  EXPECT_TRUE(c.overloaded(Micros(10'999'000)));
  EXPECT_FALSE(c.overloaded(Micros(12'100'000))) << "nothing offered for a second: below capacity again";
  auto second = c.finished(Micros(12'100'000));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->second, 10);
  EXPECT_EQ(second->served, static_cast<uint64_t>(served));
  EXPECT_EQ(second->dropped, static_cast<uint64_t>(300 - served));
  EXPECT_FALSE(c.finished(Micros(12'200'000)).has_value()) << "each second once";
  auto back = Capacity::parse(Capacity::format(*second));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->served, second->served);
  EXPECT_EQ(back->dropped, second->dropped);
}

TEST(Capacity, WithoutOneServesEverythingAndIsNeverOverloaded) {
  Capacity c(std::nullopt);
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(c.admit(Micros(i * 100)));
  EXPECT_FALSE(c.overloaded(Micros(500'000)));
}

TEST(LoadGenerator, RateInCountsAnInstancesAnswersPerSecond) {
  std::map<std::string, std::vector<uint32_t>> answered{{"pop-fra", std::vector<uint32_t>(30, 90)}};
  EXPECT_DOUBLE_EQ(rate_in(answered, "pop-fra", Micros(1'000'000), Micros(2'000'000)), 900.0);
  EXPECT_DOUBLE_EQ(rate_in(answered, "pop-ams", Micros(1'000'000), Micros(2'000'000)), 0.0);
}

TEST(Wire, DnsChaosRoundTrip) {
  const std::string q = dns_query(4242);
  auto answer = dns_answer(q, "pop-ams");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(dns_reply_name(*answer, 4242), "pop-ams");
  EXPECT_FALSE(dns_reply_name(*answer, 4243).has_value()) << "a reply to another query is not ours";
}

TEST(Wire, NotADnsQueryGetsNoDnsAnswer) {
  EXPECT_FALSE(dns_answer(kRequest, "x").has_value());
  EXPECT_FALSE(dns_answer("", "x").has_value());
  std::string q = dns_query(1);
  q[q.size() - 1] = 1;  // class IN, not CHAOS
  EXPECT_FALSE(dns_answer(q, "x").has_value());
}


// The prober against the real responder on the loopback (no root needed):
// every protocol answered with the responder's name, then, with the
// responder gone, every probe lost; replies matched to their own probes.
class ProberOnLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = static_cast<uint16_t>(20000 + ::getpid() % 20000);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string exe = std::string(ANYLAB_BIN_DIR) + "/anylab-responder";
      const std::string port = std::to_string(port_);
      ::execl(exe.c_str(), exe.c_str(), "127.0.0.1", port.c_str(), "lo-instance", nullptr);
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it binds its sockets
  }
  void TearDown() override { stop_responder(); }
  void stop_responder() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::vector<ProbeTarget> targets() const {
    return {{"udp", std::nullopt, "127.0.0.1", port_, Protocol::kUdp},
            {"dns", std::nullopt, "127.0.0.1", port_, Protocol::kDns},
            {"tcp", std::nullopt, "127.0.0.1", port_, Protocol::kTcp}};
  }
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A client namespace that could not be opened (-1) is an error, never the
// prober's own namespace: a vanished client must not be measured from here.
TEST(Prober, ANamespaceThatIsNotOpenIsRefused) {
  for (Protocol p : {Protocol::kUdp, Protocol::kTcp}) {
    const std::vector<ProbeTarget> gone{{"gone", -1, "127.0.0.1", 53, p}};
    Prober prober(gone, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
    const auto started = prober.start();
    if (p == Protocol::kTcp) {  // a TCP probe opens its socket when sent: every one is unsent, with why
      ASSERT_TRUE(started.has_value());
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      prober.stop();
      const auto timelines = prober.timelines();
      ASSERT_FALSE(timelines.at(0).empty());
      for (const Probe& probe : timelines.at(0)) {
        EXPECT_FALSE(probe.instance);
        EXPECT_EQ(probe.error, "the client's network namespace is not open");
      }
      continue;
    }
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error(), "gone: the client's network namespace is not open");
  }
  auto tcp = TcpSession::open(-1, "127.0.0.1", 53, Micros(100000));
  ASSERT_FALSE(tcp);
  EXPECT_EQ(tcp.error(), "the client's network namespace is not open");
}

// Out of descriptors (EMFILE), a TCP probe cannot be sent: it is recorded
// as the prober's failure, with the cause, never as a probe nobody answered.
// In a child process whose hard limit leaves the prober too few.
TEST_F(ProberOnLoopback, OutOfDescriptorsIsTheProbersFailureNotNoAnswer) {
  const pid_t child = ::fork();
  if (child == 0) {
    using std::chrono::milliseconds;
    Prober prober({{"tcp", std::nullopt, "127.0.0.1", port_, Protocol::kTcp}}, milliseconds(10), milliseconds(100));
    // Every descriptor but the ones open now taken, and the limit pinned there.
    std::vector<int> hog{::open("/dev/null", O_RDONLY)};
    if (hog.back() < 0) ::_exit(3);
    for (int fd; (fd = ::dup(hog.front())) >= 0;) hog.push_back(fd);
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_max = r.rlim_cur = static_cast<rlim_t>(hog.back() + 1);
    ::setrlimit(RLIMIT_NOFILE, &r);
    if (!prober.start()) ::_exit(2);
    std::this_thread::sleep_for(milliseconds(300));
    prober.stop();
    const auto t = prober.timelines().at(0);
    size_t unsent = 0;
    for (const Probe& p : t) unsent += p.error && p.error->find("Too many open files") != std::string::npos;
    ::_exit(!t.empty() && unsent == t.size() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "every probe must be recorded as unsent, with EMFILE as its cause";
}

TEST_F(ProberOnLoopback, EveryProtocolIsAnsweredThenLost) {
  using std::chrono::milliseconds;
  Prober prober(targets(), milliseconds(10), milliseconds(100));
  ASSERT_TRUE(prober.start());
  std::this_thread::sleep_for(milliseconds(600));
  const Micros cut = prober.now();
  stop_responder();
  std::this_thread::sleep_for(milliseconds(600));
  prober.stop();
  const auto timelines = prober.timelines();
  ASSERT_EQ(timelines.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(prober.targets()[i].client);
    size_t before = 0, answered_before = 0, after = 0, answered_after = 0;
    for (const Probe& p : timelines[i]) {
      if (p.instance) {
        EXPECT_EQ(*p.instance, "lo-instance");
      }
      if (p.sent < cut - milliseconds(150)) {
        ++before;
        answered_before += p.instance.has_value();
      } else if (p.sent > cut + milliseconds(50)) {
        ++after;
        answered_after += p.instance.has_value();
      }
    }
    // ~45 probes each side of the cut even on a loaded machine; all
    // answered before it (loopback loses nothing), none after.
    EXPECT_GE(before, 20u);
    EXPECT_EQ(answered_before, before);
    EXPECT_GE(after, 20u);
    EXPECT_EQ(answered_after, 0u);
  }
}


// The real responder with a capacity, loaded by the load generator on the
// loopback: it answers about its capacity and no more, says it is
// overloaded to the healthcheck's probe while loaded and ok after, and
// counts what it served and dropped per second.
TEST(ResponderWithCapacity, DropsBeyondItAndSaysSoToTheHealthcheck) {
  using std::chrono::milliseconds;
  const uint16_t port = static_cast<uint16_t>(20000 + (::getpid() + 7919) % 20000);
  char stats[] = "/tmp/anylab-served-XXXXXX";
  const int sfd = ::mkstemp(stats);
  ASSERT_GE(sfd, 0);
  ::close(sfd);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string exe = std::string(ANYLAB_BIN_DIR) + "/anylab-responder";
    const std::string p = std::to_string(port);
    ::execl(exe.c_str(), exe.c_str(), "127.0.0.1", p.c_str(), "capped", "--capacity", "200", "--stats", stats, nullptr);
    ::_exit(127);
  }
  std::this_thread::sleep_for(milliseconds(300));
  auto healthy = [&] {
    const std::string cmd = std::string(ANYLAB_BIN_DIR) + "/anylab-probe udp 127.0.0.1 " + std::to_string(port) +
                            " --timeout 500ms --overload > /dev/null";
    return std::system(cmd.c_str()) == 0;
  };
  EXPECT_TRUE(healthy()) << "nothing offered yet";
  LoadGenerator load({{"lo", std::nullopt, "127.0.0.1", port, 1000.0}}, std::chrono::steady_clock::now());
  ASSERT_TRUE(load.start());
  std::this_thread::sleep_for(milliseconds(1500));
  const bool overloaded_while_loaded = !healthy();
  load.stop();
  const auto counts = load.counts().at(0);
  std::this_thread::sleep_for(milliseconds(1300));  // the second ends, the window empties
  EXPECT_TRUE(healthy()) << "below capacity again";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(overloaded_while_loaded);
  EXPECT_GE(counts.sent, 500u) << "1500 at the rate; fewer only on a machine too loaded to keep up";
  // 200/s for ~1.5 s and a quarter second's burst, however the seconds fall.
  EXPECT_GE(counts.answered, 200u);
  EXPECT_LE(counts.answered, 500u);
  EXPECT_EQ(load.answered().count("capped"), 1u) << "answers are counted by the name they carry";
  std::ifstream in(stats);
  uint64_t served = 0, dropped = 0;
  for (std::string line; std::getline(in, line);)
    if (auto sec = Capacity::parse(line)) {
      served += sec->served;
      dropped += sec->dropped;
    }
  ::unlink(stats);
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(served, counts.answered + 20) << "the responder's count of what it served (a few in flight at the stop)";
  EXPECT_GE(served + 20, counts.answered);
}

}  // namespace
}  // namespace anylab::checks

namespace anylab::checks {
namespace {

// FRR 8.4's `show bgp ipv4 unicast 192.0.2.0/24 json` on quickstart's
// edge-ams (trimmed): the best path is marked `overall`, the other carries
// only bestpathFromAs.
TEST(ControlPlane, TheBestPathAndItsVersionFromFrrsJson) {
  const auto seen = parse_best_path(R"({"prefix":"192.0.2.0/24","version":8,"paths":[
    {"aspath":{"string":"64500","length":1},"version":8,
     "bestpath":{"bestpathFromAs":64500,"overall":true,"selectionReason":"AS Path"},
     "nexthops":[{"ip":"198.18.0.5","afi":"ipv4","used":true}],"peer":{"peerId":"198.18.0.5"}},
    {"aspath":{"string":"65020 64500","length":2},"version":8,"bestpath":{"bestpathFromAs":65020},
     "nexthops":[{"ip":"198.18.0.9","afi":"ipv4","used":true}]}]})");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->version, 8u);
  EXPECT_EQ(seen->path, "via 198.18.0.5 as-path 64500");
  EXPECT_EQ(seen->reason, "AS Path");
  EXPECT_EQ(with_node_names(seen->path, {{"198.18.0.5", "pop-ams"}}), "via pop-ams as-path 64500");
  EXPECT_EQ(with_node_names(seen->path, {}), seen->path);
  const auto ecmp = parse_best_path(R"({"version":3,"paths":[
    {"aspath":{"string":""},"bestpath":{"overall":true},"multipath":true,"nexthops":[{"ip":"10.0.0.1"}]},
    {"aspath":{"string":""},"multipath":true,"nexthops":[{"ip":"10.0.0.3"}]}]})");
  EXPECT_EQ(ecmp->path, "via 10.0.0.1 as-path (none) +1 multipath");
  EXPECT_EQ(parse_best_path("{}")->path, "");  // not in the table
  EXPECT_FALSE(parse_best_path("% Unknown command"));
}

// FRR 8.4's `show bgp neighbors json` (one session, trimmed): its UPDATE
// counters, which a session reset does not clear (measured: opensSent 2).
TEST(ControlPlane, UpdateCountersPerSessionFromFrrsJson) {
  const auto counts = parse_update_counts(R"({"198.18.0.5":{"remoteAs":64500,"bgpState":"Established",
    "messageStats":{"depthInq":0,"depthOutq":0,"opensSent":2,"opensRecv":2,"notificationsSent":0,
    "notificationsRecv":0,"updatesSent":11,"updatesRecv":4,"keepalivesSent":7,"keepalivesRecv":8,
    "routeRefreshSent":0,"routeRefreshRecv":0,"capabilitySent":0,"capabilityRecv":0,"totalSent":20,"totalRecv":14}}})");
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->at("198.18.0.5").sent, 11u);
  EXPECT_EQ(counts->at("198.18.0.5").received, 4u);
}

Micros ms(int n) { return std::chrono::milliseconds(n); }

// A router whose counters could not be read at the window's end is
// unknown, not zero; one first read after the event (restored) counts from
// zero; a change before the window is not the event's.
TEST(ControlPlane, AnEventsCostFromCountersAndChanges) {
  const std::vector<PathChange> changes = {{ms(0), "r1", "p", "via a", true},
                                           {ms(0), "r2", "p", "via b", true},
                                           {ms(500), "r2", "p", "via c", false},
                                           {ms(2000), "r1", "p", "via d", false},
                                           {ms(2500), "r1", "p", "", false}};
  const SessionCounts before = {{"r1", {{"x", {5, 5}}}}};
  const SessionCounts after = {{"r1", {{"x", {9, 6}}}}, {"r2", {{"y", {3, 1}}}}};
  const EventCost c = event_cost({"r1", "r2", "r3"}, changes, ms(1000), ms(1200), ms(3000), before, after,
                                 ms(100));
  EXPECT_EQ(c.sent(), 7u);
  EXPECT_EQ(c.received(), 2u);
  EXPECT_EQ(c.changed(), 1);
  EXPECT_EQ(c.changes(), 2);
  EXPECT_EQ(c.settled, ms(1300));
  EXPECT_FALSE(c.routers[2].sent);
  EXPECT_EQ(c.routers[0].before, "p via a");
  EXPECT_EQ(c.routers[0].after, "p none");
  EXPECT_EQ(c.routers[1].before, "p via c");
  EXPECT_EQ(updates_sent(before, after, "r2"), 3u);
  EXPECT_EQ(cost_text(c), "7 UPDATEs sent, 2 received; 1 router changed its best path (2 changes); settled 1.300s "
                          "after the event");
}

}  // namespace
}  // namespace anylab::checks
