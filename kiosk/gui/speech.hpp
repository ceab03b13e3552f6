#pragma once
// Read aloud (朗读): hands text to a speech command (espeak-ng's Mandarin voice by default) on its
// standard input — never on the command line, where other users could read it in /proc — and
// stops it on demand (the household card closing stops the voice too).
#include <string>
#include <sys/types.h>

namespace onemap::app {

class Speech {
public:
    explicit Speech(std::string command);  // e.g. "espeak-ng -v cmn --stdin"; "" → not available
    ~Speech();
    Speech(const Speech&) = delete;
    Speech& operator=(const Speech&) = delete;

    bool available() const { return m_available; }  // the command's program is installed
    bool speaking();                                // reaps a finished voice
    void say(std::string_view text);                // stops what is being said first
    void stop();

private:
    std::string m_command;
    bool m_available = false;
    pid_t m_pid = -1;
};

}  // namespace onemap::app
