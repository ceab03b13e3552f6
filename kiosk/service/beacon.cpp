// The screen's health beacon (kiosk/service/beacon.hpp).
#include "kiosk/service/beacon.hpp"

#include "data/pg/pg.hpp"
#include "data/pg/screen_health.hpp"

#include <fmt/format.h>

#include <ctime>

namespace onemap::app {

Beacon::Beacon(std::filesystem::path file, std::string pg_url) : m_file(std::move(file)), m_pg(std::move(pg_url)) {
    if (m_file == "off") m_file.clear();
    if (!m_pg.empty()) m_thread = std::thread([this] { run(); });
}

Beacon::~Beacon() {
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void Beacon::publish(const Heartbeat& beat) {
    std::string error;
    if (!m_file.empty()) {
        try {
            write_heartbeat(m_file, beat);
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    std::lock_guard lock(m_mutex);
    if (m_pg.empty()) m_error = error;
    else if (!error.empty()) m_error = error;
    m_pending = beat;
    m_cv.notify_all();
}

std::optional<std::pair<int, int>> Beacon::screens_online() const {
    std::lock_guard lock(m_mutex);
    return m_online;
}

std::string Beacon::last_error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

void Beacon::run() {
    std::optional<data::pg::Connection> c;
    for (;;) {
        Heartbeat beat;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_quit || m_pending; });
            if (m_quit) return;
            beat = std::move(*m_pending);
            m_pending.reset();
        }
        std::string error;
        std::optional<std::pair<int, int>> online;
        try {
            if (!c) c.emplace(data::pg::Connection::open(m_pg, 5));
            data::pg::upsert_screen_health(*c, beat.screen, beat.mode, to_json(beat));
            int up = 0, all = 0;
            const auto now = static_cast<std::int64_t>(std::time(nullptr));
            for (const auto& row : data::pg::screen_health(*c)) {
                std::string why;
                auto b = parse_heartbeat(row.beat_json, why);
                if (!b) continue;
                b->written_unix = now - static_cast<std::int64_t>(row.age_s);
                ++all;
                up += !stale(*b, now);
            }
            online = std::pair{up, all};
        } catch (const std::exception& e) {
            error = fmt::format("screen_health: {}", e.what());
            c.reset();  // reconnect at the next beat
        }
        std::lock_guard lock(m_mutex);
        m_error = error;
        if (online) m_online = online;
    }
}

}  // namespace onemap::app
