// What the integration tests of both runtimes share: where anylab is, and
// what of a lab could be left on the machine.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace anylab::test {

inline const std::string kAnylab = std::string(ANYLAB_BIN_DIR) + "/anylab";
std::string lab_file(const std::string& name);

// Everything of a lab that could be left on the host: its namespaces, FRR
// run directories, runtime directory, processes, containers labelled with
// its name, its records in /var/lib/anylab, and containerlab's netns links,
// ssh config and /etc/hosts lines for it.
std::vector<std::string> leftovers(const std::string& lab);
// The same, once orphaned daemons had a moment to be reaped by init.
std::vector<std::string> leftovers_settled(const std::string& lab);
// The processes the lab's journal recorded, read before a destroy.
std::vector<std::string> recorded_pids(const std::string& lab);
// Those of them still in the process table, zombies included: destroy
// returns only once its processes are reaped, so that whatever runs after
// it sees a clean machine.
std::vector<std::string> not_reaped(const std::vector<std::string>& pids);
// Starts `anylab deploy LAB extra...` and returns its pid once the journal
// shows it is in the middle of starting daemons.
pid_t deploy_until_daemons(const std::string& lab, const std::vector<std::string>& extra = {});
// SIGKILLs `anylab deploy LAB extra...` while it starts daemons, then
// checks that `anylab destroy LAB` leaves nothing: every recorded process
// reaped when it returns, no namespace, directory, process or container.
void expect_destroy_cleans_up_after_sigkill(const std::string& lab, const std::vector<std::string>& extra = {});
// Deploys LAB (with extra arguments) with the kernel's same-page merging
// off, then on (KSM's settings put back afterwards): off, its FRR daemons
// must be left alone (not offered to KSM, addresses randomised); on, they
// must be offered, laid out alike and share at least 1 MB each, and their
// PSS must fall by a fifth or more.
void expect_pages_shared_only_with_ksm(const std::string& lab, const std::vector<std::string>& extra = {});

// `anylab test LAB --runtime RUNTIME --json F` passes: exit 0, no FAIL line,
// the JSON report says it passed, measured something and which runtime
// measured it; and nothing of the lab is left afterwards.
void expect_anylab_test_passes(const std::string& lab, const std::string& runtime);
// A JSON report holds to the schema `anylab report --schema` prints.
void expect_valid_report(const std::string& json_file);
// The names of the labs in labs/ (each file is named after its lab).
std::vector<std::string> lab_names();

}  // namespace anylab::test
