#include "offscreen.hpp"

#include <epoxy/gl.h>
#include <GLFW/glfw3.h>

#include <cstring>
#include <stdexcept>

namespace onemap::render {

namespace {
std::string g_glfw_error;
void on_glfw_error(int, const char* text) { g_glfw_error = text ? text : "unknown"; }
}  // namespace

std::unique_ptr<OffscreenContext> OffscreenContext::create(std::string* why, bool es) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        if (why) *why = "no display (GLFW: " + g_glfw_error + ")";
        return nullptr;
    }
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    if (es) {
        glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
        glfwWindowHint(GLFW_CONTEXT_CREATION_API, GLFW_EGL_CONTEXT_API);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    } else {
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    }
    GLFWwindow* w = glfwCreateWindow(64, 64, "onemap offscreen", nullptr, nullptr);
    if (!w) {
        if (why) *why = std::string(es ? "no OpenGL ES 3.0" : "no OpenGL 3.3 core") + " context (GLFW: " + g_glfw_error + ")";
        glfwTerminate();
        return nullptr;
    }
    glfwMakeContextCurrent(w);
    std::unique_ptr<OffscreenContext> ctx(new OffscreenContext());
    ctx->m_window = w;
    return ctx;
}

OffscreenContext::~OffscreenContext() {
    if (m_window) glfwDestroyWindow(m_window);
    glfwTerminate();
}

OffscreenTarget::OffscreenTarget(int width, int height) : m_width(width), m_height(height) {
    glGenFramebuffers(1, &m_fbo);
    glGenRenderbuffers(1, &m_color);
    glBindRenderbuffer(GL_RENDERBUFFER, m_color);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glBindFramebuffer(GL_FRAMEBUFFER, m_fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, m_color);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        throw std::runtime_error("offscreen framebuffer " + std::to_string(width) + "×" + std::to_string(height) +
                                 " is not complete (too large for this GL?)");
}

OffscreenTarget::~OffscreenTarget() {
    glDeleteFramebuffers(1, &m_fbo);
    glDeleteRenderbuffers(1, &m_color);
}

void OffscreenTarget::bind() { glBindFramebuffer(GL_FRAMEBUFFER, m_fbo); }

Image OffscreenTarget::read() {
    bind();
    Image img{m_width, m_height, std::vector<std::uint8_t>(static_cast<std::size_t>(m_width) * m_height * 4)};
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, m_width, m_height, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
    // GL's first row is the bottom one
    const std::size_t row = static_cast<std::size_t>(m_width) * 4;
    std::vector<std::uint8_t> tmp(row);
    for (int y = 0; y < m_height / 2; ++y) {
        std::uint8_t* a = img.rgba.data() + y * row;
        std::uint8_t* b = img.rgba.data() + (m_height - 1 - y) * row;
        std::memcpy(tmp.data(), a, row);
        std::memcpy(a, b, row);
        std::memcpy(b, tmp.data(), row);
    }
    return img;
}

}  // namespace onemap::render
