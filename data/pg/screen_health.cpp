// screen_health: the screens' beacons in PostgreSQL (data/pg/screen_health.hpp).
#include "data/pg/screen_health.hpp"

#include <fmt/format.h>

namespace onemap::data::pg {

void ensure_screen_health(Connection& c, std::string_view reader) {
    c.exec(fmt::format(R"sql(
CREATE TABLE IF NOT EXISTS screen_health (
  screen_id  text PRIMARY KEY CHECK (length(screen_id) BETWEEN 1 AND 200),
  mode       text NOT NULL,
  beat       jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON screen_health TO {};
)sql", reader));
}

void upsert_screen_health(Connection& c, std::string_view screen_id, std::string_view mode, std::string_view beat_json) {
    c.exec("BEGIN READ WRITE");
    try {
        c.query("INSERT INTO screen_health(screen_id, mode, beat, updated_at) VALUES ($1, $2, $3::jsonb, now()) "
                "ON CONFLICT (screen_id) DO UPDATE SET mode = EXCLUDED.mode, beat = EXCLUDED.beat, updated_at = now()",
                {std::string(screen_id), std::string(mode), std::string(beat_json)});
        c.exec("COMMIT");
    } catch (...) {
        try {
            c.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

std::vector<ScreenBeat> screen_health(Connection& c) {
    std::vector<ScreenBeat> out;
    Result has = c.query("SELECT to_regclass('screen_health') IS NOT NULL");
    if (has.text(0, 0) != "t") return out;
    Result r = c.query("SELECT screen_id, mode, beat::text, extract(epoch FROM now() - updated_at)::float8 FROM screen_health ORDER BY screen_id");
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2), r.real(i, 3)});
    return out;
}

}  // namespace onemap::data::pg
