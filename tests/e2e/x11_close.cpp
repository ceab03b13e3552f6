// Kept apart from the tests: Xlib's macros (None, Bool, Status …) clash with GoogleTest's names.
#include <X11/Xlib.h>

#include <string>

bool send_close_request(const std::string& window) {
    Display* d = XOpenDisplay(nullptr);
    if (!d) return false;
    XEvent ev{};
    ev.xclient.type = ClientMessage;
    ev.xclient.window = static_cast<Window>(std::stoul(window));
    ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", True);
    ev.xclient.format = 32;
    ev.xclient.data.l[0] = static_cast<long>(XInternAtom(d, "WM_DELETE_WINDOW", False));
    ev.xclient.data.l[1] = CurrentTime;
    const Status ok = XSendEvent(d, ev.xclient.window, False, NoEventMask, &ev);
    XFlush(d);
    XCloseDisplay(d);
    return ok != 0;
}
