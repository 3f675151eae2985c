# Thin wrapper over CMake; `tools/bootstrap TARGET` installs the Debian packages first.
#   make demo     build, then run the demo in a throw-away HOME
#   make check    the format and layering checks, every test, the same suite under ASan+UBSan, then the fuzzers (what CI runs)
#   make format   clang-format -i over every C++ file (the committed .clang-format); format-check only reports
#   make bench    credsh vs direnv vs the AWS CLI, one run, ratios printed; then start-up instructions and RSS
#   make install  PREFIX=/usr/local (default): stripped Release binary, plugins, completions, credsh(1)
#   make uninstall  removes what `make install` installed (same PREFIX)
#   make package  a Debian package (build-package/credsh_VERSION_ARCH.deb, installs under /usr)
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

FUZZ_SECONDS ?= 60

.PHONY: all build demo check test unit asan fuzz bench release install uninstall package clean format format-check layers

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

# The house style (.clang-format, clang-format 14 as Debian 12 ships it) over every C++ source and header.
CXX_SOURCES = find core plugins shell tests tools -name node_modules -prune -o \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print
format:
	$(CXX_SOURCES) | xargs clang-format -i
format-check:
	$(CXX_SOURCES) | xargs clang-format --dry-run --Werror

# The layering of core/ (ARCHITECTURE.md): no include points up a layer, no plugin includes the host's code.
layers:
	sh tools/check-layers.sh

check: format-check layers test asan fuzz

bench:
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-release -j $(JOBS) --target credsh credsh-plugin-mfa-sts
	bash bench/run.sh build-release/bin/credsh
	bash bench/startup.sh build-release/bin/credsh

# The installed build is Release, configured for PREFIX (its plugin directory is compiled in), and stripped.
release:
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	cmake --build build-release -j $(JOBS)

install: release
	cmake --install build-release --strip

uninstall:
	cmake --build build-release --target uninstall

package:
	cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DCREDSH_TESTS=OFF \
		$(CMAKE_FLAGS) >/dev/null
	cmake --build build-package -j $(JOBS)
	cd build-package && cpack -G DEB

clean:
	rm -rf build build-asan build-release build-fuzz build-package
