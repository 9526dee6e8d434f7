#include "load/loader.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <expected>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstring>

#include <fmt/format.h>
#include <libyang/libyang.h>
#include <yaml-cpp/yaml.h>

#include "core/mrt.h"
#include "load/schema.h"
#include "load/schema_validation.h"
#include "load/semantic_checks.h"
#include "load/spec_reader.h"
#include "load/tree_builder.h"

namespace anylab {
namespace {

struct TreeDeleter {
  void operator()(lyd_node* n) const { lyd_free_all(n); }
};

// yaml-cpp's messages name its parser's states; say what the user wrote.
std::string yaml_message(std::string msg) {
  static const std::pair<const char*, const char*> kPlain[] = {
      {"end of map flow not found", "a `{` mapping is not closed with `}` (look back from here)"},
      {"end of sequence flow not found", "a `[` list is not closed with `]` (look back from here)"},
      {"end of map not found", "a mapping ends too early; check the indentation"},
      {"end of sequence not found", "a list ends too early; check the indentation"},
      {"illegal map value", "a value where none can be; is a `key:` missing, or a space after a `:`?"},
      {"unknown escape character", "an unknown escape in a double-quoted string; use single quotes"},
      {"end of string not found", "a quoted string is not closed"},
  };
  for (const auto& [theirs, ours] : kPlain)
    if (msg.starts_with(theirs)) return fmt::format("YAML syntax: {}", ours);
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return "YAML syntax: " + msg;
}

}  // namespace

namespace {

const char* file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// `-`: the lab from standard input (`anylab generate ... | anylab test -`),
// named <stdin> in errors; the files it names are read from the current
// directory.
std::expected<SourceFile, std::string> read_standard_input() {
  std::string text;
  char buf[65536];
  ssize_t n = 0;
  while (text.size() <= kMaxLabFileBytes && (n = ::read(STDIN_FILENO, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  const int read_errno = errno;
  if (n < 0) return std::unexpected(fmt::format("{}: error: cannot read the lab: {}", kStandardInput, std::strerror(read_errno)));
  if (text.size() > kMaxLabFileBytes)
    return std::unexpected(fmt::format("{}: error: the lab is larger than {} KiB, the most a lab file may be",
                                       kStandardInput, kMaxLabFileBytes / 1024));
  return SourceFile(kStandardInput, std::move(text));
}

}  // namespace

std::expected<SourceFile, std::string> read_source(const std::string& path) {
  if (path == "-") return read_standard_input();
  auto fail = [&](const std::string& why) { return std::unexpected(fmt::format("{}: error: {}", path, why)); };
  // Looked at before it is opened: opening a named pipe would wait for a
  // writer, and /dev/zero never ends.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(fmt::format("cannot read the lab file: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return fail(fmt::format("this is {}, not a lab file: give the path of a YAML lab file", file_type(st.st_mode)));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return fail(fmt::format("cannot read the lab file: {}", std::strerror(errno)));
  std::string text;
  char buf[65536];
  ssize_t n = 0;
  while (text.size() <= kMaxLabFileBytes && (n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  const int read_errno = errno;
  fd.reset();
  if (n < 0) return fail(fmt::format("cannot read the lab file: {}", std::strerror(read_errno)));
  if (text.size() > kMaxLabFileBytes)
    return fail(fmt::format("the file is larger than {} KiB, the most a lab file may be: is it a lab file?",
                            kMaxLabFileBytes / 1024));
  return SourceFile(path, std::move(text));
}

// A file a lab names (a health command's, a node's config), whole, or why
// it cannot be read.
std::expected<std::string, std::string> read_named_file(const std::filesystem::path& path,
                                                        size_t most = kMaxLabFileBytes) {
  struct stat st {};
  const bool found = ::stat(path.c_str(), &st) == 0;
  const int stat_errno = errno;
  const bool fits = found && S_ISREG(st.st_mode) && st.st_size <= static_cast<off_t>(most);
  std::ifstream in;
  if (fits) in.open(path, std::ios::binary);
  if (fits && in) return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return std::unexpected(!found                ? std::strerror(stat_errno)
                         : !S_ISREG(st.st_mode) ? "it is not a file"
                         : !fits                ? fmt::format("it is over {} KiB", most / 1024)
                                                : std::strerror(errno));
}

// A router's `background: {mrt: FILE}`: read, and checked to be a RIB dump
// GoBGP can replay, with IPv4 routes in it.
void read_dump(NodeSpec& n, const std::filesystem::path& path, Diagnostics& diag) {
  BackgroundSpec& b = *n.background;
  const Marked<std::string>& written = *b.mrt;
  auto bytes = read_named_file(path, kMaxDumpBytes);
  if (!bytes)
    return diag.error(written.mark, fmt::format("cannot read \"{}\": {} (an MRT dump is named relative to the lab file)",
                                                written.value, bytes.error()));
  const std::string ext = path.extension().string();
  if (ext == ".gz" || ext == ".bz2")
    return diag.error(written.mark, fmt::format("\"{}\" is compressed: decompress it first ({} {})", written.value,
                                                ext == ".gz" ? "gunzip" : "bunzip2", written.value));
  auto rib = mrt::read_rib(*bytes);
  if (!rib) return diag.error(written.mark, fmt::format("\"{}\" is not a RIB dump anylab can replay: {}", written.value, rib.error()));
  if (rib->ipv4_prefixes == 0)
    return diag.error(written.mark, fmt::format("\"{}\" holds no IPv4 routes ({} IPv6): the feeder replays IPv4 routes",
                                                written.value, rib->ipv6_prefixes));
  b.dump = std::move(*bytes);
  b.dump_prefixes = rib->ipv4_prefixes;
}

// A health command's `files:` and a node's `config:`, read from beside the
// lab file (wherever anylab was started from) now, so that a missing one is
// an error of the lab's and every runtime and export carries the same text.
// A deployed lab's copy reads them from each node's directory, where deploy
// put them (a config rendered: it is read as a plain file).
void read_named_files(const SourceFile& file, FilesFrom from, LabSpec& spec, Diagnostics& diag) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(file.name(), ec).parent_path();
  const bool beside = from == FilesFrom::kBesideLabFile;
  for (NodeSpec& n : spec.nodes) {
    if (n.config) {
      ConfigSpec& c = *n.config;
      const std::filesystem::path path = beside ? dir / c.path.value : dir / n.name.value / config_file_name(n);
      const std::string ext = std::filesystem::path(c.path.value).extension().string();
      c.is_template = beside && (ext == ".j2" || ext == ".jinja" || ext == ".jinja2");
      c.deployed = !beside;
      c.file = path.lexically_normal().string();
      if (auto text = read_named_file(path)) c.text = std::move(*text);
      else
        diag.error(c.path.mark, fmt::format("cannot read \"{}\": {} (a config is named relative to the lab file)",
                                            c.path.value, text.error()));
    }
    if (n.background && n.background->mrt) read_dump(n, beside ? dir / n.background->mrt->value : dir / n.name.value / kBackgroundDump, diag);
    if (!n.health) continue;
    for (HealthSpec::File& f : n.health->files) {
      f.name = std::filesystem::path(f.path.value).filename().string();
      auto text = read_named_file(beside ? dir / f.path.value : dir / n.name.value / f.name);
      if (text) {
        f.text = std::move(*text);
        continue;
      }
      diag.error(f.path.mark, fmt::format("cannot read \"{}\": {} (a health command's files are named relative to the "
                                          "lab file, and copied into the instance)",
                                          f.path.value, text.error()));
    }
  }
}

std::expected<LabSpec, Diagnostics> load_lab(const SourceFile& file, FilesFrom from) {
  Diagnostics diag;
  YAML::Node document;
  try {
    document = YAML::Load(file.text());
  } catch (const YAML::Exception& e) {
    diag.error({e.mark.line + 1, e.mark.column + 1}, yaml_message(e.msg));
    return std::unexpected(diag);
  }

  const Schema& schema = Schema::get();
  MarkTable marks;
  std::unique_ptr<lyd_node, TreeDeleter> tree(TreeBuilder(schema, diag, marks).build(document));
  if (!diag.empty() || !tree) return std::unexpected(diag);

  lyd_node* root = tree.release();
  validate_tree(&root, marks, diag);
  tree.reset(root);
  if (!diag.empty()) return std::unexpected(diag);

  LabSpec spec = read_spec(tree.get(), marks);
  read_named_files(file, from, spec, diag);
  check_semantics(spec, diag);
  if (!diag.empty()) return std::unexpected(diag);
  spec.source_text = file.text();
  return spec;
}

}  // namespace anylab
