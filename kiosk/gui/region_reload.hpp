#pragma once
// desk/wall --pg: when to load a new map after the database's regions changed (kiosk/gui/gui_app.cpp).
// The load runs on a worker thread (it reads regions, geometry and the scene over its own
// connection); this decides when one starts, so a load that failed — the server dropped mid-read —
// is tried again at the change watch's next poll instead of waiting for the next change of regions.
//
//   idle ─changed()─▶ wanted ─started()─▶ loading ─succeeded()─▶ idle (or wanted: changed meanwhile)
//                       ▲                    │ failed(polls)
//                       └─ the watch polled ─┘ again (1, 2, 4 … 64 polls after repeated failures)
//
// `polls` is data::ChangeWatch::polls(): successful reads of the change counter, so nothing is retried
// while the server cannot be reached. A change of regions reported meanwhile is tried at once.
#include <algorithm>
#include <optional>

namespace onemap::app {

class RegionReload {
public:
    void changed() {  // the watch reported the regions table
        m_wanted = true;
        m_retry_at.reset();
    }
    bool should_start(int polls) const { return m_wanted && !m_loading && (!m_retry_at || polls >= *m_retry_at); }
    void started() {
        m_wanted = false;
        m_loading = true;
    }
    void succeeded() {
        m_loading = false;
        m_failures = 0;
        m_retry_at.reset();
    }
    void failed(int polls) {
        m_loading = false;
        m_wanted = true;
        m_retry_at = polls + (1 << std::min(m_failures, 6));
        ++m_failures;
    }
    bool pending() const { return m_wanted; }  // a load is owed (the GUI wakes at the poll interval meanwhile)
    int failures() const { return m_failures; }  // in a row

private:
    bool m_wanted = false, m_loading = false;
    std::optional<int> m_retry_at;
    int m_failures = 0;
};

}  // namespace onemap::app
