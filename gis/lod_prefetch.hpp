#pragma once
// Reading a lazily opened scene's LODs on a thread of their own.
//
// A scene opened from its blob (gis::open_scene) reads a LOD on first use, on the thread that draws:
// the province's finest village LOD is 56 MB, a third of a second and more to read, check and decode
// on this project's 2-core machine — a frame that long while the map moves, or a tap ignored that long
// while it rests. A LodPrefetch reads the LODs it is asked for on its own thread; the drawing thread
// puts what has arrived into the scene (install) between frames, and meanwhile draws from what it has.
#include "gis/scene.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace onemap::gis {

class LodPrefetch {
public:
    // `scene` must have a reader (open_scene) and outlive this. The scene's LODs are only ever changed
    // by install(), on the thread that draws.
    explicit LodPrefetch(const Scene& scene);
    ~LodPrefetch();  // waits for the LOD being read, if any
    LodPrefetch(const LodPrefetch&) = delete;
    LodPrefetch& operator=(const LodPrefetch&) = delete;

    // Read LOD `k` of layers[li]: nothing if it is in the scene, asked for or being read already.
    // Asked-for LODs are read in order. Drawing thread only.
    void want(std::size_t li, std::size_t k);
    // The first LOD not in the scene and not asked for (layer by layer, LOD by LOD), asked for; false
    // when there is none. For a program that wants every LOD in memory in the end, one at a time while idle.
    bool want_next();
    // Puts the LODs read since into the scene; returns how many. Drawing thread only, between frames.
    // Throws std::runtime_error with the reader's message when a LOD could not be read (a damaged or
    // changed blob), as Scene::lod would.
    std::size_t install();
    bool busy() const;  // LODs asked for and not installed yet

private:
    void run();
    bool pending(std::size_t li, std::size_t k) const;  // asked for, being read or read (lock held)
    void ask(std::size_t li, std::size_t k);             // queue it (lock held)

    const Scene& m_scene;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    struct Ask {
        std::size_t li = 0, k = 0;
        SceneLod where;  // the LOD's place in the blob, copied by the drawing thread
    };
    std::deque<Ask> m_queue;
    std::pair<std::size_t, std::size_t> m_reading{};
    bool m_busy_reading = false, m_stop = false;
    struct Done {
        std::size_t li = 0, k = 0;
        SceneLod lod;
        std::string error;  // empty when read
    };
    std::vector<Done> m_done;
    std::thread m_thread;
};

}  // namespace onemap::gis
