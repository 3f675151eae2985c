# Thin wrapper over CMake; `tools/bootstrap TARGET` installs the Debian packages first.
#   make demo     build, then run the demo in a throw-away HOME
#   make check    build and run every test, then the same suite under ASan+UBSan, then the fuzzers (what CI runs)
#   make bench    credsh vs direnv vs the AWS CLI, one run, ratios printed
#   make install  PREFIX=/usr/local (default)
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

FUZZ_SECONDS ?= 60

.PHONY: all build demo check test unit asan fuzz bench install clean

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCREDSH_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build -j $(JOBS)

demo: build
	bash tools/demo.sh build/bin/credsh

tests/pwsh/node_modules: tests/pwsh/package.json
	cd tests/pwsh && npm ci --no-audit --no-fund --loglevel=error
	touch tests/pwsh/node_modules

test: build tests/pwsh/node_modules
	cd build && ctest --output-on-failure -j 2

asan: tests/pwsh/node_modules
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCREDSH_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j 2

# libFuzzer targets (docs/security.md 19): clang, ASan+UBSan, FUZZ_SECONDS each over the named seed corpora.
fuzz:
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DCREDSH_FUZZ=ON -DCREDSH_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzz_credprofile fuzz_ini fuzz_json_cache fuzz_escape \
		fuzz_lwa_reply fuzz_sts_xml fuzz_secret_formats fuzz_metadata_json fuzz_sso_replies
	bash tools/fuzz.sh build-fuzz $(FUZZ_SECONDS)

check: test asan fuzz

bench:
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-release -j $(JOBS) --target credsh credsh-plugin-mfa-sts
	bash bench/run.sh build-release/bin/credsh

install: build
	cmake --install build --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-release build-fuzz
