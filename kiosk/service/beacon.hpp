#pragma once
// The screen's side of the health beacon (kiosk/service/heartbeat.hpp): the frame loop hands it a beat
// every interval; it writes the file there and then, and — reading PostgreSQL — upserts the row on a
// thread of its own (a slow server never holds a frame), and reads back how many screens are online
// (the wall's tile "screens online n/m").
#include "kiosk/service/heartbeat.hpp"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace onemap::app {

class Beacon {
public:
    Beacon(std::filesystem::path file, std::string pg_url);  // file "" or "off": none; pg_url "": none
    ~Beacon();
    Beacon(const Beacon&) = delete;
    Beacon& operator=(const Beacon&) = delete;

    void publish(const Heartbeat& beat);
    // Screens online and screens known, from the latest read of screen_health (--pg only).
    std::optional<std::pair<int, int>> screens_online() const;
    std::string last_error() const;  // why the last write failed, "" when it worked

private:
    void run();
    std::filesystem::path m_file;
    std::string m_pg;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<Heartbeat> m_pending;
    std::optional<std::pair<int, int>> m_online;
    std::string m_error;
    bool m_quit = false;
    std::thread m_thread;
};

}  // namespace onemap::app
