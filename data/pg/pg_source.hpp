#pragma once
// The province's PostgreSQL database as a live data::Source for desk and wall (`--pg URL`), and the
// watch that tells them what changed.
//
//   open_pg_source(url, region) ─▶ PgSource: tables through libpq (parameterised queries, one
//        connection, used by the GUI thread only); geometry through GDAL's PostgreSQL driver (a
//        connection of its own per read, so scene builds can run on a worker thread)
//   ChangeWatch (own thread, own connection): LISTEN onemap_changed, and every poll_s the change
//        counter (data/pg/pg_schema.hpp) ─▶ take(): the tables changed since, whether the server is
//        reachable (and why not), and a fresh connection for the source after a loss
//
// Never read: households and their tables (a screen does not need them). --region limits every
// read to that region, its ancestors and its descendants (as `onemap publish` does).
#include "data/pg/pg.hpp"
#include "data/bundle/source.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace onemap::data {

using ChangeCounters = std::map<std::string, std::pair<std::int64_t, std::int64_t>>;

class PgSource : public Source {
public:
    virtual bool connected() const = 0;                     // false after a query found the connection lost
    virtual void adopt(pg::Connection connection) = 0;      // a fresh connection (from ChangeWatch)
    virtual const ChangeCounters& counters_at_open() const = 0;  // read before any data: the watch's baseline
    virtual bool has_change_counter() const = 0;            // false: an older database (serve-db init adds it)
    virtual std::string last_error() const = 0;             // the last failed read, "" if none
};

// Connects (connect_timeout 10 s), checks the schema, resolves `region` (empty: the whole database)
// and reads the change counters. Throws pg::PgError naming the redacted URL.
std::unique_ptr<PgSource> open_pg_source(const std::string& url, const std::string& region = {});

class ChangeWatch {
public:
    // `wake` is called (on the watch's thread) whenever take() has something new.
    ChangeWatch(std::string url, double poll_s, ChangeCounters baseline, std::function<void()> wake);
    ~ChangeWatch();
    ChangeWatch(const ChangeWatch&) = delete;
    ChangeWatch& operator=(const ChangeWatch&) = delete;

    struct Report {
        std::set<std::string> changed;            // table names
        bool reachable = true;
        std::string problem;                      // why not (names the redacted URL), "" when reachable
        std::optional<pg::Connection> connection; // for PgSource::adopt after a loss
    };
    Report take();
    void want_connection();   // the source lost its connection: open a fresh one for it
    int polls() const;        // counter reads so far (tests, state file)

private:
    void run();
    std::string m_url;
    double m_poll_s;
    ChangeCounters m_seen;
    std::function<void()> m_wake;
    mutable std::mutex m_mu;
    std::condition_variable m_cv;
    bool m_stop = false, m_want_connection = false, m_reachable = true;
    std::set<std::string> m_changed;
    std::string m_problem;
    std::optional<pg::Connection> m_fresh;
    int m_polls = 0;
    std::thread m_thread;
};

}  // namespace onemap::data
