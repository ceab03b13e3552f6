#pragma once
// Notices that the bundle path now names another file — `onemap sync` renamed a new snapshot over
// it — so a running GUI can reopen it without a restart.
//
//   loaded ──stat() every interval──▶ another file (inode)? ──same size and time on the next look?──▶ changed()
//                                          │ no                      │ no (still being written)
//                                          ▼                         ▼
//                                       nothing                   look again
//
// "Another file" means another inode: `onemap sync`, `mv` and imports rename a new file over the path.
// Changes in place to the file on screen (the render cache desk and wall store, a desk's alert steps)
// are not a new bundle. Overwriting a bundle in place (`cp new kiosk.gpkg`) is not supported: a reader
// of the file would see it change underneath. A file whose reload failed (failed()) is not tried again
// until the path names yet another file. Inode numbers are compared: that is sound while the loaded
// file is held open (the GUI holds its bundle open; an open file's inode is not reused).
// Cost: one stat() per interval; nothing is read. BundlePoke wakes an idle GUI when the path changes,
// so the event loop need not draw a frame every interval just to look.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <thread>

namespace onemap::app {

// Which file a path names right now: device, inode, size and modification time (nanoseconds).
struct FileIdentity {
    bool exists = false;
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
    bool same_file(const FileIdentity& o) const { return exists && o.exists && device == o.device && inode == o.inode; }
};
FileIdentity file_identity(const std::filesystem::path& path);

class BundleWatch {
public:
    using Clock = std::chrono::steady_clock;
    // `loaded`: the identity taken before the bundle in use was opened.
    BundleWatch(std::filesystem::path path, FileIdentity loaded, double interval_s = 1.0);

    // At most one stat() per interval; true when the path has named one other file for two looks.
    bool changed(Clock::time_point now = Clock::now());
    const FileIdentity& candidate() const { return m_seen; }  // the file changed() saw
    void loaded(const FileIdentity& id);   // the GUI now shows this file
    void failed(const FileIdentity& id);   // this file could not be shown: leave it alone
    const FileIdentity& current() const { return m_loaded; }
    // The last look saw a file that is neither shown nor refused: look again soon (changed()).
    bool settling() const { return m_seen.exists && !m_seen.same_file(m_loaded) && !(m_seen == m_failed); }
    double seconds_to_next(Clock::time_point now = Clock::now()) const;  // for the event wait

private:
    std::filesystem::path m_path;
    FileIdentity m_loaded, m_seen, m_failed;
    Clock::duration m_interval;
    Clock::time_point m_next;
};

// A thread that stat()s the path every `interval_s` and calls `wake` (glfwPostEmptyEvent) whenever
// the file it names changes; stopped and joined by the destructor.
class BundlePoke {
public:
    BundlePoke(std::filesystem::path path, std::function<void()> wake, double interval_s = 1.0);
    ~BundlePoke();
    BundlePoke(const BundlePoke&) = delete;
    BundlePoke& operator=(const BundlePoke&) = delete;
private:
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace onemap::app
