// The shipped keyroll's failpoints: none. Linked instead of failpoint.cpp (see
// CMakeLists.txt), so no environment variable can make the operator kill itself.
#include "operator/runtime/failpoint.h"

namespace keyroll::runtime {

namespace failpoint_detail {
std::atomic<bool> armed{false};  // never set: Failpoint() stays one relaxed load
bool Hit(std::string_view) { return false; }
}  // namespace failpoint_detail

std::string ConfigureFailpoints(std::string_view) { return "this binary has no failpoints"; }

}  // namespace keyroll::runtime
