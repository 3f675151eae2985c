// STUB: being written by a helper session; replaced wholesale.
#include "credprofile.hpp"
namespace credsh {
bool valid_profile_name(std::string_view) { return false; }
bool valid_region(std::string_view) { return false; }
Result<CredProfile> parse_credprofile(const std::string&, std::string_view) { return fail("not implemented"); }
std::string render_credprofile(const CredProfile&) { return {}; }
}
