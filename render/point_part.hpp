#pragma once
// The map's point symbols (projects, sites) as a part of MapRenderer: grouped on a 44-pixel grid
// when the view rests (a cluster is a disc with its count), one instanced draw a frame.
//
//   set(points) / the view settles ──▶ needs_upload() ──upload(camera)──▶ instance buffer, cluster
//   labels, symbol discs (names keep clear of them) ──▶ draw(view) each frame
//
// Everything it holds is in scene coordinates, not feature indices, so a level change leaves it be.
#include "gis/scene.hpp"
#include "render/camera.hpp"
#include "render/device.hpp"

#include <utility>
#include <vector>

namespace onemap::render {

struct MapPoint {
    gis::Point lonlat;
    int shape = 0;         // 0 circle, 1 square, 2 triangle, 3 diamond (by category)
    float size_px = 8;     // by value
    Rgba color;            // by status
};

class PointPart {
public:
    PointPart(Device& device, gis::Point scene_origin);

    // New symbols; grouped at the next upload. An empty list clears at once what was shown.
    void set(std::vector<MapPoint> points, bool cluster);
    void invalidate() { m_dirty = true; }  // the zoom changed: group again when the view rests
    bool needs_upload() const { return m_dirty && !m_points.empty(); }
    void upload(const Camera& camera);      // group at this zoom and write the instance buffer
    void draw(const float view[4], const Camera& camera);

    bool empty() const { return m_points.empty(); }
    const std::vector<std::pair<gis::Point, int>>& cluster_labels() const { return m_cluster_labels; }  // scene position, count
    const std::vector<std::pair<gis::Point, float>>& symbols() const { return m_symbols; }           // scene position, radius px
    std::size_t visible_clusters() const { return m_cluster_count; }

private:
    Device& m_device;
    gis::Point m_origin;
    ProgramHandle m_program;
    BufferHandle m_buffer;
    VertexArrayHandle m_va;
    std::vector<VertexAttrib> m_attribs;
    std::vector<MapPoint> m_points;
    bool m_cluster = true, m_dirty = false;
    std::size_t m_count = 0, m_cluster_count = 0;  // instances uploaded; of which clusters
    std::vector<std::pair<gis::Point, int>> m_cluster_labels;
    std::vector<std::pair<gis::Point, float>> m_symbols;
};

}  // namespace onemap::render
