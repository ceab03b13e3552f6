#include "bundle_swap.hpp"

#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"

#include <sqlite3.h>

#include <fcntl.h>
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

void replace_atomically(const std::filesystem::path& bundle, const std::function<void(const std::filesystem::path&)>& build) {
    namespace fs = std::filesystem;
    const fs::path dir = bundle.has_parent_path() ? bundle.parent_path() : fs::path(".");
    const fs::path work = dir / fmt::format(".{}.import-{}.gpkg", bundle.filename().string(), ::getpid());
    std::error_code ec;
    fs::remove(work, ec);
    try {
        if (fs::exists(bundle)) {
            { Bundle check = Bundle::open(bundle, OpenMode::ReadOnly); }  // refuse a non-bundle before copying it
            fs::copy_file(bundle, work, fs::copy_options::overwrite_existing);
        } else {
            create_empty_bundle(work);
        }
        build(work);
        kill_point("before-rename");
        fsync_path(work);
        fs::rename(work, bundle);
        fsync_path(dir);
    } catch (...) {
        fs::remove(work, ec);
        fs::remove(fs::path(work.string() + "-journal"), ec);
        throw;
    }
}

}  // namespace onemap::data
