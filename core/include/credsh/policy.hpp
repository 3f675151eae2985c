// credsh's policy numbers, each named once, with the reason it is what it is. Header-only and part of
// credsh_base, so the host and every plugin use the same value (a plugin that renewed at 10 minutes while the
// host re-ran it at 15 would be called at every prompt for five minutes).
#pragma once

#include <cstddef>
#include <cstdint>

namespace credsh {

// Credentials or a token with less than this left are renewed before use (seconds). The AWS CLI and the
// SDKs refresh in the same window (botocore's advisory refresh is 15 minutes), so a long command started at
// a prompt does not run out halfway, and what one tool renews the other reuses.
constexpr std::int64_t kRefreshWindow = 15 * 60;

// After a failed refresh, the earliest next attempt (seconds; docs/security.md 25): one prompt's failure
// must not turn every following prompt into a network call.
constexpr std::int64_t kRetryDelay = 60;

// One network step or one wait for another shell's lock, off the prompt (milliseconds): long enough for a
// slow STS or OIDC reply, short enough that a hung endpoint costs a command seconds, not minutes.
constexpr int kStepTimeoutMs = 5000;

// The same on the prompt path (docs/security.md 24): a blackholed endpoint costs a prompt at most this.
constexpr int kPromptTimeoutMs = 2000;

// The same when a person is waiting on purpose (credsh login, credsh exec, credsh sso): room for a slow
// sign-in service or an MFA round trip.
constexpr int kInteractiveTimeoutMs = 15000;

// Tries at typing an MFA code before an interactive command gives up (a code that is not 6 digits is asked
// again, locally, without calling STS): one slip of the finger is not a failed command, and three are enough
// to see that the device or the profile is wrong. aws-vault and awsume likewise ask again.
constexpr int kMfaCodeTries = 3;

// A state file (a cache entry, an SSO token or client registration) or the state text a shell hands back:
// real ones are a few KiB; 1 MiB is far above that and still harmless to hold in memory at every prompt.
constexpr std::size_t kStateFileCap = 1 << 20;

// What a credential_process or a plugin may reply, and any JSON text credsh parses (json_limits.hpp): the
// same reasoning as kStateFileCap.
constexpr std::size_t kReplyCap = 1 << 20;

// A token file named by the environment or a profile (a web identity JWT, a container authorization
// token): a few KiB; anything far larger is not one.
constexpr std::size_t kTokenFileCap = 64 * 1024;

// A .credprofile names a profile and a few settings: a few hundred bytes. Read at every directory change
// before trust is decided, so the cap keeps a hostile repository's file cheap.
constexpr std::size_t kCredprofileCap = 64 * 1024;

// The most profiles one chain may pass through (the selected one and its source_profile links). Real chains
// have two to five; the limit only has to end a generated or hostile file with one clear error instead of
// work (and, before, stack) proportional to its length (docs/security.md 36). The profile index follows
// references no deeper than this either (ProfileIndex::select).
constexpr std::size_t kMaxChainProfiles = 64;

// A configuration file the user writes (~/.aws/config and credentials, credsh's config, the ASK CLI's
// cli_config): organisations generate configs with thousands of profiles, so the cap is generous.
constexpr std::size_t kConfigCap = 8 * 1024 * 1024;

// The local credential endpoint (credsh serve, credsh exec --server; docs/security.md 49).
// A request is one request line and a few headers from an SDK (well under 1 KiB); anything larger is not one
// of theirs and is refused (431) without being held.
constexpr std::size_t kServeRequestCap = 8 * 1024;
// A client gets this long (milliseconds) from connecting to sending its whole request; then it is closed. The
// SDKs send at once (their own timeout is 1-2 s), so only a stalled or hostile client ever meets it, and the
// server keeps serving others meanwhile.
constexpr int kServeClientTimeoutMs = 5000;
// Connections held at once; the oldest is dropped to take a new one, so idle connections cannot lock others
// out.
constexpr std::size_t kServeMaxClients = 32;
// The Expiration the endpoint gives long-term keys, which have none and the SDKs' container provider
// requires: the SDK asks again after this (seconds), so a changed profile reaches a running command.
constexpr std::int64_t kServeStaticLifetime = 60 * 60;

} // namespace credsh
