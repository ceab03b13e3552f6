#include "kiosk/gui/bundle_watch.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace onemap::app {

FileIdentity file_identity(const std::filesystem::path& path) {
    struct stat st {};
    FileIdentity id;
    if (::stat(path.c_str(), &st) != 0) return id;
    id.exists = true;
    id.device = static_cast<std::uint64_t>(st.st_dev);
    id.inode = static_cast<std::uint64_t>(st.st_ino);
    id.size = static_cast<std::uint64_t>(st.st_size);
    id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    return id;
}

BundleWatch::BundleWatch(std::filesystem::path path, FileIdentity loaded, double interval_s)
    : m_path(std::move(path)), m_loaded(loaded), m_seen(loaded),
      m_interval(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s))), m_next(Clock::now() + m_interval) {}

bool BundleWatch::changed(Clock::time_point now) {
    if (now < m_next) return false;
    m_next = now + m_interval;
    const FileIdentity id = file_identity(m_path);
    const bool stable = id == m_seen;
    m_seen = id;
    // The refused file is not held open, so its inode may come back for a newer file: compare all of it.
    if (!id.exists || id.same_file(m_loaded) || id == m_failed) return false;
    return stable;
}

void BundleWatch::loaded(const FileIdentity& id) {
    m_loaded = id;
    m_failed = {};
}

void BundleWatch::failed(const FileIdentity& id) { m_failed = id; }

double BundleWatch::seconds_to_next(Clock::time_point now) const {
    return std::max(0.0, std::chrono::duration<double>(m_next - now).count());
}

BundlePoke::BundlePoke(std::filesystem::path path, std::function<void()> wake, double interval_s)
    : m_thread([this, path = std::move(path), wake = std::move(wake), interval_s] {
          FileIdentity last = file_identity(path);
          const auto step = std::chrono::milliseconds(50);
          auto next = std::chrono::steady_clock::now();
          while (!m_stop.load()) {
              std::this_thread::sleep_for(step);  // short steps: the destructor never waits long
              if (std::chrono::steady_clock::now() < next) continue;
              next = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                            std::chrono::duration<double>(interval_s));
              const FileIdentity id = file_identity(path);
              if (!(id == last)) {
                  last = id;
                  wake();
              }
          }
      }) {}

BundlePoke::~BundlePoke() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace onemap::app
