# Thin wrapper over CMake.  `make run` and `make test` work on a fresh Debian 12
# machine: each first installs the Debian packages that are missing.
#
#   make run              build, then run the main job on the bundled model
#   make test             build, then run the test suite (ctest, all but `slow`)
#   make test SANITIZE=1  the same under AddressSanitizer + UBSan, with the debug
#                         invariants on (TC_VERIFY; build-san/)
#   make bench            build, run bench/ and rewrite BENCHMARKS.md figures
#   make install PREFIX=DIR   build, then install the header, the libraries,
#                         tensorcommit.pc, the programs and their manual pages
#   make fuzz             libFuzzer targets (clang), not part of `make test`
#   make test-page        only the service's page test in headless Chromium
#   make test-clang       the test suite built with clang for any x86-64
#                         (no -march=native; build-clang/)
#
# NATIVE=0 builds for any x86-64 CPU (no -march=native); CC=clang on the
# command line picks the compiler of a new build folder.

SANITIZE ?= 0
JOBS     ?= $(shell nproc)
ifeq ($(SANITIZE),1)
BUILD    ?= build-san
CMFLAGS  += -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_SANITIZE=ON -DTC_VERIFY=ON
else
BUILD    ?= build
CMFLAGS  += -DCMAKE_BUILD_TYPE=Release
endif
CTEST_ARGS ?= -LE slow
NATIVE   ?= 1
ifeq ($(NATIVE),0)
CMFLAGS  += -DTC_NATIVE=OFF
endif
ifeq ($(origin CC),command line)
CMFLAGS  += -DCMAKE_C_COMPILER=$(CC)
endif

DEB_PACKAGES = build-essential cmake pkg-config libssl-dev libjansson-dev \
	libopenblas-dev liblapacke-dev libpcre2-dev libutf8proc-dev \
	libcmocka-dev libcairo2-dev python3-numpy libmicrohttpd-dev \
	libcurl4-openssl-dev openmpi-bin libopenmpi-dev help2man

.PHONY: all deps test-deps clang-deps build run install test test-page test-clang bench fuzz clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) $(CMFLAGS) >/dev/null
	MAKEFLAGS=--no-print-directory cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/tensorcommit run --model models/stories260K --prompt "Once upon a time" \
	    --max-new-tokens 30 --out out/run --force

PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# Test-only packages: Chromium for the service's page test (large, so not
# needed by `make run`).
TEST_PACKAGES = chromium

test-deps:
	@dpkg-query -W -f='$${Status}' $(TEST_PACKAGES) 2>/dev/null | grep -q "install ok installed" || { \
	  echo "installing Debian packages for the tests: $(TEST_PACKAGES)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(TEST_PACKAGES); }

test: build test-deps
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-page: build test-deps
	cd $(BUILD) && ctest --output-on-failure -R test_page

bench: build
	bench/run_all.sh $(BUILD) BENCHMARKS.md

clang-deps: deps
	@command -v clang >/dev/null && dpkg-query -W libclang-rt-dev >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clang libclang-rt-dev; }

test-clang: clang-deps
	$(MAKE) test CC=clang NATIVE=0 BUILD=build-clang

fuzz: clang-deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf build build-san build-clang build-fuzz
