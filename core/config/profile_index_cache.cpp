#include "config/profile_index_cache.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

namespace credsh {

namespace {

// The layout, native byte order (the cache never leaves this machine): a header; nbuckets + 1 offsets into
// the bucket area (u32) and a checksum per bucket (u64); the bucket area, where bucket b holds, in file
// order, a record per section whose name hashes to b: begin, end (u64), kind, name length (u32), the name.
// `sum` covers the header (with sum 0) and both tables; each bucket is checked against its own checksum
// when it is read, so damage anywhere in what a lookup uses is noticed. A new layout gets a new magic.
struct Header {
    char magic[8];
    std::uint64_t dev, ino, size;
    std::int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
    std::uint64_t count, nbuckets, sum;
};
constexpr char kMagic[8] = {'c', 'r', 'e', 'd', 's', 'i', 'x', '4'};
constexpr std::size_t kRecordHead = 2 * sizeof(std::uint64_t) + 2 * sizeof(std::uint32_t);
constexpr std::size_t kPerBucket = 16; // sections per bucket, on average
using Kind = ProfileSectionRef::Kind;
constexpr std::uint32_t kMaxKind = static_cast<std::uint32_t>(Kind::services);

// Both fixed across builds and platforms, unlike std::hash, which the file must not depend on. FNV-1a picks a
// name's bucket; `checksum`, eight bytes a step, guards the file's parts against damage (not against the
// user, who owns it).
std::uint64_t name_hash(std::string_view name) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}
std::uint64_t checksum(std::string_view bytes, std::uint64_t h = 0x9e3779b97f4a7c15ull) {
    h ^= bytes.size();
    auto mix = [&h](std::uint64_t w) {
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    };
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        mix(w);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    mix(tail);
    return h;
}
std::string_view bytes_of(const void* p, std::size_t n) {
    return {static_cast<const char*>(p), n};
}
std::uint64_t table_sum(Header h, const std::vector<std::uint32_t>& off,
                        const std::vector<std::uint64_t>& sums) {
    h.sum = 0;
    std::uint64_t x = checksum(bytes_of(&h, sizeof h));
    x = checksum(bytes_of(off.data(), off.size() * sizeof off[0]), x);
    return checksum(bytes_of(sums.data(), sums.size() * sizeof sums[0]), x);
}

bool pread_all(int fd, char* buf, std::size_t len, std::uint64_t at) {
    std::size_t got = 0;
    while (got < len) {
        ssize_t n = ::pread(fd, buf + got, len - got, static_cast<off_t>(at + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

// The records of one bucket's bytes, or nullopt if they do not parse exactly.
std::optional<std::vector<IndexedSection>> records(std::string_view bytes, std::uint64_t file_size) {
    std::vector<IndexedSection> out;
    while (!bytes.empty()) {
        if (bytes.size() < kRecordHead) return std::nullopt;
        std::uint64_t begin, end;
        std::uint32_t kind, len;
        std::memcpy(&begin, bytes.data(), 8);
        std::memcpy(&end, bytes.data() + 8, 8);
        std::memcpy(&kind, bytes.data() + 16, 4);
        std::memcpy(&len, bytes.data() + 20, 4);
        bytes.remove_prefix(kRecordHead);
        if (kind > kMaxKind || begin > end || end > file_size || len > bytes.size()) return std::nullopt;
        out.push_back({static_cast<Kind>(kind), begin, end, bytes.substr(0, len)});
        bytes.remove_prefix(len);
    }
    return out;
}

} // namespace

FileIdentity file_identity(const struct stat& st) {
    return {static_cast<std::uint64_t>(st.st_dev),
            static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size),
            st.st_mtim.tv_sec,
            st.st_mtim.tv_nsec,
            st.st_ctim.tv_sec,
            st.st_ctim.tv_nsec};
}

std::string index_cache_path(const std::string& dir, const std::string& file_path) {
    return dir + "/" + sha256_hex(file_path).substr(0, 32);
}

std::optional<IndexCache> IndexCache::open(const std::string& path, const FileIdentity& want) {
    IndexCache c;
    c.fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (c.fd_.get() < 0) return std::nullopt;
    struct stat st {};
    // Ours and private, as we write it; anything else is not our cache.
    if (::fstat(c.fd_.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 077) != 0)
        return std::nullopt;
    auto len = static_cast<std::uint64_t>(st.st_size);
    Header h;
    if (len < sizeof h || !pread_all(c.fd_.get(), reinterpret_cast<char*>(&h), sizeof h, 0))
        return std::nullopt;
    FileIdentity got{h.dev, h.ino, h.size, h.mtime_s, h.mtime_ns, h.ctime_s, h.ctime_ns};
    constexpr std::size_t kPerBucketTable = sizeof(std::uint32_t) + sizeof(std::uint64_t);
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || !(got == want) || h.nbuckets == 0 ||
        h.nbuckets > (len - sizeof h) / kPerBucketTable) // bounds the reads below; exact check after
        return std::nullopt;
    c.off_.resize(h.nbuckets + 1);
    c.sums_.resize(h.nbuckets);
    std::size_t off_bytes = c.off_.size() * sizeof(std::uint32_t),
                sum_bytes = c.sums_.size() * sizeof(std::uint64_t);
    if (!pread_all(c.fd_.get(), reinterpret_cast<char*>(c.off_.data()), off_bytes, sizeof h) ||
        !pread_all(c.fd_.get(), reinterpret_cast<char*>(c.sums_.data()), sum_bytes, sizeof h + off_bytes) ||
        table_sum(h, c.off_, c.sums_) != h.sum)
        return std::nullopt;
    c.area_at_ = sizeof h + off_bytes + sum_bytes;
    if (c.off_.front() != 0 || !std::is_sorted(c.off_.begin(), c.off_.end()) ||
        c.area_at_ + c.off_.back() != len)
        return std::nullopt;
    c.file_size_ = h.size;
    return c;
}

const std::string* IndexCache::bucket(std::size_t b) const {
    if (auto it = read_.find(b); it != read_.end()) return &it->second;
    std::string bytes(off_[b + 1] - off_[b], '\0');
    if (!pread_all(fd_.get(), bytes.data(), bytes.size(), area_at_ + off_[b]) || checksum(bytes) != sums_[b])
        return nullptr;
    return &read_.emplace(b, std::move(bytes)).first->second;
}

std::optional<std::vector<IndexedSection>> IndexCache::find(std::string_view name) const {
    const std::string* bytes = bucket(name_hash(name) % (off_.size() - 1));
    if (!bytes) return std::nullopt;
    auto all = records(*bytes, file_size_);
    if (!all) return std::nullopt;
    std::vector<IndexedSection> out;
    for (const auto& s : *all)
        if (s.name == name) out.push_back(s);
    return out;
}

std::optional<std::vector<IndexedSection>> IndexCache::all() const {
    std::vector<IndexedSection> out;
    for (std::size_t b = 0; b + 1 < off_.size(); ++b) {
        const std::string* bytes = bucket(b);
        auto got = bytes ? records(*bytes, file_size_) : std::nullopt;
        if (!got) return std::nullopt;
        out.insert(out.end(), got->begin(), got->end());
    }
    return out;
}

std::optional<std::string> CachedProfileFile::section_text(const IndexedSection& s) const {
    std::string out(s.end - s.begin, '\0');
    if (!pread_all(fd.get(), out.data(), out.size(), s.begin)) return std::nullopt;
    std::string_view head(out);
    head = head.substr(0, head.find('\n'));
    if (!head.starts_with('[') || head.find(s.name) == std::string_view::npos) return std::nullopt;
    return out;
}

bool CachedProfileFile::unchanged() const {
    struct stat st {};
    return ::fstat(fd.get(), &st) == 0 && file_identity(st) == id;
}

Result<std::string> CachedProfileFile::whole() const {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0)
        return fail(printable(path) + ": " + errno_text(errno));
    return read_open_file(fd.get(), path, kConfigCap, st);
}

void write_index_cache(const std::string& path, const FileIdentity& id, std::int64_t read_at,
                       std::string_view text, const std::vector<ProfileSectionRef>& sections) {
    if (std::max(id.mtime_s, id.ctime_s) + kIndexRacySeconds > read_at) return; // racily clean: not yet
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.dev = id.dev, h.ino = id.ino, h.size = id.size;
    h.mtime_s = id.mtime_s, h.mtime_ns = id.mtime_ns, h.ctime_s = id.ctime_s, h.ctime_ns = id.ctime_ns;
    h.count = sections.size();
    h.nbuckets = std::max<std::size_t>(1, sections.size() / kPerBucket);
    // Two passes: each section's bucket and the buckets' sizes, then every record written in place.
    std::vector<std::uint32_t> off(h.nbuckets + 1, 0), which(sections.size());
    auto name_of = [&](const ProfileSectionRef& r) { return text.substr(r.name_at, r.name_len); };
    for (std::size_t i = 0; i < sections.size(); ++i) {
        which[i] = static_cast<std::uint32_t>(name_hash(name_of(sections[i])) % h.nbuckets);
        off[which[i] + 1] += static_cast<std::uint32_t>(kRecordHead + sections[i].name_len);
    }
    for (std::size_t b = 0; b < h.nbuckets; ++b)
        off[b + 1] += off[b];
    std::string area(off.back(), '\0');
    std::vector<std::uint32_t> at(off.begin(), off.end() - 1);
    for (std::size_t i = 0; i < sections.size(); ++i) { // in file order, so each bucket is too
        const auto& r = sections[i];
        std::uint64_t begin = r.begin, end = i + 1 < sections.size() ? sections[i + 1].begin : text.size();
        auto kind = static_cast<std::uint32_t>(r.kind), len = static_cast<std::uint32_t>(r.name_len);
        char* p = area.data() + at[which[i]];
        std::memcpy(p, &begin, 8);
        std::memcpy(p + 8, &end, 8);
        std::memcpy(p + 16, &kind, 4);
        std::memcpy(p + 20, &len, 4);
        std::memcpy(p + kRecordHead, text.data() + r.name_at, len);
        at[which[i]] += static_cast<std::uint32_t>(kRecordHead + len);
    }
    std::vector<std::uint64_t> sums;
    for (std::size_t b = 0; b < h.nbuckets; ++b)
        sums.push_back(checksum(std::string_view(area).substr(off[b], off[b + 1] - off[b])));
    h.sum = table_sum(h, off, sums);
    std::string data(bytes_of(&h, sizeof h));
    data.reserve(sizeof h + off.size() * sizeof(std::uint32_t) + sums.size() * sizeof(std::uint64_t) +
                 area.size());
    data.append(bytes_of(off.data(), off.size() * sizeof(std::uint32_t)));
    data.append(bytes_of(sums.data(), sums.size() * sizeof(std::uint64_t)));
    data += area;
    auto slash = path.rfind('/');
    if (slash == std::string::npos || !ensure_private_dir(path.substr(0, slash))) return;
    WriteOptions opts;
    opts.rebuildable = true; // made again from the profile file whenever it is missing or does not check out
    if (atomic_write_file(path, data, opts))
        sweep_index_cache(path.substr(0, slash), path.substr(slash + 1), ::time(nullptr));
}

void sweep_index_cache(const std::string& dir, const std::string& keep, std::int64_t now) {
    constexpr std::int64_t kLeftoverSeconds = 3600; // a write still under way is not an hour old
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::pair<std::int64_t, std::string>> left; // (mtime, name): the index files that stay
    while (const dirent* e = ::readdir(d)) {
        std::string_view n(e->d_name);
        bool index = n.size() == 32 && n.find_first_not_of("0123456789abcdef") == std::string_view::npos;
        bool leftover = n.starts_with('.') && n.find(".tmp-") != std::string_view::npos;
        struct stat st {};
        if ((!index && !leftover) || n == keep ||
            ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (now - st.st_mtime > (index ? kIndexKeepSeconds : kLeftoverSeconds))
            ::unlinkat(::dirfd(d), e->d_name, 0);
        else if (index)
            left.emplace_back(st.st_mtime, std::string(n));
    }
    if (left.size() + 1 > kIndexKeepFiles) { // `keep` counts among the newest
        std::sort(left.begin(), left.end());
        for (std::size_t i = 0; i + kIndexKeepFiles < left.size() + 1; ++i)
            ::unlinkat(::dirfd(d), left[i].second.c_str(), 0);
    }
    ::closedir(d);
}

} // namespace credsh
