#pragma once
// The GPU seam: typed handles and one small interface. GlDevice (render/gl_device.hpp) talks to
// OpenGL 3.3 core / GLES 3.0 through libepoxy; NullDevice only counts, so renderer logic (culling,
// LOD choice, what gets uploaded) is testable without a GL context.
//
//   BufferHandle  VertexArrayHandle  TextureHandle  ProgramHandle   — 0 means "none"
//   FrameCounters — draw calls, vertices, bytes uploaded this frame (reset by begin_frame)
#include "render/color.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onemap::render {

struct BufferHandle { std::uint32_t id = 0; explicit operator bool() const { return id != 0; } };
struct VertexArrayHandle { std::uint32_t id = 0; explicit operator bool() const { return id != 0; } };
struct TextureHandle { std::uint32_t id = 0; explicit operator bool() const { return id != 0; } };
struct ProgramHandle { std::uint32_t id = 0; explicit operator bool() const { return id != 0; } };
// An offscreen colour target (framebuffer + texture) the renderer can draw into and then sample: RGBA8
// filtered linearly (the frame cache's pictures), or RG8 read texel by texel (the feature raster).
struct TargetHandle {
    std::uint32_t id = 0;
    TextureHandle texture;
    int width = 0, height = 0;
    explicit operator bool() const { return id != 0; }
};

enum class BufferKind { Vertex, Index };
enum class AttribType { Float, UByteNorm, UInt };
enum class TextureFormat { Rgba8, Rg8 };
enum class Primitive { Triangles, TriangleStrip };

struct VertexAttrib {
    std::uint32_t location = 0;
    BufferHandle buffer;
    int components = 2;
    AttribType type = AttribType::Float;
    std::uint32_t stride = 0;
    std::uint32_t offset = 0;
    bool per_instance = false;
};

struct FrameCounters {
    std::uint64_t draw_calls = 0;
    std::uint64_t vertices = 0;        // vertices processed (instances × vertices per instance)
    std::uint64_t bytes_uploaded = 0;  // buffers and textures
    std::uint64_t visible_features = 0;
};

struct Uniform {
    const char* name;
    int count;         // 1–4 floats, or 16 for a mat4; ints when is_int
    float v[4];
    bool is_int = false;
};

struct DrawCall {
    ProgramHandle program;
    VertexArrayHandle vertex_array;
    TextureHandle textures[2];
    Primitive primitive = Primitive::Triangles;
    bool indexed = false;
    std::uint32_t first = 0;          // first index (indexed) or vertex
    std::uint32_t count = 0;          // indices or vertices per instance
    std::uint32_t instances = 0;      // 0: not instanced
    std::uint32_t first_instance = 0; // via attribute offsets (GL 3.3 has no base instance)
    bool blend = true;
    // x, y, width, height in the target's pixels from its lower left: drawn only there (width 0: everywhere)
    int scissor[4] = {0, 0, 0, 0};
    std::span<const Uniform> uniforms;
};

class Device {
public:
    virtual ~Device() = default;
    virtual BufferHandle create_buffer(BufferKind kind, std::span<const std::byte> data) = 0;
    virtual void update_buffer(BufferHandle buffer, std::span<const std::byte> data) = 0;  // whole, may grow
    // A buffer of `size` bytes whose contents are written later, a piece at a time (write_buffer):
    // a large upload spread over several frames.
    virtual BufferHandle create_buffer(BufferKind kind, std::uint64_t size) = 0;
    // `data` into the buffer at `offset`; the range must lie within the buffer's size.
    virtual void write_buffer(BufferHandle buffer, std::uint64_t offset, std::span<const std::byte> data) = 0;
    virtual VertexArrayHandle create_vertex_array(std::span<const VertexAttrib> attribs, BufferHandle index) = 0;
    // Give back what a handle holds; the handle must not be used again.
    virtual void release(BufferHandle buffer) = 0;
    virtual void release(VertexArrayHandle va) = 0;
    // Re-point the per-instance attributes of `va` so instance 0 is element `first_instance`.
    virtual void set_instance_base(VertexArrayHandle va, std::span<const VertexAttrib> attribs, std::uint32_t first_instance) = 0;
    virtual TextureHandle create_texture(int width, int height, TextureFormat format, const void* pixels) = 0;
    virtual void update_texture(TextureHandle t, int x, int y, int width, int height, TextureFormat format,
                                const void* pixels) = 0;
    virtual ProgramHandle create_program(std::string_view vertex, std::string_view fragment, std::string_view name) = 0;
    virtual void viewport(int width, int height) = 0;
    // A target of that size (nothing drawn yet); the old one, if given, is released first.
    virtual TargetHandle create_target(int width, int height, TargetHandle old = {}, TextureFormat format = TextureFormat::Rgba8) = 0;
    // Draw into `target` from now on; an empty handle returns to the framebuffer that was bound before.
    virtual void bind_target(TargetHandle target) = 0;
    virtual int max_texture_size() const = 0;
    virtual void clear(Rgba color) = 0;
    virtual void draw(const DrawCall& call) = 0;
    // Hand what is drawn so far to the GPU and go on: a software rasteriser starts rasterising it on
    // its threads while this one sets up the next draws.
    virtual void flush() = 0;

    void begin_frame() { m_counters = {}; }
    FrameCounters& counters() { return m_counters; }
protected:
    FrameCounters m_counters;
};

// Counts without drawing: hands out increasing ids and records uploads and draws.
class NullDevice final : public Device {
public:
    BufferHandle create_buffer(BufferKind, std::span<const std::byte> data) override;
    void update_buffer(BufferHandle, std::span<const std::byte> data) override;
    BufferHandle create_buffer(BufferKind, std::uint64_t size) override;
    void write_buffer(BufferHandle, std::uint64_t offset, std::span<const std::byte> data) override;
    VertexArrayHandle create_vertex_array(std::span<const VertexAttrib>, BufferHandle) override;
    void release(BufferHandle buffer) override;
    void release(VertexArrayHandle) override { ++arrays_released; }
    std::uint64_t live_buffer_bytes() const;  // created or grown, less released
    void set_instance_base(VertexArrayHandle, std::span<const VertexAttrib>, std::uint32_t) override {}
    TextureHandle create_texture(int w, int h, TextureFormat f, const void*) override;
    void update_texture(TextureHandle, int, int, int w, int h, TextureFormat f, const void*) override;
    ProgramHandle create_program(std::string_view, std::string_view, std::string_view) override;
    void viewport(int, int) override {}
    TargetHandle create_target(int w, int h, TargetHandle, TextureFormat format = TextureFormat::Rgba8) override;
    void bind_target(TargetHandle t) override { bound_target = t; }
    int max_texture_size() const override { return 16384; }
    void clear(Rgba) override {}
    void draw(const DrawCall& call) override;
    void flush() override { calls_at_flush.push_back(calls.size()); }
    std::vector<DrawCall> calls;  // this object's history (uniform spans are not kept valid)
    std::vector<std::size_t> calls_at_flush;  // calls.size() at each flush
    TargetHandle bound_target;    // where draws go now (empty: the screen)
    int targets_created = 0;
    int buffers_released = 0, arrays_released = 0;
private:
    std::uint32_t m_next = 1;
    std::unordered_map<std::uint32_t, std::uint64_t> m_buffer_bytes;
};

std::size_t bytes_per_pixel(TextureFormat f);

}  // namespace onemap::render
