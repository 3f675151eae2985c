// STUB: being written by a helper session; replaced wholesale.
#include "safe_file.hpp"
namespace credsh {
Result<std::string> safe_read_file(const std::string&, std::size_t) { return fail("not implemented"); }
Result<void> ensure_private_dir(const std::string&) { return fail("not implemented"); }
Result<void> atomic_write_file(const std::string&, const std::string&) { return fail("not implemented"); }
}
