# mqlcal: build, demo, test, bench, asan, install.
# `make demo` and `make test` first run scripts/install-deps.sh, which installs only what is missing.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

PKGS     := sqlite3 gsl cairo fontconfig libpng inih jansson nettle
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
TEST_LIBS  := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(WARN) $(CFLAGS) -Iinclude $(PKG_CFLAGS)
LDFLAGS  ?=

LIB_SRC  := $(wildcard src/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libmqlcal.a
GEN      := $(BUILD)/gen-demo

# libFuzzer targets (tests/fuzz/fuzz_<target>.c): `make fuzz` builds them with clang; every
# build also links each with tests/fuzz/replay.c, which the tests run over the corpora.
FUZZ_TARGETS := config rules ingest score differential
REPLAY_BIN   := $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)

# V=1 shows the full compiler lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

DEMO_N   ?= 50000
DEMO_SEED ?= 20261126

.PHONY: all deps demo test check check-style unit asan fuzz fuzz-build valgrind bench install uninstall clean format tools

BIN      ?= mqlcal

all: $(BIN) $(GEN)

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Each object depends on the headers it includes (-MMD writes them to a .d file beside it).
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(LIB) $(PKG_LIBS)

$(GEN): scripts/gen-demo.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lm

tools: $(GEN)

deps:
	@scripts/install-deps.sh

datasets/demo/leads.csv: $(GEN)
	$(GEN) --n $(DEMO_N) --seed $(DEMO_SEED) --out $@

# The main job on the bundled demo data.
demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory datasets/demo/leads.csv
	./mqlcal run datasets/demo/demo.ini

# Every test: unit tests per module, end-to-end CLI tests, real-data checks.
test: deps
	@$(MAKE) --no-print-directory all unit
	@tests/run.sh

check: test

unit: $(UNIT_BIN) $(REPLAY_BIN)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, in a separate build tree.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/mqlcal \
	  CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined,float-cast-overflow" all unit
	@MQLCAL=build/asan/mqlcal UNIT_DIR=build/asan/tests MQLCAL_SANITIZED=1 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh

# Each libFuzzer target for FUZZ_SECONDS (tests/fuzz/run.sh), built with clang and its
# sanitizers in build/fuzz; fails, naming the saved input, on a crash, a leak or a hang.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz:
	@scripts/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) \
	  CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build/fuzz $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# The CLI tests with every mqlcal process under valgrind's memcheck (tests/tools/valgrind-mqlcal):
# fails on any error or definite or indirect leak, printing the process's findings. Left out:
# the crash test (it kills runs at timed points, which under valgrind measure nothing) and the
# fuzz replay and build tests (no mqlcal process). About 25 minutes on this 2-core machine.
VG_DIR := build/valgrind
valgrind: deps
	@scripts/install-deps.sh --valgrind
	@$(MAKE) --no-print-directory all
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/logs
	@cp mqlcal $(VG_DIR)/mqlcal.bin && cp $(GEN) $(VG_DIR)/gen-demo && \
	  cp tests/tools/valgrind-mqlcal $(VG_DIR)/mqlcal
	@MQLCAL=$(CURDIR)/$(VG_DIR)/mqlcal MQLCAL_REAL=$(CURDIR)/$(VG_DIR)/mqlcal.bin \
	  VALGRIND_LOGS=$(CURDIR)/$(VG_DIR)/logs UNIT_DIR=/nonexistent \
	  SKIP_TESTS='test_crash\|test_fuzz_replay\|test_build' tests/run.sh; rc=$$?; \
	  bad=$$(find $(VG_DIR)/logs -type f -size +0); \
	  if [ -n "$$bad" ]; then echo "valgrind: findings:"; for f in $$bad; do sed 's/^/  /' $$f | head -40; done; exit 1; fi; \
	  echo "valgrind: $$(ls $(VG_DIR)/logs | wc -l) mqlcal processes, no error, no leak"; exit $$rc

bench: all
	scripts/bench.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 mqlcal $(DESTDIR)$(PREFIX)/bin/mqlcal

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mqlcal

FORMAT_FILES := $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(wildcard include/mqlcal/*.h scripts/*.c src/*.h src/cli/*.h tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h)

format:
	clang-format -i $(FORMAT_FILES)

# What CI checks besides the tests: the code is clang-formatted, each public header compiles
# on its own (it includes what it uses), the shell scripts pass shellcheck, and every column a
# stage reads by name is declared in src/schema.c (tests/tools/check_reads.py), and no function
# in src/ is over 120 lines (tests/tools/check_funclen.py).
check-style:
	@scripts/install-deps.sh --style
	@clang-format --dry-run -Werror $(FORMAT_FILES)
	@for h in include/mqlcal/*.h; do \
	  printf '#include "%s"\n' "$${h#include/}" | \
	    $(CC) $(ALL_CFLAGS) -x c -fsyntax-only - || { echo "$$h does not compile on its own"; exit 1; }; \
	done
	@shellcheck -S warning scripts/*.sh .ci/run tests/run.sh tests/fuzz/*.sh
	@python3 tests/tools/check_reads.py
	@python3 tests/tools/check_funclen.py
	@echo "check-style: formatted, $$(ls include/mqlcal/*.h | wc -l) headers compile alone, shellcheck clean"

clean:
	rm -rf $(BUILD) mqlcal
