#include "gis/lod_prefetch.hpp"

#include <algorithm>
#include <stdexcept>

namespace onemap::gis {

LodPrefetch::LodPrefetch(const Scene& scene) : m_scene(scene) {
    if (!scene.reader) throw std::invalid_argument("LodPrefetch: the scene has no blob to read LODs from");
    m_thread = std::thread([this] { run(); });
}

LodPrefetch::~LodPrefetch() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_wake.notify_all();
    m_thread.join();
}

bool LodPrefetch::pending(std::size_t li, std::size_t k) const {
    const std::pair<std::size_t, std::size_t> key{li, k};
    if (m_busy_reading && m_reading == key) return true;
    if (std::any_of(m_queue.begin(), m_queue.end(), [&](const Ask& a) { return a.li == li && a.k == k; })) return true;
    return std::any_of(m_done.begin(), m_done.end(), [&](const Done& d) { return d.li == li && d.k == k; });
}

void LodPrefetch::ask(std::size_t li, std::size_t k) {
    const SceneLod& lod = m_scene.layers[li].lods[k];
    Ask a{li, k, {}};
    a.where.tolerance = lod.tolerance;
    a.where.blob_offset = lod.blob_offset;
    a.where.blob_size = lod.blob_size;
    a.where.blob_checksum = lod.blob_checksum;
    m_queue.push_back(std::move(a));
}

void LodPrefetch::want(std::size_t li, std::size_t k) {
    if (m_scene.layers.at(li).lods.at(k).loaded) return;
    {
        std::lock_guard lock(m_mutex);
        if (pending(li, k)) return;
        ask(li, k);
    }
    m_wake.notify_one();
}

bool LodPrefetch::want_next() {
    std::lock_guard lock(m_mutex);
    for (std::size_t li = 0; li < m_scene.layers.size(); ++li)
        for (std::size_t k = 0; k < m_scene.layers[li].lods.size(); ++k)
            if (!m_scene.layers[li].lods[k].loaded && !pending(li, k)) {
                ask(li, k);
                m_wake.notify_one();
                return true;
            }
    return false;
}

std::size_t LodPrefetch::install() {
    std::vector<Done> done;
    {
        std::lock_guard lock(m_mutex);
        done.swap(m_done);
    }
    std::size_t n = 0;
    std::string error;
    for (Done& d : done) {
        SceneLod& lod = m_scene.layers[d.li].lods[d.k];
        if (!d.error.empty()) {
            if (error.empty()) error = d.error;
            continue;
        }
        if (lod.loaded) continue;  // read meanwhile by Scene::lod
        lod = std::move(d.lod);
        ++n;
    }
    if (!error.empty()) throw std::runtime_error(error);
    return n;
}

bool LodPrefetch::busy() const {
    std::lock_guard lock(m_mutex);
    return m_busy_reading || !m_queue.empty() || !m_done.empty();
}

void LodPrefetch::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop) return;
        Ask a = std::move(m_queue.front());
        m_queue.pop_front();
        m_reading = {a.li, a.k};
        m_busy_reading = true;
        lock.unlock();
        Done done{a.li, a.k, {}, {}};
        try {
            done.lod = read_scene_lod(*m_scene.reader, a.where);
        } catch (const std::exception& e) {
            done.error = e.what();
        }
        lock.lock();
        m_busy_reading = false;
        m_done.push_back(std::move(done));
    }
}

}  // namespace onemap::gis
