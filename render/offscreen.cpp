#include "offscreen.hpp"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <GLFW/glfw3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>
#include <stdexcept>

namespace onemap::render {

namespace {
std::string g_glfw_error;
void on_glfw_error(int, const char* text) { g_glfw_error = text ? text : "unknown"; }

std::unique_ptr<OffscreenContext> none(std::string* why, std::string text) {
    if (why) *why = std::move(text);
    return nullptr;
}

bool has_word(const char* list, std::string_view word) {
    if (!list) return false;
    const std::string_view all(list);
    for (std::size_t at = 0; (at = all.find(word, at)) != std::string_view::npos; at += word.size()) {
        const bool starts = at == 0 || all[at - 1] == ' ';
        const bool ends = at + word.size() == all.size() || all[at + word.size()] == ' ';
        if (starts && ends) return true;
    }
    return false;
}

std::string egl_error_text() {
    const EGLint e = eglGetError();
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04X", static_cast<unsigned>(e));
    return hex;
}

// A display to try, and what to call it.
struct EglCandidate {
    EGLDisplay display;
    std::string name;
};

// GPUs first (the EGL device platform, EGL_EXT_device_enumeration), then Mesa's software device,
// then Mesa's surfaceless platform, then the default display.
std::vector<EglCandidate> egl_candidates() {
    std::vector<EglCandidate> out;
    const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    const bool platforms = has_word(client, "EGL_EXT_platform_base");
    if (platforms && has_word(client, "EGL_EXT_device_enumeration") && has_word(client, "EGL_EXT_platform_device")) {
        EGLint count = 0;
        if (eglQueryDevicesEXT(0, nullptr, &count) && count > 0) {
            std::vector<EGLDeviceEXT> devices(static_cast<std::size_t>(count));
            eglQueryDevicesEXT(count, devices.data(), &count);
            std::vector<EglCandidate> software;
            for (EGLint i = 0; i < count; ++i) {
                const char* ext = eglQueryDeviceStringEXT(devices[static_cast<std::size_t>(i)], EGL_EXTENSIONS);
                const bool is_software = has_word(ext, "EGL_MESA_device_software");
                EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, devices[static_cast<std::size_t>(i)], nullptr);
                if (d == EGL_NO_DISPLAY) continue;
                (is_software ? software : out).push_back({d, is_software ? "EGL device (software)" : "EGL device (GPU)"});
            }
            out.insert(out.end(), software.begin(), software.end());
        }
    }
    if (platforms && has_word(client, "EGL_MESA_platform_surfaceless")) {
        EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (d != EGL_NO_DISPLAY) out.push_back({d, "EGL surfaceless"});
    }
    if (EGLDisplay d = eglGetDisplay(EGL_DEFAULT_DISPLAY); d != EGL_NO_DISPLAY) out.push_back({d, "EGL default display"});
    return out;
}
}  // namespace

std::unique_ptr<OffscreenContext> OffscreenContext::create(std::string* why, bool es, ContextSource source) {
    if (source == ContextSource::Auto) {
        const char* forced = std::getenv("ONEMAP_GL");
        const std::string f = forced ? forced : "";
        if (f == "egl") return create_egl(why, es);
        if (f == "window") return create_window(why, es);
        if (!f.empty()) return none(why, "ONEMAP_GL='" + f + "' is neither 'window' nor 'egl'");
        std::string egl_why;
        if (auto ctx = create_egl(&egl_why, es)) return ctx;
        std::string window_why;
        if (auto ctx = create_window(&window_why, es)) return ctx;
        return none(why, egl_why + "; " + window_why);
    }
    return source == ContextSource::Window ? create_window(why, es) : create_egl(why, es);
}

std::unique_ptr<OffscreenContext> OffscreenContext::create_window(std::string* why, bool es) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) return none(why, "no display (GLFW: " + g_glfw_error + ")");
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
        glfwTerminate();
        return none(why, std::string(es ? "no OpenGL ES 3.0" : "no OpenGL 3.3 core") + " context in a window (GLFW: " + g_glfw_error + ")");
    }
    glfwMakeContextCurrent(w);
    std::unique_ptr<OffscreenContext> ctx(new OffscreenContext());
    ctx->m_window = w;
    ctx->m_description = "hidden window";
    return ctx;
}

std::unique_ptr<OffscreenContext> OffscreenContext::create_egl(std::string* why, bool es) {
    const std::string want = es ? "OpenGL ES 3.0" : "OpenGL 3.3 core";
    if (!epoxy_has_egl()) return none(why, "no EGL library (libEGL.so.1; Debian: libegl1 and libegl-mesa0 or a GPU driver)");
    std::string tried;
    for (const EglCandidate& c : egl_candidates()) {
        auto fail = [&](const char* step) {
            tried += (tried.empty() ? "" : ", ") + c.name + ": " + step + " failed (" + egl_error_text() + ")";
        };
        EGLint major = 0, minor = 0;
        if (!eglInitialize(c.display, &major, &minor)) {
            fail("eglInitialize");
            continue;
        }
        if (!eglBindAPI(es ? EGL_OPENGL_ES_API : EGL_OPENGL_API)) {
            fail("eglBindAPI");
            eglTerminate(c.display);
            continue;
        }
        const bool surfaceless = epoxy_has_egl_extension(c.display, "EGL_KHR_surfaceless_context");
        const EGLint config_attribs[] = {EGL_SURFACE_TYPE, surfaceless ? 0 : EGL_PBUFFER_BIT,
                                         EGL_RENDERABLE_TYPE, es ? EGL_OPENGL_ES3_BIT : EGL_OPENGL_BIT,
                                         EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                         EGL_NONE};
        EGLConfig config = nullptr;
        EGLint configs = 0;
        if (!eglChooseConfig(c.display, config_attribs, &config, 1, &configs) || configs < 1) {
            fail("eglChooseConfig");
            eglTerminate(c.display);
            continue;
        }
        const EGLint gl_attribs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                     EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
        const EGLint es_attribs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE};
        EGLContext context = eglCreateContext(c.display, config, EGL_NO_CONTEXT, es ? es_attribs : gl_attribs);
        if (context == EGL_NO_CONTEXT) {
            fail(("eglCreateContext (" + want + ")").c_str());
            eglTerminate(c.display);
            continue;
        }
        EGLSurface surface = EGL_NO_SURFACE;
        if (!surfaceless) {
            const EGLint pbuffer_attribs[] = {EGL_WIDTH, 16, EGL_HEIGHT, 16, EGL_NONE};
            surface = eglCreatePbufferSurface(c.display, config, pbuffer_attribs);
            if (surface == EGL_NO_SURFACE) {
                fail("eglCreatePbufferSurface");
                eglDestroyContext(c.display, context);
                eglTerminate(c.display);
                continue;
            }
        }
        if (!eglMakeCurrent(c.display, surface, surface, context)) {
            fail("eglMakeCurrent");
            if (surface != EGL_NO_SURFACE) eglDestroySurface(c.display, surface);
            eglDestroyContext(c.display, context);
            eglTerminate(c.display);
            continue;
        }
        std::unique_ptr<OffscreenContext> ctx(new OffscreenContext());
        ctx->m_egl_display = c.display;
        ctx->m_egl_context = context;
        ctx->m_egl_surface = surface;
        ctx->m_description = c.name;
        return ctx;
    }
    return none(why, "no " + want + " context through EGL (" + (tried.empty() ? "no EGL display" : tried) + ")");
}

OffscreenContext::~OffscreenContext() {
    if (m_window) {
        glfwDestroyWindow(m_window);
        glfwTerminate();
        return;
    }
    if (m_egl_display) {
        eglMakeCurrent(m_egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (m_egl_surface) eglDestroySurface(m_egl_display, m_egl_surface);
        eglDestroyContext(m_egl_display, m_egl_context);
        eglTerminate(m_egl_display);
    }
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
