// credential_process: run the configured command (split like a POSIX shell would split words, but never run
// through a shell), read its JSON from stdout, let its stderr through to the user, and kill it at a deadline.
// Format (the SDKs' "Version 1"): {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken"?,
// "Expiration"? (ISO 8601),"AccountId"?}. Errors never contain the secret values.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "pipeline/credentials.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace credsh {

// POSIX-shell-like word splitting (quotes and backslashes, no expansions), as botocore's shlex.split does.
Result<std::vector<std::string>> split_command_line(const std::string& command);

// Parse the process's stdout. `now` is used to refuse already expired credentials.
Result<Credentials> parse_process_output(const std::string& json, std::int64_t now);

struct ProcessOptions {
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    int stderr_fd = 2; // where the child's stderr goes
    // Added in parentheses to the timeout message: why the limit was this one and how to wait longer.
    std::string timeout_hint;
};

// Run the command with `env` as its environment, stdin from /dev/null.
Result<Credentials> run_credential_process(const std::string& command, const Env& env, std::int64_t now,
                                           const ProcessOptions& options);

} // namespace credsh
