#include "data/bundle/writer_lock.hpp"

#include "data/bundle/text_format.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <algorithm>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace onemap::data {

namespace fs = std::filesystem;

namespace {

struct Held {
    int fd = -1;
    int count = 0;
};
std::mutex g_mutex;
std::map<std::string, Held>& held() {
    static std::map<std::string, Held> m;
    return m;
}

// "onemap import projects": the program and its sub-commands (the words without options or paths).
std::string this_program() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string out;
    std::size_t start = 0;
    for (int i = 0; start < all.size() && i < 4; ++i) {
        const std::size_t end = all.find('\0', start);
        std::string arg = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? all.size() : end + 1;
        if (i == 0) {
            arg = fs::path(arg).filename().string();
            if (arg.rfind("onemap", 0) == 0) arg = "onemap";
        } else if (arg.empty() || !std::all_of(arg.begin(), arg.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }) || arg[0] == '-') {
            break;
        }
        out += (out.empty() ? "" : " ") + arg;
    }
    return out.empty() ? "a program" : out;
}

std::string read_holder(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

fs::path writer_lock_path(const fs::path& bundle) {
    return (bundle.has_parent_path() ? bundle.parent_path() : fs::path(".")) / ("." + bundle.filename().string() + ".lock");
}

fs::path journal_path(const fs::path& bundle) { return fs::path(bundle.string() + "-journal"); }

WriterLock WriterLock::acquire(const fs::path& bundle, double wait_s) {
    const fs::path path = writer_lock_path(bundle);
    std::error_code ec;
    const fs::path dir = fs::weakly_canonical(path.parent_path(), ec);
    const std::string key = (ec ? path.parent_path() : dir).string() + "/" + path.filename().string();
    std::lock_guard guard(g_mutex);
    if (auto it = held().find(key); it != held().end()) {
        ++it->second.count;
        return WriterLock(key);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
    int fd = -1;
    for (;;) {
        fd = ::open(key.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            throw BundleError(fmt::format("{}: cannot make its writer lock {}: {} (a program that writes a bundle needs write access to its "
                                          "folder)",
                                          bundle.string(), key, std::strerror(errno)));
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            // The holder before us removes the file as it lets go: ours must still be the one at the path.
            struct stat mine {}, at_path {};
            if (::fstat(fd, &mine) == 0 && ::stat(key.c_str(), &at_path) == 0 && mine.st_ino == at_path.st_ino && mine.st_dev == at_path.st_dev) break;
            ::close(fd);
            continue;
        }
        const int err = errno;
        const std::string holder = read_holder(key);
        ::close(fd);
        if (err != EWOULDBLOCK && err != EINTR) throw BundleError(fmt::format("{}: cannot lock {}: {}", bundle.string(), key, std::strerror(err)));
        if (std::chrono::steady_clock::now() >= deadline) {
            throw BundleBusy(fmt::format("{}: the bundle is being written by {}; nothing was changed — try again when that has finished",
                                         bundle.string(), holder.empty() ? "another program" : holder));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string who = fmt::format("{} (pid {}) since {}\n", this_program(), ::getpid(), utc_now_iso());
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const auto n = ::pwrite(fd, who.data(), who.size(), 0);
    }
    held()[key] = Held{fd, 1};
    return WriterLock(key);
}

WriterLock::WriterLock(WriterLock&& o) noexcept : m_key(std::exchange(o.m_key, {})) {}

WriterLock& WriterLock::operator=(WriterLock&& o) noexcept {
    if (this != &o) {
        WriterLock gone(std::move(*this));
        m_key = std::exchange(o.m_key, {});
    }
    return *this;
}

WriterLock::~WriterLock() {
    if (m_key.empty()) return;
    std::lock_guard guard(g_mutex);
    auto it = held().find(m_key);
    if (it == held().end() || --it->second.count > 0) return;
    // removed while still held (a writer waiting on it sees it is no longer the file at the path and
    // opens the next one); a killed holder leaves it behind, empty of meaning, until the next writer
    ::unlink(m_key.c_str());
    ::flock(it->second.fd, LOCK_UN);
    ::close(it->second.fd);
    held().erase(it);
}

bool recover_interrupted_write(const fs::path& bundle) {
    std::error_code ec;
    const fs::path journal = journal_path(bundle);
    if (!fs::exists(journal, ec) || fs::file_size(journal, ec) == 0) return false;
    // SQLite rolls a hot journal back when a read-write connection first reads the file.
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(bundle.string().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    if (rc != SQLITE_OK) {
        throw BundleError(fmt::format("{}: an interrupted write left {} and it cannot be rolled back: {}", bundle.string(), journal.string(), why));
    }
    return true;
}

void clear_journal_before_rename(const fs::path& bundle) {
    try {
        recover_interrupted_write(bundle);
    } catch (const BundleError&) {
        std::error_code ec;
        fs::remove(journal_path(bundle), ec);  // the file it belongs to is about to be replaced whole
    }
}

int remove_stale_work_copies(const fs::path& bundle) {
    const fs::path dir = bundle.has_parent_path() ? bundle.parent_path() : fs::path(".");
    const std::string prefix = "." + bundle.filename().string() + ".import-";
    int removed = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        std::size_t digits = 0;
        const std::string rest = name.substr(prefix.size());
        while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
        if (digits == 0 || (rest.substr(digits) != ".gpkg" && rest.substr(digits) != ".gpkg-journal")) continue;
        const long pid = std::stol(rest.substr(0, digits));
        if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to tell)
        if (fs::remove(e.path(), ec)) ++removed;
    }
    return removed;
}

}  // namespace onemap::data
