#pragma once
// The PostgreSQL tests' helpers (tests/pg/test_pg.cpp, tests/e2e/test_gui_pg.cpp): the ctest fixture's
// throw-away cluster (pg_cluster), a fresh database per test, the onemap program run as a command.
#include "data/pg/pg.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

// The cluster's superuser URL (…/onemap_test). A missing file means the fixture could not start the
// server: that is a failure, never a skip.
std::string cluster_url() {
    const char* file = std::getenv("ONEMAP_PG_URL_FILE");
    if (!file) {
        ADD_FAILURE() << "ONEMAP_PG_URL_FILE is not set: run these tests through ctest (fixture pg_cluster)";
        return {};
    }
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    if (url.empty()) {
        ADD_FAILURE() << "the PostgreSQL test cluster is not running (" << file
                      << " missing): see the output of the ctest test pg_cluster_start (tests/pg/pg_cluster.sh)";
    }
    return url;
}

// A fresh database per test: URL with the database (and optionally the user) replaced.
std::string with_db(const std::string& url, const std::string& db, const std::string& user = "postgres") {
    const auto at = url.find('@');
    const auto slash = url.rfind('/');
    return "postgresql://" + user + url.substr(at, slash - at) + "/" + db;
}

std::string fresh_db(const std::string& name) {
    const std::string url = cluster_url();
    if (url.empty()) return {};
    onemap::data::pg::Connection admin = onemap::data::pg::Connection::open(url);
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + name);
    return with_db(url, name);
}

struct CliRun {
    int rc = -1;
    std::string out;
};

CliRun run(const std::string& args, const std::string& env = {}) {
    const std::string cmd = env + " " + ONEMAP_BINARY + " " + args + " 2>&1";
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::filesystem::path test_bundle() {
    const char* b = std::getenv("ONEMAP_PG_BUNDLE");
    return b ? std::filesystem::path(b) : std::filesystem::path();
}

// init + load the test bundle (the demo's test scale: one city, three counties, 3,000 households).
std::string loaded_db(const std::string& name) {
    const std::string url = fresh_db(name);
    if (url.empty()) return {};
    const CliRun init = run("serve-db init --pg '" + url + "'");
    EXPECT_EQ(init.rc, 0) << init.out;
    const CliRun load = run("serve-db load --pg '" + url + "' --bundle '" + test_bundle().string() + "'");
    EXPECT_EQ(load.rc, 0) << load.out;
    return url;
}

std::int64_t pg_count(onemap::data::pg::Connection& c, const std::string& sql) { return c.query(sql).integer(0, 0); }

}  // namespace
