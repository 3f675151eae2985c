// The section index of one profile file (ProfileIndex), kept on disk and reused while the file is the same
// file with the same contents -- so a `cd` among thousands of profiles neither reads nor checks the whole
// file again. "The same" is the file's identity: device, inode, size, mtime and ctime, all from the
// descriptor the parse read from. ctime cannot be set by anyone but the kernel, which sets it to now at any
// change, so an edit that keeps the size and puts the mtime back still changes it. An edit within the same
// timestamp tick as the indexed version could keep all five, so an index is only written for a file whose
// last change is more than kIndexRacySeconds old when it was read (git's "racily clean" rule): any later
// change then gets a later timestamp.
//
// The file is ours alone ($XDG_CACHE_HOME/credsh/index, 0700; each file 0600, written atomically) and holds
// no values, only where each section starts and ends and its name, in hash buckets: a lookup reads the
// header, the bucket table and one bucket, not the whole file. A damaged or foreign file is ignored (the
// index is built from the profile file again); a section read through it must still start with its header.
#pragma once

#include "base/unique_fd.hpp"
#include "config/profile_file.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

inline constexpr std::int64_t kIndexRacySeconds = 2;
// The directory keeps an index per profile file path ever read (AWS_CONFIG_FILE set per project, a script's
// temporary files): whenever one is written, those not written for this long go, and beyond this many the
// oldest. Removing one costs only a full read of its file the next time.
inline constexpr std::int64_t kIndexKeepSeconds = 30 * 24 * 3600;
inline constexpr std::size_t kIndexKeepFiles = 256;

struct FileIdentity {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_s = 0, mtime_ns = 0, ctime_s = 0, ctime_ns = 0;
    bool operator==(const FileIdentity&) const = default;
};
FileIdentity file_identity(const struct stat& st);

// Where the index of the profile file at `file_path` lives in `dir`: a digest of the path, so two files
// (AWS_CONFIG_FILE pointing elsewhere) never share one.
std::string index_cache_path(const std::string& dir, const std::string& file_path);

struct IndexedSection {
    ProfileSectionRef::Kind kind;
    std::uint64_t begin, end; // the header line's first byte; the next header's (or the end of the file)
    std::string_view name;
};

// A cache file, checked to be ours, to match `want` and to be well formed in its header and bucket table.
// Lookups read one bucket each (a few hundred bytes, each bucket read once), so a process touches a few KB of
// an index that may be hundreds of KB -- its memory does not grow with the profiles it does not use.
class IndexCache {
  public:
    static std::optional<IndexCache> open(const std::string& path, const FileIdentity& want);

    // The sections named `name` (any kind), in file order; nullopt if the cache is damaged there.
    std::optional<std::vector<IndexedSection>> find(std::string_view name) const;
    // Every section (for all_names, never on a prompt); nullopt if damaged.
    std::optional<std::vector<IndexedSection>> all() const;

  private:
    IndexCache() = default;
    const std::string* bucket(std::size_t b) const;
    UniqueFd fd_;
    std::uint64_t file_size_ = 0;                     // of the profile file: no section may end past it
    std::uint64_t area_at_ = 0;                       // where the buckets start in the cache file
    std::vector<std::uint32_t> off_;                  // bucket b is [off_[b], off_[b + 1]) of the bucket area
    std::vector<std::uint64_t> sums_;                 // and has this checksum
    mutable std::map<std::size_t, std::string> read_; // buckets read so far (node-stable: names point in)
};

// A profile file whose cached index matched: left open, its sections read through the descriptor when wanted.
struct CachedProfileFile {
    std::string path;
    UniqueFd fd;
    FileIdentity id;
    IndexCache cache;
    // The bytes of `s`, or nullopt if they are not what the cache says (a section starts with its header,
    // which names it): then the cache is damaged, and the file is read whole instead.
    std::optional<std::string> section_text(const IndexedSection& s) const;
    // Still the file the cache was for (after reading sections: a write in between shows here).
    bool unchanged() const;
    Result<std::string> whole() const;
};

// Write the index of `text` (whose identity is `id`, read at `read_at`, epoch seconds) to `path`, unless the
// file changed too recently to tell a later change from this version; then sweep its directory
// (sweep_index_cache). Failures are not errors: the cache is only ever a shortcut.
void write_index_cache(const std::string& path, const FileIdentity& id, std::int64_t read_at,
                       std::string_view text, const std::vector<ProfileSectionRef>& sections);

// In `dir`, removes the index files older than kIndexKeepSeconds at `now` (epoch seconds), then the oldest
// beyond the kIndexKeepFiles newest -- never `keep`, the one just written -- and what an interrupted write
// left there over an hour ago. Other names are not ours and stay.
void sweep_index_cache(const std::string& dir, const std::string& keep, std::int64_t now);

} // namespace credsh
