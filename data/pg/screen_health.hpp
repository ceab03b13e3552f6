#pragma once
// The screens' health beacons in PostgreSQL: table screen_health, one row per screen, upserted by
// each desk or wall that reads the database (kiosk/service/heartbeat.hpp writes the beat) and listed by
// `onemap status --pg URL`.
//
//   screen_health(screen_id text PRIMARY KEY, mode text, beat jsonb, updated_at timestamptz)
//
// The reader role (screens) may insert and update this table only; its sessions are read-only by
// default, so the upsert runs in a READ WRITE transaction of its own. A screen can write any row
// of the table: it is a status board, not an audit.
#include "data/pg/pg.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data::pg {

// Creates the table and its grants if missing (init_schema calls it; idempotent).
void ensure_screen_health(Connection& c, std::string_view reader_role);

void upsert_screen_health(Connection& c, std::string_view screen_id, std::string_view mode, std::string_view beat_json);

struct ScreenBeat {
    std::string screen_id, mode, beat_json;
    double age_s = 0;  // now() - updated_at, by the server's clock (screens' clocks may differ)
};
std::vector<ScreenBeat> screen_health(Connection& c);  // empty when the table is missing

}  // namespace onemap::data::pg
