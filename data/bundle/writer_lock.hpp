#pragma once
// One writer per bundle. Every program that writes a bundle — an import's copy-and-rename, `sync`
// and `publish` renaming a new file over it, `prepare`, `check`, `monitor`, the desk's alert steps,
// a render cache stored in place — holds an exclusive lock on `.NAME.lock` beside it for as long
// as it writes:
//
//   acquire ──▶ flock(LOCK_EX) on .NAME.lock ──▶ (holder: program, pid, since) written into it
//           └─▶ held by another process: wait up to `wait_s`, then BundleBusy naming that holder
//
// The kernel drops the lock when its process ends, however it ends, so a killed writer never leaves
// the bundle locked. The file goes when its holder lets go (a killed one leaves it behind, unlocked). Within one process the lock is shared: a writer that already holds it may open
// the bundle read-write again (its count goes up).
//
// Around a rename: an interrupted in-place write leaves a hot rollback journal (NAME-journal) that
// SQLite would roll into whatever file is at NAME next — so recover_interrupted_write() rolls it back
// into the file it belongs to, under the lock, before anything is renamed over it.
#include "data/bundle/bundle.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace onemap::data {

// The bundle is being written by another program (message: which, since when).
class BundleBusy : public BundleError {
public:
    using BundleError::BundleError;
};

class WriterLock {
public:
    // Throws BundleBusy when another process holds it for longer than `wait_s`, BundleError when the
    // lock file cannot be made (the bundle's folder is not writable).
    static WriterLock acquire(const std::filesystem::path& bundle, double wait_s = 2.0);
    WriterLock(WriterLock&&) noexcept;
    WriterLock& operator=(WriterLock&&) noexcept;
    ~WriterLock();

private:
    explicit WriterLock(std::string key) : m_key(std::move(key)) {}
    std::string m_key;  // the lock file's path; empty once moved from
};

std::filesystem::path writer_lock_path(const std::filesystem::path& bundle);  // .NAME.lock beside it
std::filesystem::path journal_path(const std::filesystem::path& bundle);      // NAME-journal

// A hot journal beside `bundle` (a writer was killed mid-transaction): roll it back into the file
// it belongs to. Call with the writer lock held. True when there was one; throws BundleError when the
// file cannot be opened to roll it back.
bool recover_interrupted_write(const std::filesystem::path& bundle);

// Before a new file is renamed over `bundle` (lock held): its stale journal, if any, is rolled back
// into the file it belongs to — or removed when that file cannot be opened — so that SQLite never
// rolls it into the new file.
void clear_journal_before_rename(const std::filesystem::path& bundle);

// Working copies that killed imports left beside `bundle` (.NAME.import-PID.gpkg of a process that
// no longer runs), removed; returns how many. Call with the writer lock held.
int remove_stale_work_copies(const std::filesystem::path& bundle);

}  // namespace onemap::data
