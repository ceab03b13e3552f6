#pragma once
// Bundle → render scene: read the regions of the drawn levels, build the gis::Scene (topology, LODs,
// triangles, anchors) or open it from the bundle's render cache when the regions are unchanged — the
// head (features, tolerances) at once, each LOD when first drawn (gis::Scene::lod).
#include "data/bundle/bundle.hpp"
#include "data/bundle/source.hpp"
#include "gis/scene.hpp"

#include <filesystem>
#include <string>

namespace onemap::data {

inline constexpr const char* k_scene_cache_key = "scene/v1";

struct SceneLoad {
    gis::Scene scene;
    bool from_cache = false;
    bool stored = false;          // freshly built and written to the cache
    std::string store_error;      // why a freshly built scene was not stored (another program held the bundle)
    std::string cache_error;      // why a stored scene could not be read (damaged): it was rebuilt
    double seconds_read = 0;      // regions (build) or blob (cache)
    double seconds_build = 0;
    double seconds_store = 0;
    std::size_t blob_bytes = 0;
    gis::SceneBuildStats stats;
};

// `use_cache`: read a matching blob; `write_cache`: store a freshly built one (opens the file again
// read-write; a read-only file is built in memory and left alone). A store that fails — e.g. another
// screen is reading the same bundle for longer than SQLite's busy timeout — is not fatal: the scene is
// returned and `store_error` says why it was not kept. Throws data::BundleError when it cannot read.
SceneLoad load_scene(const data::Bundle& bundle, bool use_cache = true, bool write_cache = true, int threads = 0);
// The same, opening the bundle read-only first (Bundle::open runs SQLite's quick_check).
SceneLoad load_scene(const std::filesystem::path& bundle, bool use_cache = true, bool write_cache = true, int threads = 0);

// From any data::Source (desk/wall --pg): its regions' scene, kept in a private cache folder
// (`cache_dir`, made 0700; one blob file per source, named by a content hash of its regions) so a
// second start with unchanged regions reads the blob instead of building. A blob that cannot be read
// is rebuilt; one that cannot be stored is not fatal (store_error says why). Throws what the source throws.
SceneLoad load_scene(const data::Source& source, const std::filesystem::path& cache_dir, int threads = 0);
// $XDG_CACHE_HOME/onemap, else ~/.cache/onemap (made 0700).
std::filesystem::path private_cache_dir();

}  // namespace onemap::data
