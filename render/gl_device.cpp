#include "gl_device.hpp"

#include <epoxy/gl.h>

#include <functional>

namespace onemap::render {

namespace {
GLenum gl_format(TextureFormat f) { return f == TextureFormat::Rgba8 ? GL_RGBA : GL_RG; }
GLenum gl_internal(TextureFormat f) { return f == TextureFormat::Rgba8 ? GL_RGBA8 : GL_RG8; }

GLuint compile(GLenum type, const std::string& src, std::string_view name) {
    const GLuint s = glCreateShader(type);
    const char* p = src.c_str();
    glShaderSource(s, 1, &p, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetShaderInfoLog(s, sizeof log, nullptr, log);
        glDeleteShader(s);
        throw GlError("shader '" + std::string(name) + (type == GL_VERTEX_SHADER ? "' (vertex)" : "' (fragment)") +
                      " does not compile: " + log);
    }
    return s;
}
}  // namespace

GlDevice::GlDevice() {
    m_es = !epoxy_is_desktop_gl();
    const int version = epoxy_gl_version();
    if ((!m_es && version < 33) || (m_es && version < 30))
        throw GlError("OpenGL " + std::to_string(version / 10) + "." + std::to_string(version % 10) +
                      " found; the map needs OpenGL 3.3 or OpenGL ES 3.0");
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
}

GlDevice::~GlDevice() {
    if (!m_buffers.empty()) glDeleteBuffers(static_cast<GLsizei>(m_buffers.size()), m_buffers.data());
    if (!m_arrays.empty()) glDeleteVertexArrays(static_cast<GLsizei>(m_arrays.size()), m_arrays.data());
    if (!m_textures.empty()) glDeleteTextures(static_cast<GLsizei>(m_textures.size()), m_textures.data());
    if (!m_framebuffers.empty()) glDeleteFramebuffers(static_cast<GLsizei>(m_framebuffers.size()), m_framebuffers.data());
    for (auto p : m_programs) glDeleteProgram(p);
}

std::string GlDevice::renderer_name() const {
    return std::string(reinterpret_cast<const char*>(glGetString(GL_RENDERER))) + " / " +
           reinterpret_cast<const char*>(glGetString(GL_VERSION));
}

BufferHandle GlDevice::create_buffer(BufferKind kind, std::span<const std::byte> data) {
    GLuint b = 0;
    glGenBuffers(1, &b);
    const GLenum target = kind == BufferKind::Vertex ? GL_ARRAY_BUFFER : GL_ELEMENT_ARRAY_BUFFER;
    if (kind == BufferKind::Index) glBindVertexArray(0);
    glBindBuffer(target, b);
    glBufferData(target, static_cast<GLsizeiptr>(data.size()), data.data(), GL_STATIC_DRAW);
    m_buffer_size[b] = data.size();
    m_buffer_target[b] = target;
    m_buffers.push_back(b);
    m_counters.bytes_uploaded += data.size();
    return {b};
}

BufferHandle GlDevice::create_buffer(BufferKind kind, std::uint64_t size) {
    GLuint b = 0;
    glGenBuffers(1, &b);
    const GLenum target = kind == BufferKind::Vertex ? GL_ARRAY_BUFFER : GL_ELEMENT_ARRAY_BUFFER;
    if (kind == BufferKind::Index) glBindVertexArray(0);
    glBindBuffer(target, b);
    glBufferData(target, static_cast<GLsizeiptr>(size), nullptr, GL_STATIC_DRAW);
    m_buffer_size[b] = size;
    m_buffer_target[b] = target;
    m_buffers.push_back(b);
    return {b};
}

void GlDevice::write_buffer(BufferHandle buffer, std::uint64_t offset, std::span<const std::byte> data) {
    const auto size = m_buffer_size.find(buffer.id);
    if (size == m_buffer_size.end() || offset > size->second || data.size() > size->second - offset)
        throw GlError("write_buffer: the range lies outside the buffer");
    const GLenum target = m_buffer_target[buffer.id];
    if (target == GL_ELEMENT_ARRAY_BUFFER) glBindVertexArray(0);
    glBindBuffer(target, buffer.id);
    glBufferSubData(target, static_cast<GLintptr>(offset), static_cast<GLsizeiptr>(data.size()), data.data());
    m_counters.bytes_uploaded += data.size();
}

void GlDevice::update_buffer(BufferHandle buffer, std::span<const std::byte> data) {
    const GLenum target = m_buffer_target[buffer.id];
    if (target == GL_ELEMENT_ARRAY_BUFFER) glBindVertexArray(0);
    glBindBuffer(target, buffer.id);
    if (data.size() > m_buffer_size[buffer.id]) {
        glBufferData(target, static_cast<GLsizeiptr>(data.size()), data.data(), GL_DYNAMIC_DRAW);
        m_buffer_size[buffer.id] = data.size();
    } else {
        glBufferSubData(target, 0, static_cast<GLsizeiptr>(data.size()), data.data());
    }
    m_counters.bytes_uploaded += data.size();
}

static void point_attribs(std::span<const VertexAttrib> attribs, std::uint32_t first_instance, bool instanced_only) {
    for (const auto& a : attribs) {
        if (instanced_only && !a.per_instance) continue;
        glBindBuffer(GL_ARRAY_BUFFER, a.buffer.id);
        glEnableVertexAttribArray(a.location);
        const std::uintptr_t offset = a.offset + (a.per_instance ? static_cast<std::uintptr_t>(first_instance) * a.stride : 0);
        const void* ptr = reinterpret_cast<const void*>(offset);
        if (a.type == AttribType::UInt)
            glVertexAttribIPointer(a.location, a.components, GL_UNSIGNED_INT, static_cast<GLsizei>(a.stride), ptr);
        else
            glVertexAttribPointer(a.location, a.components, a.type == AttribType::Float ? GL_FLOAT : GL_UNSIGNED_BYTE,
                                  a.type == AttribType::UByteNorm ? GL_TRUE : GL_FALSE, static_cast<GLsizei>(a.stride), ptr);
        glVertexAttribDivisor(a.location, a.per_instance ? 1 : 0);
    }
}

VertexArrayHandle GlDevice::create_vertex_array(std::span<const VertexAttrib> attribs, BufferHandle index) {
    GLuint va = 0;
    glGenVertexArrays(1, &va);
    glBindVertexArray(va);
    point_attribs(attribs, 0, false);
    if (index) glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, index.id);
    glBindVertexArray(0);
    m_arrays.push_back(va);
    return {va};
}

void GlDevice::release(BufferHandle buffer) {
    if (!buffer) return;
    GLuint b = buffer.id;
    glDeleteBuffers(1, &b);
    std::erase(m_buffers, b);
    m_buffer_size.erase(b);
    m_buffer_target.erase(b);
}

void GlDevice::release(VertexArrayHandle va) {
    if (!va) return;
    GLuint a = va.id;
    glDeleteVertexArrays(1, &a);
    std::erase(m_arrays, a);
}

void GlDevice::set_instance_base(VertexArrayHandle va, std::span<const VertexAttrib> attribs, std::uint32_t first_instance) {
    glBindVertexArray(va.id);
    point_attribs(attribs, first_instance, true);
}

TextureHandle GlDevice::create_texture(int width, int height, TextureFormat format, const void* pixels) {
    GLuint t = 0;
    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(gl_internal(format)), width, height, 0, gl_format(format),
                 GL_UNSIGNED_BYTE, pixels);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    m_textures.push_back(t);
    m_counters.bytes_uploaded += static_cast<std::uint64_t>(width) * height * bytes_per_pixel(format);
    return {t};
}

void GlDevice::update_texture(TextureHandle t, int x, int y, int width, int height, TextureFormat format, const void* pixels) {
    glBindTexture(GL_TEXTURE_2D, t.id);
    glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, width, height, gl_format(format), GL_UNSIGNED_BYTE, pixels);
    m_counters.bytes_uploaded += static_cast<std::uint64_t>(width) * height * bytes_per_pixel(format);
}

ProgramHandle GlDevice::create_program(std::string_view vertex, std::string_view fragment, std::string_view name) {
    const std::string header = m_es ? "#version 300 es\nprecision highp float;\nprecision highp int;\n" : "#version 330 core\n";
    const GLuint vs = compile(GL_VERTEX_SHADER, header + std::string(vertex), name);
    const GLuint fs = compile(GL_FRAGMENT_SHADER, header + std::string(fragment), name);
    const GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetProgramInfoLog(p, sizeof log, nullptr, log);
        glDeleteProgram(p);
        throw GlError("shader program '" + std::string(name) + "' does not link: " + log);
    }
    m_programs.push_back(p);
    return {p};
}

int GlDevice::location(ProgramHandle p, const char* name) {
    const std::uint64_t key = (std::uint64_t(p.id) << 32) ^ std::hash<std::string_view>{}(name);
    auto it = m_locations.find(key);
    if (it == m_locations.end()) it = m_locations.emplace(key, glGetUniformLocation(p.id, name)).first;
    return it->second;
}

void GlDevice::finish() { glFinish(); }

void GlDevice::viewport(int width, int height) { glViewport(0, 0, width, height); }

TargetHandle GlDevice::create_target(int width, int height, TargetHandle old, TextureFormat format) {
    if (old) {
        GLuint fb = old.id, tex = old.texture.id;
        glDeleteFramebuffers(1, &fb);
        glDeleteTextures(1, &tex);
        std::erase(m_framebuffers, fb);
        std::erase(m_textures, tex);
    }
    GLint outer = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &outer);
    GLuint tex = 0, fb = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    const bool rgba = format == TextureFormat::Rgba8;
    glTexImage2D(GL_TEXTURE_2D, 0, rgba ? GL_RGBA8 : GL_RG8, width, height, 0, rgba ? GL_RGBA : GL_RG, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, rgba ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, rgba ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glGenFramebuffers(1, &fb);
    glBindFramebuffer(GL_FRAMEBUFFER, fb);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(outer));
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        glDeleteFramebuffers(1, &fb);
        glDeleteTextures(1, &tex);
        throw GlError("cannot make a " + std::to_string(width) + "×" + std::to_string(height) + " render target");
    }
    m_textures.push_back(tex);
    m_framebuffers.push_back(fb);
    TargetHandle t;
    t.id = fb;
    t.texture = {tex};
    t.width = width;
    t.height = height;
    return t;
}

void GlDevice::bind_target(TargetHandle target) {
    if (target) {
        if (m_outer_framebuffer < 0) {
            GLint outer = 0;
            glGetIntegerv(GL_FRAMEBUFFER_BINDING, &outer);
            m_outer_framebuffer = outer;
        }
        glBindFramebuffer(GL_FRAMEBUFFER, target.id);
    } else if (m_outer_framebuffer >= 0) {
        glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(m_outer_framebuffer));
        m_outer_framebuffer = -1;
    }
}

int GlDevice::max_texture_size() const {
    GLint size = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &size);
    return size;
}

void GlDevice::flush() { glFlush(); }

void GlDevice::clear(Rgba c) {
    glClearColor(c.r / 255.f, c.g / 255.f, c.b / 255.f, c.a / 255.f);
    glClear(GL_COLOR_BUFFER_BIT);
}

void GlDevice::draw(const DrawCall& call) {
    glUseProgram(call.program.id);
    for (const Uniform& u : call.uniforms) {
        const int loc = location(call.program, u.name);
        if (loc < 0) continue;
        if (u.is_int) {
            glUniform1i(loc, static_cast<GLint>(u.v[0]));
            continue;
        }
        switch (u.count) {
            case 1: glUniform1f(loc, u.v[0]); break;
            case 2: glUniform2f(loc, u.v[0], u.v[1]); break;
            case 3: glUniform3f(loc, u.v[0], u.v[1], u.v[2]); break;
            default: glUniform4f(loc, u.v[0], u.v[1], u.v[2], u.v[3]); break;
        }
    }
    for (int i = 0; i < 2; ++i) {
        if (!call.textures[i]) continue;
        glActiveTexture(GL_TEXTURE0 + i);
        glBindTexture(GL_TEXTURE_2D, call.textures[i].id);
    }
    if (call.blend) {
        glEnable(GL_BLEND);
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    } else {
        glDisable(GL_BLEND);
    }
    if (call.scissor[2] > 0) {
        glEnable(GL_SCISSOR_TEST);
        glScissor(call.scissor[0], call.scissor[1], call.scissor[2], call.scissor[3]);
    }
    glBindVertexArray(call.vertex_array.id);
    const GLenum mode = call.primitive == Primitive::Triangles ? GL_TRIANGLES : GL_TRIANGLE_STRIP;
    const auto count = static_cast<GLsizei>(call.count);
    if (call.indexed) {
        const void* offset = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(call.first) * sizeof(std::uint32_t));
        if (call.instances)
            glDrawElementsInstanced(mode, count, GL_UNSIGNED_INT, offset, static_cast<GLsizei>(call.instances));
        else
            glDrawElements(mode, count, GL_UNSIGNED_INT, offset);
    } else {
        if (call.instances)
            glDrawArraysInstanced(mode, static_cast<GLint>(call.first), count, static_cast<GLsizei>(call.instances));
        else
            glDrawArrays(mode, static_cast<GLint>(call.first), count);
    }
    if (call.scissor[2] > 0) glDisable(GL_SCISSOR_TEST);  // clears fill the whole target
    ++m_counters.draw_calls;
    m_counters.vertices += static_cast<std::uint64_t>(call.count) * (call.instances ? call.instances : 1);
}

}  // namespace onemap::render
