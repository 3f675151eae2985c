// The provider chain a profile graph produces, as a pure function (no I/O): the ordered steps that turn a
// base credential into the profile's credentials, the way botocore and smithy-rs read role_arn,
// source_profile, credential_source, web identity and SSO (conformance: assume-role-tests.json). Running the
// steps - caches, locks, plugins - is resolve.cpp's job.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/credentials.hpp"
#include <credsh/policy.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

enum class StepKind {
    access_key,    // static keys in a profile
    process,       // credential_process
    named_source,  // credential_source = Environment | Ec2InstanceMetadata | EcsContainer
    web_identity,  // role_arn + web_identity_token_file: AssumeRoleWithWebIdentity
    assume_role,   // role_arn with the previous step as its source
    session_token, // static keys + mfa_serial on the selected profile: GetSessionToken (credsh's extension)
    sso,           // IAM Identity Center role credentials (or a token-only sso_session profile)
    plugin,        // credsh's own [profile X] plugin = NAME
};

// Web identity from the environment (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE [+ AWS_ROLE_SESSION_NAME]),
// as EKS/IRSA and GitHub Actions set it up.
struct WebIdentityEnv {
    std::string role_arn, token_file, session_name;
};
// Both required variables set and non-empty, else nullopt.
std::optional<WebIdentityEnv> web_identity_env(const Env& env);

struct Step {
    StepKind kind;
    std::string profile;      // the profile whose settings this step uses
    std::string plugin;       // which plugin runs it ("" for access_key, process, named_source Environment)
    std::string named_source; // named_source: the credential_source value
    const Properties* keys = nullptr; // access_key / session_token: the section the static keys come from
    std::optional<WebIdentityEnv> web_env =
        std::nullopt; // web_identity from the environment, not the profile
};

using Chain = std::vector<Step>;

// The chain for `name`, first step (the base credential) first. Errors name the profile and the rule broken:
// a missing source profile, a loop ("profile formed an infinite loop: a -> b -> a"), both source_profile and
// credential_source, partial keys, a profile without credentials, more than kMaxChainProfiles profiles.
//
// `web_env` (web_identity_env(env)): when the selected profile holds no credential information at all - no
// keys, role, SSO, process or credential_source - and the environment names a role and a token file, the
// chain is one AssumeRoleWithWebIdentity from those variables. That is smithy-rs's default chain (profile
// first, then web identity from the environment) and what botocore does for AWS_PROFILE=P; a profile with
// credentials of its own keeps them (botocore with --profile P ignores the variables altogether, and credsh
// always names a profile).
Result<Chain> plan_chain(const ProfileSet& profiles, const CredshConfig& config, const std::string& name,
                         const std::optional<WebIdentityEnv>& web_env = std::nullopt);

// credsh's own `credential_process` line for PROFILE (`credsh credential-process --profile PROFILE`, also
// with -p, `=` or a path to credsh), as `credsh store` writes it: the profile's long-term keys are in the
// keyring, and plan_chain reads them there (the keyring plugin) instead of running credsh again.
bool serves_from_keyring(const std::string& credential_process, const std::string& profile);
// The line credsh store writes.
std::string keyring_credential_process(const std::string& profile);

// Short description for messages and `credsh status --explain`: "static keys (B) -> AssumeRole RoleA (A)".
std::string describe_chain(const ProfileSet& profiles, const Chain& chain);

const char* step_kind_name(StepKind k);

// What serves a profile, read from its planned chain: the one classification credsh has. `credsh profiles
// --json`, `credsh status` and the export mode describe it, and resolve.cpp runs the same chain, so a listing
// cannot name a provider that resolution does not use.
struct ChainSummary {
    StepKind kind = StepKind::access_key; // the last step's
    // Who serves the last step: its plugin, else "static" (access_key), "credential_process" or "environment"
    // (credential_source = Environment, read by the core).
    std::string provider;
    // The chain is the profile's own long-term keys and nothing else: the SDKs can read the profile
    // themselves, so export mode auto exports only AWS_PROFILE.
    bool static_keys = false;
};
// `chain` must not be empty (plan_chain never returns an empty chain).
ChainSummary chain_summary(const Chain& chain);

} // namespace credsh
