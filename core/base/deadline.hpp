// A point on the monotonic clock by which a piece of work must be done: a lock wait, a child's output, a
// plugin call's requests. Built from a duration once, then asked how much is left, so every step of the work
// shares one budget instead of each getting a fresh timeout.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace credsh {

class Deadline {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(Clock::time_point end) : end_(end) {}
    explicit Deadline(std::chrono::milliseconds in) : end_(Clock::now() + in) {}
    explicit Deadline(int ms) : Deadline(std::chrono::milliseconds(ms)) {}

    Clock::time_point end() const { return end_; }
    bool expired() const { return Clock::now() >= end_; }
    // What is left, rounded up to whole milliseconds (so a wait of `left_ms()` reaches the deadline); 0 once
    // expired.
    std::int64_t left_ms() const {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(end_ - Clock::now()).count();
        return std::max<std::int64_t>(0, left);
    }
    // min(ms, time left), 0 when the time is up: the limit of one step (an HTTP request) within the whole.
    int cap(int ms) const {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - Clock::now()).count();
        return static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(ms, left)));
    }

  private:
    Clock::time_point end_;
};

} // namespace credsh
