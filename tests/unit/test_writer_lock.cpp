// Issue 23 (data loss, cases 1–4): one writer per bundle, a hot journal never meets a new file, a
// file changed under an import is not overwritten, and working copies of killed imports are removed.
#include "data/bundle/bundle.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/bundle/features.hpp"
#include "data/bundle/writer_lock.hpp"
#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace onemap;

namespace {

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

// A private copy of the test bundle in a folder of its own.
fs::path fresh_bundle() {
    const fs::path dir = test::temp_dir() / ("lock-" + test_name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path p = dir / "b.gpkg";
    fs::copy_file(test::test_bundle(), p);
    return p;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// SQL straight on the file, as another program (not onemap) would write it: no writer lock.
void raw_exec(const fs::path& bundle, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(bundle.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close_v2(db);
}

// A writer killed in the middle of a transaction: the file has pages written, the journal is hot.
void kill_mid_write(const fs::path& bundle) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        sqlite3* db = nullptr;
        sqlite3_open_v2(bundle.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite3_exec(db,
                     "PRAGMA cache_size = 2; BEGIN; CREATE TABLE half_written(x); "
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                     "INSERT INTO half_written SELECT randomblob(200) FROM n; UPDATE meta SET value = 'x' WHERE key = 'synthetic';",
                     nullptr, nullptr, nullptr);
        std::raise(SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_TRUE(fs::exists(data::journal_path(bundle)));
    ASSERT_GT(fs::file_size(data::journal_path(bundle)), 0u);
}

pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

const char* k_projects = "项目名称,县代码,产业类别,四个一批,经度,纬度\n食用菌大棚,410221,种植,巩固提升,114.78,34.55\n";
const char* k_sites = "安置点名称,县代码,安置户数,经度,纬度\n幸福社区,410222,120,114.44,34.48\n";

}  // namespace

TEST(WriterLock, ASecondWriterIsRefusedWithWhoHoldsIt) {
    const fs::path bundle = fresh_bundle();
    write(bundle.parent_path() / "projects.csv", k_projects);
    const auto before = test::read_file(bundle);
    const data::WriterLock held = data::WriterLock::acquire(bundle);
    const auto r = test::run_onemap("import projects " + (bundle.parent_path() / "projects.csv").string() + " --bundle " + bundle.string());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("being written by"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("pid " + std::to_string(::getpid())), std::string::npos) << "names the holder: " << r.err;
    EXPECT_NE(r.err.find("since 20"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(bundle), before) << "nothing changed";
}

TEST(WriterLock, IsSharedWithinOneProcess) {
    const fs::path bundle = fresh_bundle();
    const data::WriterLock a = data::WriterLock::acquire(bundle);
    const data::WriterLock b = data::WriterLock::acquire(bundle, 0);
    data::Bundle rw = data::Bundle::open(bundle, data::OpenMode::ReadWrite);  // an import's own in-place steps
    rw.set_meta("lock_test", "1");
    EXPECT_EQ(rw.meta("lock_test").value_or(""), "1");
}

TEST(WriterLock, AKilledHolderLeavesItFree) {
    const fs::path bundle = fresh_bundle();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const data::WriterLock lock = data::WriterLock::acquire(bundle);
        std::raise(SIGKILL);
    }
    ::waitpid(pid, nullptr, 0);
    EXPECT_TRUE(fs::exists(data::writer_lock_path(bundle))) << "a killed holder leaves the file, not the lock";
    EXPECT_NO_THROW(data::WriterLock::acquire(bundle, 0.5));
    EXPECT_FALSE(fs::exists(data::writer_lock_path(bundle))) << "the next holder removes it as it lets go";
}

TEST(WriterLock, BusyIsABundleErrorAfterTheWait) {
    const fs::path bundle = fresh_bundle();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const data::WriterLock lock = data::WriterLock::acquire(bundle);
        ::sleep(3);
        ::_exit(0);
    }
    ::usleep(500000);
    try {
        data::WriterLock::acquire(bundle, 0.2);
        ADD_FAILURE() << "acquired a lock another process holds";
    } catch (const data::BundleBusy& e) {
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(pid)), std::string::npos) << e.what();
    }
    ::waitpid(pid, nullptr, 0);
}

// Case 2: two imports of different tables at the same time — before, one was lost with both exit 0.
TEST(WriterLock, ConcurrentImportsBothLandOrOneSaysWhy) {
    for (int trial = 0; trial < 3; ++trial) {
        const fs::path bundle = fresh_bundle();
        const fs::path dir = bundle.parent_path();
        write(dir / "projects.csv", k_projects);
        write(dir / "sites.csv", k_sites);
        const std::string one = std::string(ONEMAP_BINARY) + " import projects " + (dir / "projects.csv").string() + " --bundle " + bundle.string();
        const std::string two = std::string(ONEMAP_BINARY) + " import sites " + (dir / "sites.csv").string() + " --bundle " + bundle.string();
        const std::string cmd = "bash -c '(" + one + " >/dev/null 2>" + (dir / "1.err").string() + "; echo $? >" + (dir / "1.rc").string() + ") & (" +
                                two + " >/dev/null 2>" + (dir / "2.err").string() + "; echo $? >" + (dir / "2.rc").string() + ") & wait'";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        const int rc1 = std::stoi(test::read_file(dir / "1.rc")), rc2 = std::stoi(test::read_file(dir / "2.rc"));
        const auto projects = data::read_projects(bundle);
        const auto sites = data::read_sites(bundle);
        const bool has_project = std::any_of(projects.begin(), projects.end(), [](const data::Project& p) { return p.name == "食用菌大棚"; });
        const bool has_site = std::any_of(sites.begin(), sites.end(), [](const data::Site& s) { return s.name == "幸福社区"; });
        EXPECT_TRUE(rc1 != 0 || has_project) << "projects said done but are not in the bundle; " << test::read_file(dir / "1.err");
        EXPECT_TRUE(rc2 != 0 || has_site) << "sites said done but are not in the bundle; " << test::read_file(dir / "2.err");
        for (const auto& [rc, err] : {std::pair{rc1, dir / "1.err"}, std::pair{rc2, dir / "2.err"}}) {
            if (rc != 0) {
                EXPECT_NE(test::read_file(err).find("being written by"), std::string::npos) << test::read_file(err);
            }
        }
        EXPECT_TRUE(rc1 == 0 || rc2 == 0);
    }
}

// Case 1: a killed in-place write leaves a hot journal.
TEST(WriterLock, AReadOnlyOpenOfAnInterruptedWriteSaysRunRepair) {
    const fs::path bundle = fresh_bundle();
    kill_mid_write(bundle);
    try {
        data::Bundle::open(bundle, data::OpenMode::ReadOnly);
        // SQLite may read it when no page was written yet; then the journal is all that is wrong
    } catch (const data::BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("interrupted write"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("onemap repair --bundle"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("damaged or truncated"), std::string::npos) << "not the misleading message: " << e.what();
    }
    const auto r = test::run_onemap("repair --bundle " + bundle.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("rolled back an interrupted write"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("quick_check ok"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(data::journal_path(bundle)) && fs::file_size(data::journal_path(bundle)) > 0);
    const data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    EXPECT_EQ(b.quick_check(), "ok");
    EXPECT_EQ(b.meta("synthetic").value_or(""), "1") << "the half-done change is gone";
    const auto again = test::run_onemap("repair --bundle " + bundle.string());
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("nothing to repair"), std::string::npos) << again.out;
}

TEST(WriterLock, AnImportOverAnInterruptedWriteRollsItBackFirst) {
    const fs::path bundle = fresh_bundle();
    write(bundle.parent_path() / "projects.csv", k_projects);
    kill_mid_write(bundle);
    const auto r = test::run_onemap("import projects " + (bundle.parent_path() / "projects.csv").string() + " --bundle " + bundle.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(fs::exists(data::journal_path(bundle)) && fs::file_size(data::journal_path(bundle)) > 0);
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadWrite);  // a read-write open would roll a stale journal in
    EXPECT_EQ(b.quick_check(), "ok");
    EXPECT_EQ(data::read_projects(bundle).size(), 1u);
}

// The journal of the old file must not be rolled into the new one (`sync`, `publish`).
TEST(WriterLock, ANewFileRenamedOverAnInterruptedWriteIsNotCorrupted) {
    const fs::path bundle = fresh_bundle();
    const fs::path snapshot = bundle.parent_path() / "snapshot.gpkg";
    fs::copy_file(test::test_bundle(), snapshot);
    raw_exec(snapshot, "UPDATE meta SET value = 'snapshot' WHERE key = 'created_by'");
    kill_mid_write(bundle);
    {
        const data::WriterLock lock = data::WriterLock::acquire(bundle);
        data::clear_journal_before_rename(bundle);
        fs::rename(snapshot, bundle);
    }
    EXPECT_FALSE(fs::exists(data::journal_path(bundle)));
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadWrite);
    EXPECT_EQ(b.quick_check(), "ok");
    EXPECT_EQ(b.meta("created_by").value_or(""), "snapshot");
}

// Case 2, the other half: a program that wrote the file without the lock while an import ran.
TEST(WriterLock, AFileChangedDuringAnImportIsNotOverwritten) {
    const fs::path bundle = fresh_bundle();
    try {
        data::replace_atomically(bundle, [&](const fs::path& work) {
            raw_exec(work, "UPDATE meta SET value = 'from the import' WHERE key = 'created_by'");
            raw_exec(bundle, "UPDATE meta SET value = 'written meanwhile' WHERE key = 'created_by'");
        });
        FAIL() << "swapped in over a change";
    } catch (const data::BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("changed while this ran"), std::string::npos) << e.what();
    }
    EXPECT_EQ(data::Bundle::open(bundle, data::OpenMode::ReadOnly).meta("created_by").value_or(""), "written meanwhile");
    for (const auto& e : fs::directory_iterator(bundle.parent_path()))
        EXPECT_EQ(e.path().filename().string().find(".import-"), std::string::npos) << "working copy left: " << e.path();
}

// Case 4: working copies of killed imports (1 GB each on the province) are removed at the next write.
TEST(WriterLock, WorkingCopiesOfDeadImportsAreRemovedAtTheNextWrite) {
    const fs::path bundle = fresh_bundle();
    const fs::path dir = bundle.parent_path();
    const fs::path dead = dir / (".b.gpkg.import-" + std::to_string(dead_pid()) + ".gpkg");
    const fs::path dead_journal = fs::path(dead.string() + "-journal");
    const fs::path alive = dir / (".b.gpkg.import-" + std::to_string(::getppid()) + ".gpkg");
    const fs::path other = dir / ".other.gpkg.import-1.gpkg";
    for (const auto& p : {dead, dead_journal, alive, other}) write(p, "x");
    data::replace_atomically(bundle, [](const fs::path&) {});
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_FALSE(fs::exists(dead_journal));
    EXPECT_TRUE(fs::exists(alive)) << "its import still runs";
    EXPECT_TRUE(fs::exists(other)) << "another bundle's";
    write(dead, "x");
    const auto r = test::run_onemap("repair --bundle " + bundle.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("removed 1 working copy"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dead));
}
