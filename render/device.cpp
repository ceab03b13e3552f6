#include "device.hpp"

#include <algorithm>
#include <stdexcept>

namespace onemap::render {

std::size_t bytes_per_pixel(TextureFormat f) { return f == TextureFormat::Rgba8 ? 4 : 2; }

BufferHandle NullDevice::create_buffer(BufferKind, std::span<const std::byte> data) {
    m_counters.bytes_uploaded += data.size();
    m_buffer_bytes[m_next] = data.size();
    return {m_next++};
}
void NullDevice::update_buffer(BufferHandle b, std::span<const std::byte> data) {
    m_counters.bytes_uploaded += data.size();
    auto& bytes = m_buffer_bytes[b.id];
    bytes = std::max<std::uint64_t>(bytes, data.size());
}
BufferHandle NullDevice::create_buffer(BufferKind, std::uint64_t size) {
    m_buffer_bytes[m_next] = size;
    return {m_next++};
}
void NullDevice::write_buffer(BufferHandle b, std::uint64_t offset, std::span<const std::byte> data) {
    const auto it = m_buffer_bytes.find(b.id);
    if (it == m_buffer_bytes.end() || offset > it->second || data.size() > it->second - offset)
        throw std::out_of_range("NullDevice::write_buffer: outside the buffer");
    m_counters.bytes_uploaded += data.size();
}
void NullDevice::release(BufferHandle b) {
    ++buffers_released;
    m_buffer_bytes.erase(b.id);
}
std::uint64_t NullDevice::live_buffer_bytes() const {
    std::uint64_t n = 0;
    for (const auto& [id, bytes] : m_buffer_bytes) n += bytes;
    return n;
}
VertexArrayHandle NullDevice::create_vertex_array(std::span<const VertexAttrib>, BufferHandle) { return {m_next++}; }
TextureHandle NullDevice::create_texture(int w, int h, TextureFormat f, const void*) {
    m_counters.bytes_uploaded += static_cast<std::uint64_t>(w) * h * bytes_per_pixel(f);
    return {m_next++};
}
void NullDevice::update_texture(TextureHandle, int, int, int w, int h, TextureFormat f, const void*) {
    m_counters.bytes_uploaded += static_cast<std::uint64_t>(w) * h * bytes_per_pixel(f);
}
TargetHandle NullDevice::create_target(int w, int h, TargetHandle, TextureFormat format) {
    ++targets_created;
    m_counters.bytes_uploaded += static_cast<std::uint64_t>(w) * h * bytes_per_pixel(format);
    TargetHandle t;
    t.id = m_next++;
    t.texture = {m_next++};
    t.width = w;
    t.height = h;
    return t;
}
ProgramHandle NullDevice::create_program(std::string_view, std::string_view, std::string_view) { return {m_next++}; }
void NullDevice::draw(const DrawCall& call) {
    ++m_counters.draw_calls;
    m_counters.vertices += static_cast<std::uint64_t>(call.count) * (call.instances ? call.instances : 1);
    calls.push_back(call);
    calls.back().uniforms = {};
}

}  // namespace onemap::render
