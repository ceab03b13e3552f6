// Benchmark (not a test): the province's PostgreSQL/PostGIS database as the source of truth.
//   onemap_bench_pg --pg URL --bundle province.gpkg [--county 410221] [--importers 8] [--onemap PATH]
// URL: a superuser on a server with PostGIS (e.g. tests/pg/pg_cluster.sh start DIR; cat DIR/url).
// A fresh database `onemap_bench` is made there, loaded from the bundle, then:
//   publish the whole province and one county (`onemap publish`, render cache included): time, size
//   8 (--importers) `onemap import indicators --pg` at once, each a different period for every
//   village: rows per second together, beside one importer alone.
//   --rounds R: then R rounds of the N importers with the change counter's triggers (data/pg/pg_schema.cpp)
//   enabled and disabled in turn: rows/s each way (median) and what the counter costs.
//   --publish 0 skips the publish steps; --reuse 1 takes `onemap_bench` as it is (initialised and
//   loaded from the bundle by an earlier run) instead of making it again.
#include "data/bundle/features.hpp"
#include "data/pg/pg.hpp"

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string g_onemap = ONEMAP_BINARY;

int sh(const std::string& cmd) {
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string with_db(const std::string& url, const std::string& db, const std::string& user) {
    const auto at = url.find('@');
    const auto slash = url.rfind('/');
    return "postgresql://" + user + url.substr(at, slash - at) + "/" + db;
}

}  // namespace

int main(int argc, char** argv) {
    std::string url, bundle, county = "410221";
    int importers = 8, rounds = 0;
    bool publish = true, reuse = false;
    fs::path dir = fs::temp_directory_path() / "onemap-bench-pg";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--pg") url = argv[i + 1];
        else if (a == "--bundle") bundle = argv[i + 1];
        else if (a == "--county") county = argv[i + 1];
        else if (a == "--importers") importers = std::stoi(argv[i + 1]);
        else if (a == "--onemap") g_onemap = argv[i + 1];
        else if (a == "--dir") dir = argv[i + 1];
        else if (a == "--rounds") rounds = std::stoi(argv[i + 1]);
        else if (a == "--publish") publish = argv[i + 1] != std::string("0");
        else if (a == "--reuse") reuse = argv[i + 1] != std::string("0");
    }
    if (url.empty() || bundle.empty()) {
        fmt::print(stderr, "usage: onemap_bench_pg --pg URL --bundle province.gpkg [--county CODE] [--importers N] [--dir DIR]\n");
        return 2;
    }
    fs::remove_all(dir);
    fs::create_directories(dir);
    try {
        if (!reuse) {
            onemap::data::pg::Connection admin = onemap::data::pg::Connection::open(url);
            admin.exec("DROP DATABASE IF EXISTS onemap_bench WITH (FORCE)");
            admin.exec("CREATE DATABASE onemap_bench");
        }
        const std::string db = with_db(url, "onemap_bench", "postgres");
        const std::string reader = with_db(url, "onemap_bench", "onemap_reader");
        const std::string writer = with_db(url, "onemap_bench", "onemap_writer");
        auto t0 = Clock::now();
        if (!reuse) {
            if (sh(fmt::format("'{}' serve-db init --pg '{}' >/dev/null", g_onemap, db)) != 0) return 1;
            t0 = Clock::now();
            if (sh(fmt::format("'{}' serve-db load --pg '{}' --bundle '{}' > '{}/load.txt'", g_onemap, db, bundle, dir.string())) != 0) return 1;
        }
        const double t_load = seconds_since(t0);
        const auto bundle_bytes = fs::file_size(bundle);

        fmt::print("onemap_bench_pg — PostgreSQL {} ; source {} ({:.0f} MiB)\n\n", url.substr(url.find('@') + 1), bundle, bundle_bytes / 1048576.0);
        fmt::print("| step | time (s) | size (MiB) | notes |\n|---|---:|---:|---|\n");
        if (!reuse) fmt::print("| serve-db load (whole bundle → PG, COPY) | {:.1f} | {:.0f} | one transaction |\n", t_load, bundle_bytes / 1048576.0);
        for (const auto& [what, region] : {std::pair<std::string, std::string>{"publish province", "41"}, {"publish county " + county, county}}) {
            if (!publish) break;
            const fs::path out = dir / (region + ".gpkg");
            t0 = Clock::now();
            if (sh(fmt::format("'{}' publish --pg '{}' --region {} --out '{}' > '{}/publish-{}.txt'", g_onemap, reader, region, out.string(),
                               dir.string(), region)) != 0) return 1;
            const double t = seconds_since(t0);
            std::ifstream log(dir / ("publish-" + region + ".txt"));
            std::string first;
            std::getline(log, first);
            const auto colon = first.find(": read");
            fmt::print("| {} (reader role, render cache built) | {:.1f} | {:.1f} | {} |\n", what, t, fs::file_size(out) / 1048576.0,
                       colon == std::string::npos ? "" : first.substr(colon + 2));
        }

        // Importers: every village, one period per importer.
        std::vector<std::string> villages;
        for (const auto& r : onemap::data::read_regions(bundle, onemap::data::Level::Village)) villages.push_back(r.code);
        for (int k = 0; k < importers; ++k) {
            std::ofstream f(dir / fmt::format("ind{}.csv", k));
            f << "region_code,period,metric,value\n";
            for (std::size_t i = 0; i < villages.size(); ++i) f << villages[i] << ',' << 2040 + k << ",tp_households," << (i % 500) << '\n';
        }
        auto import_all = [&](int n) {
            std::vector<pid_t> kids;
            std::fflush(stdout);  // the children must not inherit (and print again) our buffered table
            const auto start = Clock::now();
            for (int k = 0; k < n; ++k) {
                const pid_t pid = ::fork();
                if (pid == 0) {
                    const std::string file = (dir / fmt::format("ind{}.csv", k)).string();
                    const std::string log = (dir / fmt::format("import{}.txt", k)).string();
                    FILE* out = std::freopen(log.c_str(), "w", stdout);
                    (void)out;
                    ::execl(g_onemap.c_str(), g_onemap.c_str(), "import", "indicators", file.c_str(), "--pg", writer.c_str(), static_cast<char*>(nullptr));
                    _exit(127);
                }
                kids.push_back(pid);
            }
            int failed = 0;
            for (pid_t pid : kids) {
                int status = 0;
                ::waitpid(pid, &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
            }
            return std::pair<double, int>{seconds_since(start), failed};
        };
        fmt::print("\n| importers at once | rows each | time (s) | rows/s together | failed |\n|---:|---:|---:|---:|---:|\n");
        {
            onemap::data::pg::Connection c = onemap::data::pg::Connection::open(db);
            c.exec("DELETE FROM indicators WHERE period >= '2040'");
        }
        const auto [t1, f1] = import_all(1);
        fmt::print("| 1 | {} | {:.1f} | {:.0f} | {} |\n", villages.size(), t1, villages.size() / t1, f1);
        {
            onemap::data::pg::Connection c = onemap::data::pg::Connection::open(db);
            c.exec("DELETE FROM indicators WHERE period >= '2040'");
        }
        const auto [tn, fnn] = import_all(importers);
        fmt::print("| {} | {} | {:.1f} | {:.0f} | {} |\n", importers, villages.size(), tn, importers * villages.size() / tn, fnn);
        onemap::data::pg::Connection c = onemap::data::pg::Connection::open(db);
        fmt::print("\nrows landed: {} (expected {})\n", c.query("SELECT count(*) FROM indicators WHERE period >= '2040'").integer(0, 0),
                   importers * villages.size());
        if (rounds > 0) {
            // The change counter's cost: the same N importers with its triggers enabled and disabled in turn.
            const auto triggers = c.query("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE '%\\_changed' AND NOT tgisinternal");
            auto set_triggers = [&](bool on) {
                for (int i = 0; i < triggers.rows(); ++i) {
                    c.exec(fmt::format("ALTER TABLE {} {} TRIGGER {}", triggers.str(i, 0), on ? "ENABLE" : "DISABLE", triggers.str(i, 1)));
                }
            };
            std::vector<double> with, without;
            std::int64_t change_rows = 0;
            for (int r = 0; r < rounds; ++r) {
                for (const bool on : {r % 2 == 0, r % 2 != 0}) {
                    c.exec("DELETE FROM indicators WHERE period >= '2040'");
                    set_triggers(on);
                    const auto before = c.query("SELECT count(*) FROM changes").integer(0, 0);
                    const auto [t, failed] = import_all(importers);
                    if (failed) throw std::runtime_error(fmt::format("{} importers failed (see {}/import*.txt)", failed, dir.string()));
                    if (on) change_rows = c.query("SELECT count(*) FROM changes").integer(0, 0) - before;
                    (on ? with : without).push_back(importers * villages.size() / t);
                }
            }
            set_triggers(true);
            auto median = [](std::vector<double> v) {
                std::sort(v.begin(), v.end());
                return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
            };
            auto list = [](const std::vector<double>& v) {
                std::string out;
                for (double x : v) out += fmt::format("{}{:.0f}", out.empty() ? "" : ", ", x);
                return out;
            };
            fmt::print("\n| {} importers at once, {} rounds | rows/s together (median) | each round |\n|---|---:|---|\n", importers, rounds);
            fmt::print("| change counter triggers enabled | {:.0f} | {} |\n", median(with), list(with));
            fmt::print("| change counter triggers disabled | {:.0f} | {} |\n", median(without), list(without));
            fmt::print("\nthe counter costs {:+.1f}% of throughput; {} change rows for {} imports ({} triggers)\n",
                       (1 - median(with) / median(without)) * 100, change_rows, importers, triggers.rows());
        }
        fmt::print("machine: {} cores; each import reads its CSV, checks every row against the regions, then COPY + upsert in one transaction\n",
                   std::thread::hardware_concurrency());
    } catch (const std::exception& e) {
        fmt::print(stderr, "onemap_bench_pg: {}\n", e.what());
        return 1;
    }
    return 0;
}
