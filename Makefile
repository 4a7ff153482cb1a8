# vsva - see README.md.  `make`, `make check`, `make demo`, `make bench`.
#
# Variables: SANITIZE=1 (ASan+UBSan), V=1 (show commands), CC=clang.

-include config.mk

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC ?= gcc
VARIANT := $(if $(filter 1,$(SANITIZE)),san,rel)
B := build/$(VARIANT)

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS_HOST := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Iinclude -I. \
	$(SAN_FLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_HOST := $(SAN_FLAGS) -pthread
LIBS_HOST := $(PKG_LIBS)

LIB_SRCS := $(sort $(wildcard vmm/*.c virtio/*.c viommu/*.c vfio/*.c))
LIB_SRCS := $(filter-out vmm/main.c,$(LIB_SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/vmm/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(B)/%.o)

all: vsva firmware

# `make demo` / `make check` run as root install missing packages.
config.mk config.h: configure
	VSVA_AUTO_INSTALL=$(if $(filter demo check check-%,$(MAKECMDGOALS)),1,0) ./configure

$(B)/%.o: %.c config.mk config.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_HOST) -MMD -MP -c -o $@ $<

$(B)/libvsva.a: $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/vsva: $(MAIN_OBJ) $(B)/libvsva.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_HOST) -o $@ $^ $(LIBS_HOST)

# ./vsva is always the binary of the last variant built.
vsva: $(B)/vsva
	$(Q)cp -f $< $@

$(B)/unit-tests: $(UNIT_OBJS) $(B)/libvsva.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_HOST) -o $@ $^ $(LIBS_HOST) $(CRITERION_LIBS)

include firmware/firmware.mk
include tests/host/host.mk
include tests/lab/lab.mk
include tests/conformance/conformance.mk

check-unit: $(B)/unit-tests
	$(B)/unit-tests --jobs 2

check: check-unit check-host check-lab

demo: all
	./vsva stress

bench: all
	tests/bench/relay.sh ./vsva
	tests/bench/boot.sh ./vsva
	tests/bench/blk.sh

install: all
	install -D -m 755 vsva $(DESTDIR)$(PREFIX)/bin/vsva
	install -d $(DESTDIR)$(PREFIX)/lib/vsva/firmware
	install -m 644 $(FIRMWARE_ELFS) $(DESTDIR)$(PREFIX)/lib/vsva/firmware/

clean: firmware-clean lab-clean
	rm -rf build vsva

distclean: clean
	rm -f config.mk config.h

.PHONY: all vsva check check-unit demo bench install clean distclean

-include $(shell find $(B) -type f -name '*.d' 2>/dev/null)

# Fuzzing (clang, libFuzzer): not part of check.  FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
build/fuzz/viommu-fuzz: tests/fuzz/viommu-fuzz.c $(wildcard viommu/*.c) vmm/guest-mem.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ tests/fuzz/viommu-fuzz.c viommu/core.c \
		viommu/request.c viommu/mappings.c viommu/translate.c \
		viommu/iotlb.c viommu/backend-emul.c viommu/s1walk.c \
		viommu/prq.c viommu/emul-fq.c viommu/hist.c vmm/guest-mem.c \
		vmm/log.c -pthread
build/fuzz/s1walk-fuzz: tests/fuzz/s1walk-fuzz.c viommu/s1walk.c vmm/guest-mem.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^
fuzz: build/fuzz/viommu-fuzz build/fuzz/s1walk-fuzz
	@mkdir -p build/fuzz/corpus-viommu
	build/fuzz/viommu-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=16384 build/fuzz/corpus-viommu
	build/fuzz/s1walk-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096
.PHONY: fuzz
