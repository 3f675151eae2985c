// Errors are values with context (docs/design.md §7): every fallible function returns Result<T>, and callers
// add context as an error travels up ("profile prod: credential_process: exit 3"). Exceptions are caught
// only at the top of main. std::expected is C++23, so this is the small subset we need.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace credsh {

enum class ErrorKind {
    failed,      // anything that should be reported
    not_found,   // a file or profile that is absent; callers often treat this as "nothing here"
    needs_login, // a person must act first (SSO device code, MFA code); the message is the one-line hint
    unsafe,      // a state file or directory someone else could have written: used as absent, said once
};

struct Error {
    std::string message;
    ErrorKind kind = ErrorKind::failed;

    // "prefix: message", keeping the kind.
    Error context(const std::string& prefix) const { return Error{prefix + ": " + message, kind}; }
};

inline Error fail(std::string message) {
    return Error{std::move(message), ErrorKind::failed};
}
inline Error not_found(std::string message) {
    return Error{std::move(message), ErrorKind::not_found};
}
inline Error needs_login(std::string message) {
    return Error{std::move(message), ErrorKind::needs_login};
}
inline Error unsafe(std::string message) {
    return Error{std::move(message), ErrorKind::unsafe};
}

template <class T> class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

  private:
    Error error_;
    bool ok_ = true;
};

} // namespace credsh
