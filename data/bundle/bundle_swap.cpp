#include "bundle_swap.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/writer_lock.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>

namespace onemap::data {

namespace {
void fsync_path(const std::filesystem::path& p) {
    const int fd = ::open(p.string().c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
}  // namespace

void kill_point(std::string_view point) {
    const char* at = std::getenv("ONEMAP_TEST_KILL_AT");
    if (at && point == at) std::raise(SIGKILL);
}

void create_empty_bundle(const std::filesystem::path& path) {
    write_features(path, {}, {}, {});
    Bundle b = Bundle::initialise(path);
    Transaction tx(b);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), "INSERT OR IGNORE INTO metrics(key, name_zh, name_en, unit, direction, diverging) VALUES (?,?,?,?,?,?)", -1, &st, nullptr);
    for (const Metric& m : metric_catalogue()) {
        sqlite3_bind_text(st, 1, m.key.data(), static_cast<int>(m.key.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, m.name_zh.data(), static_cast<int>(m.name_zh.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, m.name_en.data(), static_cast<int>(m.name_en.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, m.unit.data(), static_cast<int>(m.unit.size()), SQLITE_TRANSIENT);
        const auto dir = direction_key(m.direction);
        sqlite3_bind_text(st, 5, dir.data(), static_cast<int>(dir.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, m.diverging ? 1 : 0);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    b.set_meta("synthetic", "0");
    b.set_meta("crs", "EPSG:4490");
    b.set_meta("created_by", "onemap import");
    b.set_meta("layers_real", "");
    b.set_meta("layers_synthetic", "");
    tx.commit();
}

namespace {
// What tells whether another program wrote the file meanwhile.
struct FileIdentity {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    ino_t inode = 0;
    bool operator==(const FileIdentity&) const = default;
};
FileIdentity identity(const std::filesystem::path& p) {
    struct stat st {};
    FileIdentity id;
    std::error_code ec;
    if (::stat(p.c_str(), &st) == 0) id.inode = st.st_ino;
    id.size = std::filesystem::file_size(p, ec);
    id.mtime = std::filesystem::last_write_time(p, ec);
    return id;
}
}  // namespace

void replace_atomically(const std::filesystem::path& bundle, const std::function<void(const std::filesystem::path&)>& build) {
    namespace fs = std::filesystem;
    const fs::path dir = bundle.has_parent_path() ? bundle.parent_path() : fs::path(".");
    const fs::path work = dir / fmt::format(".{}.import-{}.gpkg", bundle.filename().string(), ::getpid());
    // one writer at a time, from before the copy until after the rename
    const WriterLock lock = WriterLock::acquire(bundle);
    remove_stale_work_copies(bundle);
    std::error_code ec;
    fs::remove(work, ec);
    try {
        const bool existed = fs::exists(bundle);
        FileIdentity before;
        if (existed) {
            recover_interrupted_write(bundle);  // a killed in-place write: rolled back before the copy
            { Bundle check = Bundle::open(bundle, OpenMode::ReadOnly); }  // refuse a non-bundle before copying it
            before = identity(bundle);
            fs::copy_file(bundle, work, fs::copy_options::overwrite_existing);
        } else {
            create_empty_bundle(work);
        }
        build(work);
        kill_point("before-rename");
        fsync_path(work);
        if (existed ? !(identity(bundle) == before) : fs::exists(bundle)) {
            throw BundleError(fmt::format("{}: changed while this ran (another program wrote to it without onemap's writer lock); nothing was "
                                          "changed by this run — run it again",
                                          bundle.string()));
        }
        clear_journal_before_rename(bundle);
        fs::rename(work, bundle);
        fsync_path(dir);
    } catch (...) {
        fs::remove(work, ec);
        fs::remove(fs::path(work.string() + "-journal"), ec);
        throw;
    }
}

}  // namespace onemap::data
