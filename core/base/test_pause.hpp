// Test-only pause points, so that tests can stop credsh at an exact place instead of guessing with sleeps
// (a sanitizer build on a loaded machine can be ten times slower than a release build on an idle one).
//
//   CREDSH_TEST_PAUSE=POINT[,POINT...]  CREDSH_TEST_PAUSE_DIR=DIR
//
// At a named POINT, if DIR/POINT.go is a FIFO, the process opens it for reading and reads it to end-of-file.
// Opening a FIFO waits for a writer, so the test learns that the process is at POINT when its own open for
// writing returns; the process then waits exactly until the test closes its end (or kills the process).
// Points: `before-rename` and `after-rename` around the rename that publishes a cache entry or any other file
// written by atomic_write_file (but a rebuildable one, the profile index: WriteOptions); `lock-busy` each
// time FileLock::acquire finds the lock held by another process.
//
// Harmless by construction (docs/testing.md): it can only make the process wait. It writes nothing, creates
// nothing and changes no decision; without both variables, or without the FIFO, nothing happens; and whoever
// can set a process's environment can already stop or kill it. Nothing else reads these variables.
#pragma once

namespace credsh {

void test_pause(const char* point);

} // namespace credsh
