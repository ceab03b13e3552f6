// Snapshot manifests: write, read, and every check verify_snapshot makes (data/bundle/snapshot_manifest.hpp).
#include "data/bundle/bundle.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "fixtures.hpp"
#include "snapshot_fixtures.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

using namespace onemap;
using namespace onemap::data;
namespace fs = std::filesystem;

namespace {

fs::path dir_for(const std::string& name) {
    const auto d = test::temp_dir() / ("snap-" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// A small bundle of its own (the schema and the metrics catalogue; no regions).
fs::path small_bundle(const fs::path& dir, const std::string& name = "kiosk.gpkg") {
    const auto p = dir / name;
    create_empty_bundle(p);
    return p;
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

SnapshotCheck check_of(const fs::path& bundle, const SnapshotManifest& m, std::string* message = nullptr) {
    try {
        verify_snapshot(bundle, m);
    } catch (const SnapshotError& e) {
        if (message) *message = e.what();
        return e.check();
    }
    ADD_FAILURE() << bundle << " passed verification";
    return SnapshotCheck::Manifest;
}

// The page number of a table's b-tree root, so a test can damage exactly that page.
int root_page(const fs::path& bundle, const std::string& table) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(bundle.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master WHERE name = ?", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    const int page = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return page;
}

int page_size(const fs::path& bundle) {
    const std::string head = test::read_file(bundle).substr(16, 2);
    const int v = (static_cast<unsigned char>(head[0]) << 8) | static_cast<unsigned char>(head[1]);
    return v == 1 ? 65536 : v;
}

}  // namespace

TEST(SnapshotManifest, Sha256OfAFileMatchesTheInMemoryHashAndReportsProgress) {
    const auto dir = dir_for("sha");
    const auto p = dir / "blob.bin";
    std::string data(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
    write_text(p, data);
    std::uint64_t last = 0, total = 0;
    int calls = 0;
    EXPECT_EQ(sha256_file(p, [&](std::uint64_t done, std::uint64_t all) { last = done; total = all; ++calls; }), sha256_hex(data));
    EXPECT_EQ(last, data.size());
    EXPECT_EQ(total, data.size());
    EXPECT_EQ(calls, 4) << "read in 1 MiB blocks";
    write_text(p, "");
    EXPECT_EQ(sha256_file(p), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") << "SHA-256 of nothing";
    EXPECT_THROW(sha256_file(dir / "missing.bin"), std::runtime_error);
}

TEST(SnapshotManifest, SourceNeverKeepsAPassword) {
    EXPECT_EQ(redact_source("postgresql://writer:s3cret@db.example:5432/onemap"), "postgresql://writer@db.example:5432/onemap");
    EXPECT_EQ(redact_source("postgresql://reader@db/onemap"), "postgresql://reader@db/onemap");
    EXPECT_EQ(redact_source("postgresql://u:p%40ss@db/x?sslmode=require&password=abc"), "postgresql://u@db/x?sslmode=require");
    EXPECT_EQ(redact_source("postgresql://db/x?password=abc&sslmode=require"), "postgresql://db/x?sslmode=require");
    EXPECT_EQ(redact_source("host=db dbname=onemap password=abc user=w"), "host=db dbname=onemap user=w");
    EXPECT_EQ(redact_source("host=db PASSWORD='a b\\'c' user=w"), "host=db user=w");
    EXPECT_EQ(redact_source("host=db user=w password=abc"), "host=db user=w");
    EXPECT_EQ(redact_source("/srv/snapshots/kiosk.gpkg"), "/srv/snapshots/kiosk.gpkg");
    EXPECT_EQ(redact_source("http://user:pw@centre.example/snap/kiosk.gpkg"), "http://user@centre.example/snap/kiosk.gpkg");
}

TEST(SnapshotManifest, WriteThenReadGivesTheSameManifestAndTheFileHash) {
    const auto dir = dir_for("write");
    const auto bundle = small_bundle(dir);
    const SnapshotManifest written = write_snapshot_manifest(bundle, "postgresql://w:pw@db/onemap", "410225");
    const auto mp = manifest_path(bundle);
    EXPECT_EQ(mp.filename(), "kiosk.gpkg.manifest.json");
    ASSERT_TRUE(fs::exists(mp));
    const SnapshotManifest read = read_snapshot_manifest(mp);
    EXPECT_EQ(read, written);
    EXPECT_EQ(read.format, "onemap-snapshot/1");
    EXPECT_EQ(read.sha256, sha256_hex(test::read_file(bundle)));
    EXPECT_EQ(read.size, fs::file_size(bundle));
    EXPECT_EQ(read.schema_version, k_schema_version);
    EXPECT_EQ(read.region, "410225");
    EXPECT_EQ(read.source, "postgresql://w@db/onemap");
    EXPECT_TRUE(std::regex_match(read.created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << read.created;
    EXPECT_EQ(test::read_file(mp).find("pw"), std::string::npos) << "no password in the file";
    // Written through a temporary file and a rename: nothing else is left in the folder.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"kiosk.gpkg", "kiosk.gpkg.manifest.json"}));
    EXPECT_NO_THROW(verify_snapshot(bundle, read));
}

TEST(SnapshotManifest, ManifestThatIsNotOneIsRefusedNamingTheFieldAndFile) {
    const SnapshotManifest good = [] {
        SnapshotManifest m;
        m.sha256 = std::string(64, 'a');
        m.size = 4096;
        m.created = "2026-11-29T10:00:00Z";
        m.schema_version = 1;
        return m;
    }();
    EXPECT_EQ(parse_snapshot_manifest(to_json(good), "x"), good);
    auto refused = [](const std::string& json) -> std::string {
        try {
            parse_snapshot_manifest(json, "snap.gpkg.manifest.json");
        } catch (const SnapshotError& e) {
            EXPECT_EQ(e.check(), SnapshotCheck::Manifest);
            EXPECT_NE(std::string(e.what()).find("snap.gpkg.manifest.json"), std::string::npos) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "accepted: " << json;
        return {};
    };
    EXPECT_NE(refused("<html>404 Not Found</html>").find("not a snapshot manifest"), std::string::npos);
    EXPECT_NE(refused("[1,2]").find("not a snapshot manifest"), std::string::npos);
    std::string j = to_json(good);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("onemap-snapshot/1"), "onemap-snapshot/2")).find("format"), std::string::npos);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("\"sha256\":\"a+\","), "")).find("'sha256' is missing"), std::string::npos);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("a{64}"), "xyz")).find("64 hex digits"), std::string::npos);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("4096"), "-5")).find("'size' must not be negative"), std::string::npos);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("4096"), "\"4096\"")).find("'size' must be a whole number"), std::string::npos);
    EXPECT_NE(refused(std::regex_replace(j, std::regex("\"schema_version\":1"), "\"schema_version\":0")).find("schema_version"), std::string::npos);
    // Upper-case hex is the same hash.
    SnapshotManifest upper = parse_snapshot_manifest(std::regex_replace(j, std::regex("a{64}"), std::string(64, 'A')), "x");
    EXPECT_EQ(upper.sha256, good.sha256);
    try {
        read_snapshot_manifest(test::temp_dir() / "no-such.manifest.json");
        ADD_FAILURE() << "a missing manifest was read";
    } catch (const SnapshotError& e) {
        EXPECT_EQ(e.check(), SnapshotCheck::Manifest);
        EXPECT_NE(std::string(e.what()).find("no such manifest"), std::string::npos);
    }
}

TEST(SnapshotManifest, TruncatedBundleFailsTheSizeCheck) {
    const auto dir = dir_for("truncated");
    const auto bundle = small_bundle(dir);
    const auto m = make_snapshot_manifest(bundle, "test", "");
    fs::resize_file(bundle, m.size / 2);
    std::string msg;
    EXPECT_EQ(check_of(bundle, m, &msg), SnapshotCheck::Size);
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find(bundle.string()), std::string::npos) << msg;
}

TEST(SnapshotManifest, CorruptBytesOfTheRightSizeFailTheHashCheck) {
    const auto dir = dir_for("corrupt");
    const auto bundle = small_bundle(dir);
    const auto m = make_snapshot_manifest(bundle, "test", "");
    {
        std::fstream f(bundle, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(m.size / 2));
        f.write("\xde\xad\xbe\xef", 4);
    }
    ASSERT_EQ(fs::file_size(bundle), m.size);
    std::string msg;
    EXPECT_EQ(check_of(bundle, m, &msg), SnapshotCheck::Hash);
    EXPECT_NE(msg.find("SHA-256"), std::string::npos) << msg;
}

TEST(SnapshotManifest, AManifestWithAnotherHashIsRefused) {
    const auto dir = dir_for("wronghash");
    const auto bundle = small_bundle(dir);
    auto m = make_snapshot_manifest(bundle, "test", "");
    m.sha256 = sha256_hex("another file");
    EXPECT_EQ(check_of(bundle, m), SnapshotCheck::Hash);
}

TEST(SnapshotManifest, AFileThatIsNotABundleIsRefusedEvenWithAMatchingManifest) {
    const auto dir = dir_for("notbundle");
    const auto p = dir / "kiosk.gpkg";
    write_text(p, std::string(8192, 'x'));
    const SnapshotManifest m = test::manifest_describing(p);
    std::string msg;
    EXPECT_EQ(check_of(p, m, &msg), SnapshotCheck::NotBundle);
    EXPECT_NE(msg.find("not an onemap bundle"), std::string::npos) << msg;
    EXPECT_THROW(make_snapshot_manifest(p, "x", ""), SnapshotError);
    EXPECT_FALSE(fs::exists(manifest_path(p)));
}

TEST(SnapshotManifest, ANewerSchemaIsRefusedFromTheManifestAndFromTheBundle) {
    const auto dir = dir_for("newer");
    const auto bundle = small_bundle(dir);
    auto m = make_snapshot_manifest(bundle, "test", "");
    m.schema_version = k_schema_version + 1;
    std::string msg;
    EXPECT_EQ(check_of(bundle, m, &msg), SnapshotCheck::SchemaNewer) << "refused before hashing";
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
    {
        Bundle b = Bundle::open(bundle, OpenMode::ReadWrite);
        b.set_meta("schema_version", std::to_string(k_schema_version + 1));
    }
    m = test::manifest_describing(bundle);  // a manifest that says schema v1 of a bundle at v2
    EXPECT_EQ(check_of(bundle, m), SnapshotCheck::SchemaNewer);
}

TEST(SnapshotManifest, ADamagedPageWithAMatchingHashFailsTheQuickCheck) {
    const auto dir = dir_for("damaged");
    const auto bundle = small_bundle(dir);
    const int page = root_page(bundle, "metrics");
    ASSERT_GT(page, 1);
    const int size = page_size(bundle);
    {
        std::fstream f(bundle, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(page - 1) * size);
        const std::string junk(static_cast<std::size_t>(size), '\xff');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    const SnapshotManifest m = test::manifest_describing(bundle);  // published from the damaged file, so size and hash pass
    std::string msg;
    EXPECT_EQ(check_of(bundle, m, &msg), SnapshotCheck::Damaged);
    EXPECT_NE(msg.find("damaged"), std::string::npos) << msg;
    EXPECT_NO_THROW(verify_snapshot(bundle, m, false)) << "without quick_check the damage in the metrics table goes unseen";
}
