// colour: ANSI colour only when stdout is a terminal (and NO_COLOR is unset), so pipes,
// files and tests get plain text.
#pragma once

#include <string>

namespace keyroll::cli {

void SetColour(bool enabled);
bool ColourWanted();  // stdout is a TTY, NO_COLOR unset, TERM not "dumb"

std::string Green(const std::string& s);
std::string Yellow(const std::string& s);
std::string Red(const std::string& s);
// A phase or verdict in its colour: Ready/pass green, Failed/hold red, the rest yellow.
std::string Paint(const std::string& word);
// The length of `s` as a terminal shows it (escape sequences do not count).
size_t VisibleLength(const std::string& s);

}  // namespace keyroll::cli
