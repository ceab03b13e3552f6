#include "snapshot_sync.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/bundle/writer_lock.hpp"

#include <cpl_error.h>
#include <cpl_http.h>
#include <cpl_string.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

namespace onemap::data {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool is_http(std::string_view from) { return from.rfind("http://", 0) == 0 || from.rfind("https://", 0) == 0; }

fs::path local_path(std::string_view from) { return fs::path(std::string(from.rfind("file://", 0) == 0 ? from.substr(7) : from)); }

// A file descriptor that closes itself.
class Fd {
public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }
private:
    int m_fd;
};

// Where fetched bytes go: a file (the snapshot) or memory (the manifest), with a ceiling so a wrong
// or hostile source cannot fill the disk: one byte more than expected is already wrong.
struct Sink {
    int fd = -1;                 // write here when >= 0
    std::string memory;          // else collect here
    std::uint64_t written = 0;
    std::uint64_t limit = 0;     // stop after this many bytes
    bool over_limit = false;
    int write_errno = 0;
    std::uint64_t total = 0;     // for progress
    const ByteProgress* progress = nullptr;

    bool put(const char* data, std::size_t n) {
        if (written + n > limit) {
            over_limit = true;
            return false;
        }
        if (fd >= 0) {
            for (std::size_t off = 0; off < n;) {
                const ssize_t w = ::write(fd, data + off, n - off);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    write_errno = errno;
                    return false;
                }
                off += static_cast<std::size_t>(w);
            }
        } else {
            memory.append(data, n);
        }
        written += n;
        if (progress && *progress) (*progress)(written, total);
        return true;
    }
};

std::size_t http_write(void* buffer, std::size_t size, std::size_t count, void* arg) {
    auto* sink = static_cast<Sink*>(arg);
    return sink->put(static_cast<const char*>(buffer), size * count) ? size * count : 0;
}

std::string describe_write_error(const Sink& sink, const std::string& what) {
    return fmt::format("{}: cannot write the download: {}", what, std::strerror(sink.write_errno));
}

// One GET through GDAL's HTTP layer (libcurl), streamed into `sink`.
void http_get(const std::string& url, Sink& sink, int connect_timeout_s, int stall_timeout_s) {
    const CPLStringList options = [&] {
        CPLStringList o;
        o.SetNameValue("CONNECTTIMEOUT", std::to_string(connect_timeout_s).c_str());
        o.SetNameValue("LOW_SPEED_TIME", std::to_string(stall_timeout_s).c_str());
        o.SetNameValue("LOW_SPEED_LIMIT", "1");
        return o;
    }();
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);  // our own one-line message below
    CPLHTTPResult* r = CPLHTTPFetchEx(url.c_str(), options.List(), nullptr, nullptr, http_write, &sink);
    CPLPopErrorHandler();
    std::string error;
    if (!r) {
        error = CPLGetLastErrorMsg();
        if (error.empty()) error = "HTTP is not available in this GDAL build";
    } else {
        if (r->pszErrBuf && *r->pszErrBuf) error = r->pszErrBuf;
        else if (r->nStatus != 0) error = fmt::format("transfer failed (curl error {})", r->nStatus);
        CPLHTTPDestroyResult(r);
    }
    if (sink.write_errno) throw SyncError(SyncFailure::Local, describe_write_error(sink, url));
    if (sink.over_limit) {
        throw SyncError(SyncFailure::Refused, fmt::format("{}: longer than the {} bytes its manifest says; not this snapshot", url, sink.limit));
    }
    if (!error.empty()) {
        // GDAL words HTTP failures "HTTP error code : 404"; curl's own messages pass through.
        const auto code = error.find("HTTP error code : ");
        if (code != std::string::npos) error = "HTTP " + error.substr(code + 18);
        throw SyncError(SyncFailure::Fetch, fmt::format("{}: {}", url, error));
    }
}

void file_get(const fs::path& path, Sink& sink) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        throw SyncError(SyncFailure::Fetch, fmt::format("{}: {}", path.string(), fs::exists(path, ec) ? "cannot be read" : "no such file"));
    }
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        if (!sink.put(buf.data(), n)) {
            if (sink.write_errno) throw SyncError(SyncFailure::Local, describe_write_error(sink, path.string()));
            throw SyncError(SyncFailure::Refused, fmt::format("{}: longer than the {} bytes its manifest says; not this snapshot", path.string(), sink.limit));
        }
    }
    if (in.bad()) throw SyncError(SyncFailure::Fetch, fmt::format("{}: read error after {} bytes", path.string(), sink.written));
}

void fetch(const std::string& from, Sink& sink, int connect_timeout_s, int stall_timeout_s) {
    if (is_http(from)) http_get(from, sink, connect_timeout_s, stall_timeout_s);
    else file_get(local_path(from), sink);
}

void fsync_path(const fs::path& p) {
    const Fd fd(::open(p.c_str(), O_RDONLY));
    if (fd.get() >= 0) ::fsync(fd.get());
}

// One sync per folder at a time: an exclusive flock on the folder itself (nothing left behind).
class FolderLock {
public:
    explicit FolderLock(const fs::path& dir) : m_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY)) {
        if (m_fd.get() < 0) throw SyncError(SyncFailure::Local, fmt::format("{}: cannot open the bundle's folder: {}", dir.string(), std::strerror(errno)));
        while (::flock(m_fd.get(), LOCK_EX) != 0) {
            if (errno != EINTR) throw SyncError(SyncFailure::Local, fmt::format("{}: cannot lock the folder: {}", dir.string(), std::strerror(errno)));
        }
    }
private:
    Fd m_fd;
};

// The SHA-256 of what F holds now: from F.manifest.json when it describes F's size, else hashed.
std::optional<std::string> current_hash(const fs::path& bundle) {
    std::error_code ec;
    if (!fs::is_regular_file(bundle, ec)) return std::nullopt;
    const auto size = fs::file_size(bundle, ec);
    try {
        const SnapshotManifest local = read_snapshot_manifest(manifest_path(bundle));
        if (!ec && local.size == size) return local.sha256;
    } catch (const SnapshotError&) {
        // no manifest, or an unreadable one: hash the file
    }
    return sha256_file(bundle);
}

}  // namespace

SnapshotManifest fetch_manifest(const std::string& from, int connect_timeout_s) {
    const std::string where = from + ".manifest.json";
    Sink sink;
    sink.limit = 1 << 20;
    try {
        fetch(where, sink, connect_timeout_s, 30);
    } catch (const SyncError& e) {
        if (e.failure() == SyncFailure::Refused) throw SyncError(SyncFailure::Refused, fmt::format("{}: too large for a manifest", where));
        throw;
    }
    try {
        return parse_snapshot_manifest(sink.memory, where);
    } catch (const SnapshotError& e) {
        throw SyncError(SyncFailure::Refused, e.what());
    }
}

SyncResult sync_snapshot(const SyncOptions& opt) {
    if (opt.from.empty()) throw SyncError(SyncFailure::Fetch, "no snapshot to sync from");
    const fs::path bundle = opt.bundle;
    const fs::path dir = bundle.has_parent_path() ? bundle.parent_path() : fs::path(".");
    std::error_code ec;
    if (!is_http(opt.from) && fs::equivalent(local_path(opt.from), bundle, ec)) {
        throw SyncError(SyncFailure::Fetch, fmt::format("{}: the snapshot and the bundle are the same file", bundle.string()));
    }
    SyncResult result;
    auto t0 = Clock::now();
    result.manifest = fetch_manifest(opt.from, opt.connect_timeout_s);
    const SnapshotManifest& m = result.manifest;
    if (m.schema_version > k_schema_version) {
        throw SyncError(SyncFailure::Refused, fmt::format("{}: snapshot schema v{} is newer than this onemap understands (v{}); update onemap",
                                                          opt.from, m.schema_version, k_schema_version));
    }

    const FolderLock lock(dir);
    // Part files of syncs that were killed: nobody else writes them while we hold the lock.
    const std::string part_prefix = "." + bundle.filename().string() + ".sync-";
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(part_prefix, 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".part") fs::remove(e.path(), ec);
    }
    if (const auto have = current_hash(bundle); have && *have == m.sha256) {
        if (!fs::exists(manifest_path(bundle), ec)) {
            try {
                write_manifest_file(manifest_path(bundle), m);  // remember, so the next check needs no hashing
            } catch (const std::exception&) {
                // only a cache: a read-only folder still syncs
            }
        }
        result.outcome = SyncOutcome::UpToDate;
        result.seconds_fetch = since(t0);
        return result;
    }

    const fs::path part = dir / fmt::format("{}{}.part", part_prefix, ::getpid());
    try {
        {
            Fd fd(::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (fd.get() < 0) throw SyncError(SyncFailure::Local, fmt::format("{}: cannot write here: {}", dir.string(), std::strerror(errno)));
            Sink sink;
            sink.fd = fd.get();
            sink.limit = m.size;
            sink.total = m.size;
            sink.progress = &opt.progress;
            fetch(opt.from, sink, opt.connect_timeout_s, opt.stall_timeout_s);
            result.bytes = sink.written;
            if (::fsync(fd.get()) != 0) throw SyncError(SyncFailure::Local, fmt::format("{}: cannot write the download: {}", part.string(), std::strerror(errno)));
        }
        result.seconds_fetch = since(t0);
        t0 = Clock::now();
        try {
            verify_snapshot(part, m, opt.quick_check);
        } catch (const SnapshotError& e) {
            // Name the snapshot, not the part file the person never sees.
            std::string what = e.what();
            if (const auto at = what.find(part.string()); at != std::string::npos) what.replace(at, part.string().size(), opt.from);
            throw SyncError(SyncFailure::Refused, fmt::format("{} [{}]", what, snapshot_check_key(e.check())));
        }
        result.seconds_verify = since(t0);
        kill_point("sync-before-rename");
        std::optional<WriterLock> lock;
        try {
            lock.emplace(WriterLock::acquire(bundle, 10.0));
        } catch (const BundleError& e) {
            throw SyncError(SyncFailure::Local, e.what());  // an import is writing it: the next sync takes the snapshot
        }
        clear_journal_before_rename(bundle);
        fs::rename(part, bundle, ec);
        if (ec) throw SyncError(SyncFailure::Local, fmt::format("{}: cannot replace the bundle: {}", bundle.string(), ec.message()));
        fsync_path(dir);
    } catch (...) {
        fs::remove(part, ec);
        throw;
    }
    try {
        write_manifest_file(manifest_path(bundle), m);
    } catch (const std::exception&) {
        // The bundle is in place; without F.manifest.json the next sync hashes F instead.
        fs::remove(manifest_path(bundle), ec);
    }
    result.outcome = SyncOutcome::Updated;
    return result;
}

}  // namespace onemap::data
