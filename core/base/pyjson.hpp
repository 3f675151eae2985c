// Python's json.dumps, byte for byte, for the cache keys the AWS CLI derives from it (sha1 of the text).
// In credsh_base because both the core (~/.aws/cli/cache keys) and the aws-sso plugin (registration keys)
// need it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace credsh {

// json.dumps(value, sort_keys=True) as Python writes it: ", " and ": " separators (or "," and ":" when
// `compact`), ASCII only (\uXXXX escapes), object keys sorted. The CLI's cache keys are digests of this text.
std::string python_json_dumps(const nlohmann::json& value, bool compact = false);

} // namespace credsh
