#pragma once
// Offscreen rendering: a hidden GLFW window supplies an OpenGL 3.3 core context (on Xvfb in
// headless runs); a framebuffer object of any size is the target; read back as an Image. The
// pixels are the ones the on-screen map shows — same renderer, same shaders.
#include "render/image.hpp"

#include <memory>
#include <string>

struct GLFWwindow;

namespace onemap::render {

class OffscreenContext {
public:
    // nullptr (and `why` filled) when no display or no GL 3.3 context can be had. `es`: an
    // OpenGL ES 3.0 context instead (what ARM kiosks have), to check the shaders there.
    static std::unique_ptr<OffscreenContext> create(std::string* why = nullptr, bool es = false);
    ~OffscreenContext();
    OffscreenContext(const OffscreenContext&) = delete;
    OffscreenContext& operator=(const OffscreenContext&) = delete;
private:
    OffscreenContext() = default;
    GLFWwindow* m_window = nullptr;
};

class OffscreenTarget {
public:
    OffscreenTarget(int width, int height);  // needs a current context; binds itself
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;
    void bind();
    Image read();  // waits for the GPU; top row first
    int width() const { return m_width; }
    int height() const { return m_height; }
private:
    int m_width, m_height;
    unsigned m_fbo = 0, m_color = 0;
};

}  // namespace onemap::render
