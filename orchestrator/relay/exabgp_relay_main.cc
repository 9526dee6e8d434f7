// anylab-exabgp-relay FIFO
//
// Runs as an ExaBGP API process: copies the lines anylab writes into FIFO to
// its stdout, which ExaBGP reads as API commands (announce, withdraw), and
// drains ExaBGP's acknowledgements from its stdin so ExaBGP never blocks on
// them. Exits when ExaBGP closes its stdin. The FIFO is opened read-write so
// that it never reads end-of-file between two writers.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: anylab-exabgp-relay FIFO\n");
    return 2;
  }
  if (::mkfifo(argv[1], 0600) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "anylab-exabgp-relay: cannot make %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  int fifo = ::open(argv[1], O_RDWR | O_CLOEXEC);
  if (fifo < 0) {
    std::fprintf(stderr, "anylab-exabgp-relay: cannot open %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  std::string pending;
  char buf[4096];
  pollfd fds[2] = {{fifo, POLLIN, 0}, {0, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0) return 0;  // ExaBGP is gone
    }
    if (fds[0].revents & POLLIN) {
      ssize_t n = ::read(fifo, buf, sizeof buf);
      if (n <= 0) continue;
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl + 1);
        pending.erase(0, nl + 1);
        if (::write(1, line.data(), line.size()) < 0) return 1;
      }
    }
  }
}
