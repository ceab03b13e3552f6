#pragma once
// Device on a current OpenGL 3.3 core (or GLES 3.0) context, through libepoxy. Shaders are given
// without a #version line; the device prepends the one its context speaks ("#version 330 core" or
// "#version 300 es"), so the same sources run on desktops and ARM kiosks.
#include "render/device.hpp"

#include <stdexcept>
#include <string>
#include <unordered_map>

namespace onemap::render {

class GlError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class GlDevice final : public Device {
public:
    GlDevice();  // needs a current context; throws GlError when it is older than GL 3.3 / GLES 3.0
    ~GlDevice() override;
    GlDevice(const GlDevice&) = delete;
    GlDevice& operator=(const GlDevice&) = delete;

    BufferHandle create_buffer(BufferKind kind, std::span<const std::byte> data) override;
    void update_buffer(BufferHandle buffer, std::span<const std::byte> data) override;
    BufferHandle create_buffer(BufferKind kind, std::uint64_t size) override;
    void write_buffer(BufferHandle buffer, std::uint64_t offset, std::span<const std::byte> data) override;
    VertexArrayHandle create_vertex_array(std::span<const VertexAttrib> attribs, BufferHandle index) override;
    void release(BufferHandle buffer) override;
    void release(VertexArrayHandle va) override;
    void set_instance_base(VertexArrayHandle va, std::span<const VertexAttrib> attribs, std::uint32_t first_instance) override;
    TextureHandle create_texture(int width, int height, TextureFormat format, const void* pixels) override;
    void update_texture(TextureHandle t, int x, int y, int width, int height, TextureFormat format, const void* pixels) override;
    ProgramHandle create_program(std::string_view vertex, std::string_view fragment, std::string_view name) override;
    void viewport(int width, int height) override;
    TargetHandle create_target(int width, int height, TargetHandle old = {}, TextureFormat format = TextureFormat::Rgba8) override;
    void bind_target(TargetHandle target) override;
    int max_texture_size() const override;
    void clear(Rgba color) override;
    void draw(const DrawCall& call) override;
    void flush() override;

    void finish();  // wait until the GPU has drawn everything (benchmarks)
    bool es() const { return m_es; }
    std::string renderer_name() const;
private:
    int location(ProgramHandle p, const char* name);
    bool m_es = false;
    std::unordered_map<std::uint32_t, std::size_t> m_buffer_size;
    std::unordered_map<std::uint32_t, std::uint32_t> m_buffer_target;
    std::unordered_map<std::uint64_t, int> m_locations;  // (program, name hash) → location
    std::vector<std::uint32_t> m_buffers, m_arrays, m_textures, m_programs, m_framebuffers;
    int m_outer_framebuffer = -1;  // what was bound before a target (the window's, or an FBO of the caller)
};

}  // namespace onemap::render
