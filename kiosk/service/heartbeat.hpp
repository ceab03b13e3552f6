#pragma once
// The health beacon (kiosk/service/): every screen writes a small heartbeat every 30 s (health.interval_s)
// to a file (health.heartbeat_file; default the user's state folder, heartbeat-MODE.json), atomically,
// and — reading PostgreSQL (desk/wall --pg) — upserts it into the table screen_health
// (data/pg/screen_health.hpp). `onemap status` lists screens from either and marks the stale ones:
// no beat for three intervals.
//
//   {"screen":"kiosk-hall-3","mode":"kiosk","host":"…","pid":1234,"bundle":"/srv/onemap/henan.gpkg",
//    "bundle_version":"3f9a…","bundle_age_s":3600,"uptime_s":86400,"last_frame_ms":4.2,"rss_mib":310,
//    "last_error":"","alerts":12,"interval_s":30,"written_unix":1796000000,"written":"2026-12-07T10:00:00Z",
//    "view":"home","tour_city":""}
//
// Nothing about a household is in it (no look-up state, no card): `view` is the screen's name only.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace onemap::app {

struct Heartbeat {
    std::string screen;        // health.screen_id (default HOST-MODE)
    std::string mode;          // desk | kiosk | wall
    std::string host;
    std::int64_t pid = 0;
    std::string bundle;        // its path, or the redacted database URL
    std::string bundle_version;  // the synced snapshot's sha256 (12 digits), the PG snapshot, or "schema vN"
    double bundle_age_s = -1;  // since the snapshot was made (manifest), else since the file changed; -1 unknown
    double uptime_s = 0;
    double last_frame_ms = 0;
    double rss_mib = 0;
    std::string last_error;    // the latest problem the screen showed (bundle refused, server away), "" none
    std::int64_t alerts = 0;   // open alerts the screen counts
    double interval_s = 30;
    std::int64_t written_unix = 0;
    std::string view;          // kiosk: home|policy|…; desk/wall: map
    std::string tour_city;     // wall: where the tour is (a restarted wall goes on from there)
    friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

std::string to_json(const Heartbeat& beat);
// Reads what to_json wrote; std::nullopt (and `why`) when it is not a heartbeat.
std::optional<Heartbeat> parse_heartbeat(const std::string& json, std::string& why);

// Written to a temporary file beside `path`, then renamed over it: a reader never sees half a beat.
void write_heartbeat(const std::filesystem::path& path, const Heartbeat& beat);

std::filesystem::path default_heartbeat_path(std::string_view mode);

// No beat for three intervals (at least 10 s): the screen is stale — hung, crashed, or cut off.
bool stale(const Heartbeat& beat, std::int64_t now_unix);

// This process's resident memory (MiB), from /proc/self/status.
double rss_mib();

// `onemap status`'s table: one row per screen, stale ones marked, oldest beat first.
std::string status_table(std::vector<Heartbeat> beats, std::int64_t now_unix, bool english);

}  // namespace onemap::app
