// The rendered configs must be accepted by the real programs: FRR's vtysh
// in check mode (-C, no daemons needed), exabgp --validate, bird -p and
// gobgpd -d.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "app/own_configs.h"
#include "load/loader.h"
#include "plan/speaker_routes.h"
#include "plan/resolve.h"
#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

struct Rendered {
  std::string lab, node, file, text;
};

fs::path temp_root() { return fs::temp_directory_path() / ("anylab-configs-test-" + std::to_string(getpid())); }

std::vector<Rendered> render_all() {
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const std::string& p : test::lab_files()) inputs.emplace_back(p, test::read_file(p));
  // A lean lab (defaults.bgp.link-subnets: clients), as every lab of 100
  // routers or more is: its client subnets' route-maps.
  std::string lean = test::read_file(test::source_dir() + "/labs/quickstart.yaml");
  lean.replace(lean.find("hold: 3}"), 8, "hold: 3, link-subnets: clients}");
  inputs.emplace_back("quickstart-lean.yaml", lean.replace(lean.find("name: quickstart"), 16, "name: quickstart-lean"));
  // The complete lab of lab-format.md (its other examples are parts of one).
  for (const std::string& t : test::lab_format_examples())
    if (t.starts_with("name:")) inputs.emplace_back("lab-format.md", t);
  std::vector<Rendered> out;
  Paths paths;
  paths.helper_dir = ANYLAB_BIN_DIR;
  // Each node's files land where its configs name them (BIRD includes its
  // routes files by their paths).
  paths.runtime_root = temp_root().string();
  for (const auto& [name, text] : inputs) {
    SourceFile f(name, text);
    auto spec = load_lab(f);
    if (!spec) throw std::runtime_error(format_diagnostics(f, spec.error()));
    auto lab = resolve(std::move(*spec), paths);
    if (const Diagnostics own = apply_own_configs(*lab); !own.empty())
      throw std::runtime_error(format_diagnostics(f, own));
    for (const Node& n : lab->nodes)
      for (const auto& [file, body] : n.files) out.push_back({lab->name, n.name, file, body});
  }
  return out;
}

fs::path write_temp(const Rendered& r) {
  fs::path dir = temp_root() / r.lab / r.node;
  fs::create_directories(dir);
  std::ofstream(dir / r.file) << r.text;
  return dir / r.file;
}

class ConfigsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    fs::remove_all(temp_root());
  }
};

TEST_F(ConfigsTest, FrrAcceptsEveryFrrConf) {
  int checked = 0;
  // A validating router's config names its RPKI cache in both FRR 8.4's
  // words and FRR 10's (`rpki cache tcp ...`), and each release takes its
  // own: this machine's FRR must accept the config without the other's line.
  const std::string frr10_line = " rpki cache tcp 127.0.0.1 8282 preference 1\n";
  for (Rendered r : render_all()) {
    if (r.file != "frr.conf" && r.file != "bfdd.conf") continue;
    if (const size_t at = r.text.find(frr10_line); at != std::string::npos) {
      EXPECT_NE(r.text.find(" rpki cache 127.0.0.1 8282 preference 1\n"), std::string::npos) << r.text;
      r.text.erase(at, frr10_line.size());  // FRR 8.4 here (Debian 12)
    }
    auto res = test::run({"vtysh", "-C", "-f", write_temp(r).string()});
    EXPECT_EQ(res.exit_code, 0) << r.lab << "/" << r.node << ":\n" << res.out << res.err << "\n" << r.text;
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(ConfigsTest, FrrRefusesABrokenConf) {  // the check above can fail
  Rendered bad{"neg", "r1", "frr.conf", "router bgp 65001\n neighbor 198.18.0.1 remote-az 65002\n"};
  EXPECT_NE(test::run({"vtysh", "-C", "-f", write_temp(bad).string()}).exit_code, 0);
}

TEST_F(ConfigsTest, ExabgpAcceptsEveryExabgpConf) {
  int checked = 0;
  for (const Rendered& r : render_all()) {
    if (r.file != "exabgp.conf") continue;
    auto res = test::run({"exabgp", "--validate", write_temp(r).string()});
    EXPECT_EQ(res.exit_code, 0) << r.lab << "/" << r.node << ":\n" << res.out << res.err << "\n" << r.text;
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST_F(ConfigsTest, ExabgpRefusesABrokenConf) {
  Rendered bad{"neg", "i1", "exabgp.conf", "neighbor 198.18.0.0 {\n  local-az 64500;\n}\n"};
  EXPECT_NE(test::run({"exabgp", "--validate", write_temp(bad).string()}).exit_code, 0);
}

// BIRD's parse-only mode reads bird.conf and the routes files it
// includes, as deployed.
TEST_F(ConfigsTest, BirdAcceptsEveryBirdConf) {
  int checked = 0;
  const std::vector<Rendered> all = render_all();
  for (const Rendered& r : all)
    if (r.file.starts_with("anycast")) write_temp(r);
  for (const Rendered& r : all) {
    if (r.file != "bird.conf") continue;
    auto res = test::run({"bird", "-p", "-c", write_temp(r).string()});
    EXPECT_EQ(res.exit_code, 0) << r.lab << "/" << r.node << ":\n" << res.out << res.err << "\n" << r.text;
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

// Every attribute the control channel carries, in a routes file BIRD reads:
// a forged origin behind two prepends, a MED, a community and NO_EXPORT.
TEST_F(ConfigsTest, BirdAcceptsARouteWithEveryAttribute) {
  auto route = parse_speaker_route(
      "route 192.0.2.0/25 next-hop self as-path [ 64500 64500 64500 64666 ] med 20 community [ 65000:100 no-export ]");
  ASSERT_TRUE(route);
  EXPECT_EQ(bird_static_route(*route),
            "route 192.0.2.0/25 via \"lo\" { bgp_path.prepend(64666); bgp_path.prepend(64500); bgp_path.prepend(64500); "
            "bgp_med = 20; bgp_community.add((65000, 100)); bgp_community.add((65535, 65281)); };");
  auto v6 = parse_speaker_route("route 2001:db8:53::/48 next-hop self");
  ASSERT_TRUE(v6);
  Rendered routes{"neg", "i1", "anycast4.conf", bird_routes_file({*route, *v6}, false)};
  Rendered routes6{"neg", "i1", "anycast6.conf", bird_routes_file({*route, *v6}, true)};
  EXPECT_EQ(routes6.text.find("192.0.2"), std::string::npos);
  const fs::path r4 = write_temp(routes), r6 = write_temp(routes6);
  Rendered conf{"neg", "i1", "bird.conf",
                "router id 198.18.0.1;\nprotocol device {}\nprotocol static a4 {\n  ipv4;\n  include \"" +
                    r4.string() + "\";\n}\nprotocol static a6 {\n  ipv6;\n  include \"" + r6.string() + "\";\n}\n"};
  auto res = test::run({"bird", "-p", "-c", write_temp(conf).string()});
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err << routes.text;
  EXPECT_FALSE(parse_speaker_route("route 192.0.2.0/25 next-hop self as-path [ 64500"));
  EXPECT_FALSE(parse_speaker_route("route 192.0.2.0/25 next-hop 198.18.0.1"));
}

TEST_F(ConfigsTest, BirdRefusesABrokenConf) {
  Rendered bad{"neg", "i1", "bird.conf", "protocol bgp x {\n  local 198.18.0.1 az 64500;\n}\n"};
  EXPECT_NE(test::run({"bird", "-p", "-c", write_temp(bad).string()}).exit_code, 0);
}

// GoBGP's dry run reads the config and refuses unknown keys.
TEST_F(ConfigsTest, GobgpAcceptsEveryGobgpdToml) {
  int checked = 0;
  for (const Rendered& r : render_all()) {
    if (r.file != "gobgpd.toml") continue;
    auto res = test::run({"gobgpd", "-d", "-t", "toml", "-f", write_temp(r).string()});
    EXPECT_EQ(res.exit_code, 0) << r.lab << "/" << r.node << ":\n" << res.out << res.err << "\n" << r.text;
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST_F(ConfigsTest, GobgpRefusesABrokenToml) {
  Rendered bad{"neg", "i1", "gobgpd.toml", "[global.config]\n  az = 64500\n"};
  EXPECT_NE(test::run({"gobgpd", "-d", "-t", "toml", "-f", write_temp(bad).string()}).exit_code, 0);
}

// The arguments of `gobgp global rib add`: the path after GoBGP's own AS
// (which it puts in front on eBGP export), as GoBGP's CLI reads them.
TEST_F(ConfigsTest, GobgpRouteArguments) {
  auto route = parse_speaker_route(
      "route 192.0.2.0/25 next-hop self as-path [ 64500 64500 64666 ] med 20 community [ 65000:100 no-export ]");
  ASSERT_TRUE(route);
  EXPECT_EQ(gobgp_route_args(*route),
            (std::vector<std::string>{"-a", "ipv4", "192.0.2.0/25", "origin", "igp", "aspath", "64500,64666", "med", "20",
                                      "community", "65000:100,no-export"}));
  EXPECT_EQ(gobgp_route_args(*parse_speaker_route("route 2001:db8:53::/48 next-hop self")),
            (std::vector<std::string>{"-a", "ipv6", "2001:db8:53::/48", "origin", "igp"}));
}

}  // namespace
}  // namespace anylab
