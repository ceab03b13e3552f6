#include "render/point_part.hpp"

#include <cmath>
#include <map>

namespace onemap::render::assets {
extern const std::string_view point_vert, point_frag;
}

namespace onemap::render {

PointPart::PointPart(Device& device, gis::Point scene_origin) : m_device(device), m_origin(scene_origin) {
    m_program = device.create_program(assets::point_vert, assets::point_frag, "point");
    const std::vector<std::byte> none(64);  // starts empty and grows
    m_buffer = device.create_buffer(BufferKind::Vertex, none);
    m_attribs = {{0, m_buffer, 2, AttribType::Float, 20, 0, true},
                 {1, m_buffer, 2, AttribType::Float, 20, 8, true},
                 {2, m_buffer, 4, AttribType::UByteNorm, 20, 16, true}};
    m_va = device.create_vertex_array(m_attribs, {});
}

void PointPart::set(std::vector<MapPoint> points, bool cluster) {
    m_points = std::move(points);
    m_cluster = cluster;
    m_dirty = true;
    if (m_points.empty()) {
        m_count = m_cluster_count = 0;
        m_cluster_labels.clear();
        m_symbols.clear();
    }
}

void PointPart::upload(const Camera& camera) {
    m_dirty = false;
    m_cluster_labels.clear();
    m_symbols.clear();
    std::vector<std::byte> data;
    auto push = [&](gis::Point scene_pt, float size, int shape, Rgba c) {
        const float v[4] = {static_cast<float>(scene_pt.x), static_cast<float>(scene_pt.y), size, static_cast<float>(shape)};
        const auto* p = reinterpret_cast<const std::byte*>(v);
        data.insert(data.end(), p, p + 16);
        const auto* q = reinterpret_cast<const std::byte*>(&c);
        data.insert(data.end(), q, q + 4);
        m_symbols.push_back({scene_pt, size / 2 + 1});
    };
    const gis::Point zero = camera.to_screen({0, 0});
    const double cell = 44.0;
    std::map<std::pair<long, long>, std::vector<std::size_t>> cells;
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        const gis::Point s = camera.to_screen({m_points[i].lonlat.x - m_origin.x, m_points[i].lonlat.y - m_origin.y});
        const std::pair<long, long> key = m_cluster ? std::pair{std::lround(std::floor((s.x - zero.x) / cell)),
                                                                std::lround(std::floor((s.y - zero.y) / cell))}
                                                    : std::pair{static_cast<long>(i), 0L};
        cells[key].push_back(i);
    }
    m_cluster_count = 0;
    for (const auto& [key, members] : cells) {
        if (members.size() == 1) {
            const MapPoint& p = m_points[members[0]];
            push({p.lonlat.x - m_origin.x, p.lonlat.y - m_origin.y}, p.size_px, p.shape, p.color);
            continue;
        }
        gis::Point mean;
        for (std::size_t i : members) {
            mean.x += m_points[i].lonlat.x;
            mean.y += m_points[i].lonlat.y;
        }
        mean = {mean.x / members.size() - m_origin.x, mean.y / members.size() - m_origin.y};
        const float size = 16.0f + 4.0f * static_cast<float>(std::log2(static_cast<double>(members.size())));
        push(mean, size, 0, Rgba{70, 70, 90, 235});
        m_cluster_labels.push_back({mean, static_cast<int>(members.size())});
        ++m_cluster_count;
    }
    m_count = data.size() / 20;
    if (!data.empty()) m_device.update_buffer(m_buffer, data);
}

void PointPart::draw(const float view[4], const Camera& camera) {
    if (m_points.empty() || m_count == 0) return;
    m_device.set_instance_base(m_va, m_attribs, 0);
    const Uniform uniforms[] = {{"u_view", 4, {view[0], view[1], view[2], view[3]}},
                                {"u_viewport", 2, {static_cast<float>(camera.width()), static_cast<float>(camera.height()), 0, 0}}};
    DrawCall call;
    call.program = m_program;
    call.vertex_array = m_va;
    call.primitive = Primitive::TriangleStrip;
    call.count = 4;
    call.instances = static_cast<std::uint32_t>(m_count);
    call.uniforms = uniforms;
    m_device.draw(call);
}

}  // namespace onemap::render
