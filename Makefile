# Headlens: the two commands of the README.
#   make run    installs what is missing, builds, opens the app on the sample
#   make check  the same set-up, then every test (GUI tests under Xvfb)

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON      ?= meson

.PHONY: all run check deps build build-asan bench clean

all: build

deps:
	@./build-aux/install-deps.sh $(DEPS_FLAGS)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --werror

build: deps $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

# The core alone, built with AddressSanitizer and UBSan, so the parsers are
# exercised by the fuzz tests with memory errors made fatal.
$(ASAN_BUILD)/build.ninja:
	$(MESON) setup $(ASAN_BUILD) --werror -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false

build-asan: $(ASAN_BUILD)/build.ninja
	$(MESON) compile -C $(ASAN_BUILD)

run: build
	$(MESON) devenv -C $(BUILD) headlens

check: DEPS_FLAGS = --with-test-tools
check: build build-asan
	@./build-aux/run-tests.sh $(BUILD) $(ASAN_BUILD)

bench: build
	$(MESON) test -C $(BUILD) --benchmark --verbose

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
