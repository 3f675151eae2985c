// The two network flows of the imds plugin (ec2.cpp, container.cpp) and what they share: the call's deadline
// and the lookups over the request. The rules they follow are the pure functions in imds_config.hpp.
#pragma once

#include "base/deadline.hpp"
#include "imds_config.hpp"
#include "metadata_json.hpp"
#include "plugin_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace credsh::imds {

// The request's hard deadline (timeout_ms) is credsh::Deadline (deadline.hpp), from which each HTTP request
// takes at most its own limit (Deadline::cap).
using credsh::Deadline;

struct Fetched {
    MetadataCredentials creds;
    std::string source;        // for messages: "EC2 instance metadata role NAME", "container endpoint URL"
    std::string clock_warning; // the server's Date far from this machine's clock (docs/security.md 23), or ""
};

// Lookups over the request: the environment credsh runs with, and the profile's settings - the AWS profile's
// keys, or credsh's own [profile X] keys ("credsh.KEY") for a `plugin = imds` profile.
Lookup env_lookup(const plugin::Request& req);
Lookup setting_lookup(const plugin::Request& req);

// IMDSv2 (v1 only where allowed): 1 s per request, one attempt each (botocore's defaults).
Result<Fetched> fetch_ec2(const plugin::Request& req, const Deadline& deadline);
// The ECS/EKS container endpoint: 2 s per attempt, 3 attempts (botocore's defaults).
Result<Fetched> fetch_container(const plugin::Request& req, const Deadline& deadline);

} // namespace credsh::imds
