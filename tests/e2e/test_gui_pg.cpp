// End-to-end, live PostgreSQL: `onemap desk --pg URL` in a real window (Xvfb) against the ctest
// fixture's throw-away cluster (pg_cluster, pg_bundle). A data office's write shows on the running
// desk without a restart; an alert step clicked in the desk lands in the database.
#include "data/pg/pg.hpp"
#include "tests/e2e/gui_driver.hpp"
#include "tests/pg/pg_support.hpp"

#include <sys/stat.h>

#include <regex>

namespace {

using onemap::data::pg::Connection;

// The first alert step button the state file lists: its alert id, or -1.
long long first_alert_step(const State& s) {
    std::smatch m;
    return std::regex_search(s.json, m, std::regex("\"alert_step:([0-9]+)\":\\[")) ? std::stoll(m[1]) : -1;
}

// Scroll the desk's info panel (mouse wheel over it) until `widget` lies inside the window.
State scroll_into_view(App& app, State s, const std::string& widget, double window_h) {
    for (int i = 0; i < 25; ++i) {
        const auto r = s.widget(widget);
        if (r && (*r)[1] > 40 && (*r)[1] + (*r)[3] < window_h - 10) return s;
        const auto title = s.widget("panel_title");
        if (!title) return s;
        xdo("mousemove " + std::to_string(static_cast<int>((*title)[0] + 60)) + " " + std::to_string(static_cast<int>(window_h / 2)));
        xdo(std::string("click ") + (r && (*r)[1] <= 40 ? "4" : "5"));  // wheel up / down
        s = app.settled();
    }
    return s;
}

}  // namespace

TEST(DeskPgE2E, ShowsTheProvinceLiveAndAnAlertStepLandsInPostgres) {
    NEED_DISPLAY();
    const std::string url = loaded_db("t_desk_live");
    ASSERT_FALSE(url.empty());
    const std::string writer_url = with_db(url, "t_desk_live", "onemap_writer");
    Connection admin = Connection::open(url);
    const std::string root = admin.query("SELECT code FROM regions WHERE parent_code = '' ORDER BY level, code LIMIT 1").str(0, 0);
    const std::string year = admin.query("SELECT max(period) FROM indicators WHERE metric = 'tp_income_pc' AND length(period) = 4").str(0, 0);
    const auto cfg = work_dir() / "desk-pg.toml";
    std::ofstream(cfg) << "[app]\npg_poll_s = 0.3\n";
    const double window_h = 1040;

    App app({"desk", "--pg", writer_url, "--config", cfg.string(), "--size", "1900x1040"}, work_dir() / "desk-pg.json");
    State s = app.wait_for([](const State& st) { return st.str("source") == "pg" && !st.str("value").empty() && !st.anchors().empty(); }, 90s);
    ASSERT_EQ(s.str("source"), "pg") << s.json;
    EXPECT_EQ(s.str("focus"), root) << "the desk opens at the province";
    EXPECT_EQ(s.str("level"), "county");
    EXPECT_EQ(s.str("period"), year);
    EXPECT_NE(s.json.find("\"read_only\":false"), std::string::npos) << "the writer role may move alerts: " << s.json;
    const std::string before = s.str("value");
    ASSERT_FALSE(before.empty());

    // A data office writes a new value for the province; the running desk shows it.
    Connection writer = Connection::open(writer_url);
    const auto t0 = std::chrono::steady_clock::now();
    writer.query("UPDATE indicators SET value = 12345 WHERE metric = 'tp_income_pc' AND period = $1 AND region_code = $2", {year, root});
    s = app.wait_for([](const State& st) { return st.str("value") == "12,345 元"; }, 20s);
    EXPECT_EQ(s.str("value"), "12,345 元") << "the new value within 20 s (was " << before << "): " << s.json;
    std::printf("desk --pg: a committed indicator value was on screen after %.2f s (pg_poll_s 0.3, NOTIFY)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

    // Down to a county, open its alerts, move the first one a step on.
    const auto county = s.anchors().front();
    click(county.second[0], county.second[1]);
    s = app.wait_for([&](const State& st) { return st.str("focus") == county.first && st.widget("alerts_header").has_value(); }, 30s);
    ASSERT_EQ(s.str("focus"), county.first) << s.json;
    ASSERT_TRUE(s.widget("alerts_header").has_value()) << "the county has open alerts: " << s.json;
    s = scroll_into_view(app, app.settled(), "alerts_header", window_h);
    click_widget(s, "alerts_header");
    s = app.wait_for([](const State& st) { return first_alert_step(st) > 0; }, 20s);
    const long long id = first_alert_step(s);
    ASSERT_GT(id, 0) << s.json;
    const std::string step = "alert_step:" + std::to_string(id);
    s = scroll_into_view(app, s, step, window_h);
    const std::string status_before = admin.query("SELECT status FROM alerts WHERE alert_id = $1", {std::to_string(id)}).str(0, 0);
    ASSERT_EQ(status_before, "new");
    click_widget(s, step);
    s = app.wait_for([&](const State& st) { return !st.str("last_step").empty(); }, 20s);
    EXPECT_EQ(s.str("last_step"), "#" + std::to_string(id) + " → verified") << s.json;
    EXPECT_EQ(admin.query("SELECT status FROM alerts WHERE alert_id = $1", {std::to_string(id)}).str(0, 0), "verified");
    EXPECT_EQ(pg_count(admin, "SELECT count(*) FROM alert_audit WHERE alert_id = " + std::to_string(id) + " AND to_status = 'verified'"), 1)
        << "the step wrote its audit row";

    // A data office renames the county (a region changed): the map is rebuilt in the background and
    // swapped in; the desk stays on the county and shows the new name.
    const std::string name = admin.query("SELECT name FROM regions WHERE code = $1", {county.first}).str(0, 0);
    const auto t1 = std::chrono::steady_clock::now();
    writer.query("UPDATE regions SET name = $1 WHERE code = $2", {name + "新区", county.first});
    s = app.wait_for([&](const State& st) { return st.str("panel_title") == name + "新区"; }, 60s);
    EXPECT_EQ(s.str("panel_title"), name + "新区") << s.json;
    EXPECT_EQ(s.str("focus"), county.first);
    EXPECT_EQ(s.str("scene"), "built") << "changed regions: a new scene";
    EXPECT_NE(s.json.find("\"bundle_reloads\":1"), std::string::npos) << s.json;
    std::printf("desk --pg: a renamed region was on screen after %.2f s (scene rebuilt in the background)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    EXPECT_TRUE(app.alive());
}

TEST(DeskPgE2E, ReaderRoleIsReadOnlyAndASecondStartReadsTheSceneFromThePrivateCache) {
    NEED_DISPLAY();
    const std::string url = loaded_db("t_desk_reader");
    ASSERT_FALSE(url.empty());
    const std::string reader_url = with_db(url, "t_desk_reader", "onemap_reader");
    const char* cache = std::getenv("XDG_CACHE_HOME");
    ASSERT_NE(cache, nullptr) << "ctest sets a private XDG_CACHE_HOME";
    fs::remove_all(fs::path(cache) / "onemap");
    for (const char* expected : {"built", "cache"}) {
        App app({"desk", "--pg", reader_url, "--size", "1400x900"}, work_dir() / "desk-reader.json");
        const State s = app.wait_for([](const State& st) { return st.str("source") == "pg" && !st.str("value").empty(); }, 90s);
        EXPECT_EQ(s.str("scene"), expected) << s.json;
        EXPECT_NE(s.json.find("\"read_only\":true"), std::string::npos) << "the reader role is read-only: " << s.json;
    }
    struct stat st {};
    ASSERT_EQ(::stat((fs::path(cache) / "onemap").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "the scene cache is private";
}

namespace {

bool overlap(const std::array<double, 4>& a, const std::array<double, 4>& b) {
    return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}

}  // namespace

// The server goes away under a running desk (its sessions ended, new ones refused): the banner names
// it in the state file and on screen, clear of the top bar and the info panel; when the server takes
// connections again the desk reconnects by itself, the banner clears and writes show again.
TEST(DeskPgE2E, ALostConnectionShowsTheBannerClearOfTheTopBarUntilItIsBack) {
    NEED_DISPLAY();
    const std::string db = "t_desk_lost";
    const std::string url = loaded_db(db);
    ASSERT_FALSE(url.empty());
    Connection admin = Connection::open(url.substr(0, url.rfind('/')) + "/postgres");  // outside the database it blocks
    const std::string reader_url = with_db(url, db, "onemap_reader");
    const auto cfg = work_dir() / "desk-lost.toml";
    std::ofstream(cfg) << "[app]\npg_poll_s = 0.3\n";
    App app({"desk", "--pg", reader_url, "--config", cfg.string(), "--size", "1600x900"}, work_dir() / "desk-lost.json");
    State s = app.wait_for([](const State& st) { return st.str("source") == "pg" && !st.str("value").empty(); }, 90s);
    ASSERT_EQ(s.str("source"), "pg") << s.json;
    EXPECT_EQ(s.str("source_problem"), "");
    EXPECT_FALSE(s.widget("source_banner").has_value());

    admin.exec("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
    admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
    s = app.wait_for([](const State& st) { return !st.str("source_problem").empty() && st.widget("source_banner").has_value(); }, 30s);
    EXPECT_NE(s.str("source_problem"), "") << s.json;
    EXPECT_NE(s.str("source_problem").find("onemap_reader@"), std::string::npos) << "names the server: " << s.json;
    const auto banner = s.widget("source_banner");
    ASSERT_TRUE(banner.has_value()) << s.json;
    for (const char* name : {"search", "metric", "year", "play", "panel_title"}) {
        const auto w = s.widget(name);
        ASSERT_TRUE(w.has_value()) << name << ": " << s.json;
        EXPECT_FALSE(overlap(*banner, *w)) << "the banner covers " << name << ": " << s.json;
    }
    EXPECT_TRUE(app.alive());

    admin.exec("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
    const auto t0 = std::chrono::steady_clock::now();
    s = app.wait_for([](const State& st) { return st.str("source_problem").empty() && !st.widget("source_banner").has_value(); }, 30s);
    EXPECT_EQ(s.str("source_problem"), "") << s.json;
    EXPECT_FALSE(s.widget("source_banner").has_value()) << s.json;
    std::printf("desk --pg: the banner cleared %.2f s after the server took connections again (pg_poll_s 0.3)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    // Reconnected: a data office's write shows again.
    Connection writer = Connection::open(with_db(url, db, "onemap_writer"));
    const std::string root = writer.query("SELECT code FROM regions WHERE parent_code = '' ORDER BY level, code LIMIT 1").str(0, 0);
    writer.query("UPDATE indicators SET value = 23456 WHERE metric = 'tp_income_pc' AND period = $1 AND region_code = $2", {s.str("period"), root});
    s = app.wait_for([](const State& st) { return st.str("value") == "23,456 元"; }, 20s);
    EXPECT_EQ(s.str("value"), "23,456 元") << s.json;
}

// The wall is read from across a room: its ticker names places, kinds and risk categories, a
// household's alert counted at its county — no household's detail text, name or village reaches its
// state (the wall's source reads none).
TEST(WallPgE2E, TheWallShowsNoHouseholdDetail) {
    NEED_DISPLAY();
    const std::string db = "t_wall_pg";
    const std::string url = loaded_db(db);
    ASSERT_FALSE(url.empty());
    Connection admin = Connection::open(url);
    App app({"wall", "--pg", with_db(url, db, "onemap_reader")}, work_dir() / "wall-pg.json");
    const State s = app.wait_for([](const State& st) { return st.str("source") == "pg" && st.json.find("\"ticker\":[\"") != std::string::npos; }, 90s);
    ASSERT_NE(s.json.find("\"ticker\":[\""), std::string::npos) << "the ticker has items: " << s.json;
    // What a household's alerts hold: detail texts, the households' masked names, the villages of those alerts.
    const auto details = admin.query("SELECT DISTINCT detail FROM alerts WHERE household_id IS NOT NULL AND detail <> '' AND status = 'new'");
    ASSERT_GT(details.rows(), 0);
    for (int i = 0; i < details.rows(); ++i) EXPECT_EQ(s.json.find(details.str(i, 0)), std::string::npos) << details.str(i, 0);
    const auto names = admin.query("SELECT DISTINCT h.head_name_masked FROM households h JOIN alerts a ON a.household_id = h.household_id");
    for (int i = 0; i < names.rows(); ++i) EXPECT_EQ(s.json.find(names.str(i, 0)), std::string::npos) << "a household's name";
    const auto villages = admin.query("SELECT DISTINCT g.name FROM regions g JOIN alerts a ON a.region_code = g.code WHERE a.household_id IS NOT NULL "
                                      "AND a.status = 'new' AND g.level = 5 AND NOT EXISTS (SELECT 1 FROM alerts b WHERE b.region_code = g.code "
                                      "AND b.household_id IS NULL)");
    const std::string ticker = s.json.substr(s.json.find("\"ticker\":["), s.json.find("\"widgets\"") - s.json.find("\"ticker\":["));
    for (int i = 0; i < villages.rows(); ++i) EXPECT_EQ(ticker.find(villages.str(i, 0)), std::string::npos) << "a household's village: " << ticker;
    EXPECT_NE(ticker.find("×"), std::string::npos) << "households' alerts counted by county and kind: " << ticker;
    std::printf("wall --pg ticker: %s\n", ticker.c_str());
}

// A new map whose background load failed — its session ended by the server mid-read — is loaded again
// at the watch's next poll, without another change of regions (kiosk/gui/region_reload.hpp). The load is
// held mid-read by a lock on regions taken as the rename commits, then its session is ended.
TEST(DeskPgE2E, AFailedRegionReloadIsRetriedAtTheNextPoll) {
    NEED_DISPLAY();
    const std::string db = "t_desk_retry";
    const std::string url = loaded_db(db);
    ASSERT_FALSE(url.empty());
    Connection admin = Connection::open(url.substr(0, url.rfind('/')) + "/postgres");
    const auto cfg = work_dir() / "desk-retry.toml";
    std::ofstream(cfg) << "[app]\npg_poll_s = 0.3\n";
    App app({"desk", "--pg", with_db(url, db, "onemap_reader"), "--config", cfg.string(), "--size", "1400x900"}, work_dir() / "desk-retry.json");
    State s = app.wait_for([](const State& st) { return st.str("source") == "pg" && !st.str("panel_title").empty(); }, 90s);
    ASSERT_EQ(s.str("source"), "pg") << s.json;
    const std::string old_name = s.str("panel_title");

    Connection writer = Connection::open(url);
    Connection locker = Connection::open(url);
    const std::string root = writer.query("SELECT code FROM regions WHERE parent_code = '' ORDER BY level, code LIMIT 1").str(0, 0);
    writer.exec("BEGIN");
    writer.query("UPDATE regions SET name = name || '新' WHERE code = $1", {root});
    // Queued behind the rename: granted the moment it commits, before the desk's load can read regions.
    std::thread lock([&] { locker.exec("BEGIN; LOCK TABLE regions IN ACCESS EXCLUSIVE MODE"); });
    bool queued = false;
    for (int i = 0; i < 100 && !queued; ++i) {
        std::this_thread::sleep_for(50ms);
        queued = admin.query("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", {db}).integer(0, 0) > 0;
    }
    ASSERT_TRUE(queued);
    writer.exec("COMMIT");
    lock.join();
    // The desk's load waits on the lock: the server ends that session.
    bool ended = false;
    for (int i = 0; i < 200 && !ended; ++i) {
        std::this_thread::sleep_for(50ms);
        ended = admin.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' "
                            "AND pid <> pg_backend_pid()", {db}).integer(0, 0) > 0;
    }
    ASSERT_TRUE(ended) << "the desk began loading the new map";
    s = app.wait_for([](const State& st) { return !st.str("bundle_error").empty(); }, 20s);
    EXPECT_NE(s.str("bundle_error"), "") << "the load failed: " << s.json;
    EXPECT_EQ(s.str("panel_title"), old_name) << "the old map stays";
    locker.exec("ROLLBACK");
    // No further change of regions: the retry at the next poll brings the new name.
    s = app.wait_for([&](const State& st) { return st.str("panel_title") == old_name + "新"; }, 30s);
    EXPECT_EQ(s.str("panel_title"), old_name + "新") << s.json;
    EXPECT_TRUE(app.alive());
}

// Issue 24: a wall reading the database (reader role) upserts its heartbeat into screen_health and
// shows "screens online n/m"; `onemap status --pg` lists it, and marks it stale once it stops.
TEST(WallPgE2E, TheWallBeatsIntoScreenHealthAndStatusMarksItStaleOnceItStops) {
    NEED_DISPLAY();
    const std::string url = loaded_db("t_wall_health");
    ASSERT_FALSE(url.empty());
    const std::string reader_url = with_db(url, "t_wall_health", "onemap_reader");
    const auto cfg = work_dir() / "wall-pg.toml";
    std::ofstream(cfg) << "[health]\ninterval_s = 1\nscreen_id = \"wall-test\"\nheartbeat_file = \"off\"\n";
    Connection admin = Connection::open(url);
    // a second screen that beat long ago: known, not online
    admin.exec("INSERT INTO screen_health(screen_id, mode, beat, updated_at) VALUES ('kiosk-old', 'kiosk', "
               "'{\"screen\":\"kiosk-old\",\"mode\":\"kiosk\",\"interval_s\":30,\"written_unix\":1}', now() - interval '1 hour')");
    App app({"wall", "--pg", reader_url, "--config", cfg.string()}, work_dir() / "wall-pg.json");
    State s = app.wait_for([](const State& st) { return st.str("screens_online") == "1/2" && st.widget("tile:screens").has_value(); }, 90s);
    EXPECT_EQ(s.str("screens_online"), "1/2") << s.json;
    EXPECT_TRUE(s.widget("tile:screens").has_value()) << "the wall's tile of screens online";
    const auto row = admin.query("SELECT mode, beat->>'bundle_version', (beat->>'rss_mib')::float8 FROM screen_health WHERE screen_id = 'wall-test'");
    ASSERT_EQ(row.rows(), 1);
    EXPECT_EQ(row.str(0, 0), "wall");
    EXPECT_EQ(row.str(0, 1), "live");
    EXPECT_GT(row.real(0, 2), 10);
    CliRun status = run("status --language en --pg '" + url + "'");
    EXPECT_EQ(status.rc, 1) << "one screen is stale: " << status.out;
    EXPECT_NE(status.out.find("wall-test"), std::string::npos) << status.out;
    const auto line = [&](const std::string& name) {
        const auto at = status.out.find(name);
        return at == std::string::npos ? std::string() : status.out.substr(at, status.out.find('\n', at) - at);
    };
    EXPECT_NE(line("wall-test").find(" ok "), std::string::npos) << status.out;
    EXPECT_NE(line("kiosk-old").find("STALE"), std::string::npos) << status.out;
    // The wall stops (SIGSTOP: no beat); after three intervals (at least 10 s) it is stale too.
    ::kill(app.pid(), SIGSTOP);
    std::this_thread::sleep_for(12s);
    status = run("status --language en --pg '" + url + "'");
    ::kill(app.pid(), SIGCONT);
    EXPECT_NE(line("wall-test").find("STALE"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("2 screen(s), 0 online, 2 stale"), std::string::npos) << status.out;
    // The reader may write screen_health and nothing else.
    Connection reader = Connection::open(reader_url);
    EXPECT_THROW(reader.exec("BEGIN READ WRITE; INSERT INTO meta(key, value) VALUES ('x', 'y'); COMMIT"), onemap::data::pg::PgError);
}
