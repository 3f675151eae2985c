// STUB: being written by a helper session; replaced wholesale.
#include "trust.hpp"
namespace credsh {
TrustStore TrustStore::from_env(const Env& env) { return TrustStore{env.home() + "/.local/share/credsh"}; }
std::string TrustStore::allow_key(const std::string&, const std::string&) const { return {}; }
TrustStatus TrustStore::status(const std::string&, const std::string&) const { return TrustStatus::blocked; }
Result<void> TrustStore::allow(const std::string&, const std::string&) const { return fail("not implemented"); }
Result<void> TrustStore::deny(const std::string&) const { return fail("not implemented"); }
DirLookup find_credprofile(const std::string&, const TrustStore&) { return {}; }
}
