# Firmware payloads: freestanding x86-64 ELF images that vsva runs with -f.
# Never sanitized and independent of ./configure; FW_CC=clang also works.
#
#   make firmware         firmware/out/NAME.elf from firmware/payloads/NAME.c
#                         or from every firmware/payloads/NAME/*.c
#   make firmware-clean

FW_CC ?= gcc
FW_LIBFDT ?= /usr/lib/x86_64-linux-gnu/libfdt.a

FW_B := firmware/build
FW_OUT := firmware/out

# firmware/include shadows the libc headers libfdt.h pulls in; libfdt.h
# itself comes from /usr/include (the compiler's default search path).
FW_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-pic -fno-pie -mcmodel=small \
	-march=x86-64 -mgeneral-regs-only -mno-red-zone \
	-fno-stack-protector -fcf-protection=none -U_FORTIFY_SOURCE \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffunction-sections -fdata-sections \
	-Ifirmware/include -Ifirmware/lib -Iinclude
FW_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,--gc-sections \
	-Wl,-T,firmware/fw.lds -Wl,-z,noexecstack

FW_LIB_SRCS := $(sort $(wildcard firmware/lib/*.c firmware/lib/*.S))
FW_LIB_OBJS := $(patsubst firmware/%,$(FW_B)/%.o,$(FW_LIB_SRCS))
FW_PAYLOAD_SRCS := $(wildcard firmware/payloads/*.c firmware/payloads/*/*.c)
FW_PAYLOADS := $(sort $(notdir $(basename $(wildcard firmware/payloads/*.c))) \
	$(notdir $(patsubst %/,%,$(dir $(wildcard firmware/payloads/*/*.c)))))
FW_PAYLOAD_OBJS := $(patsubst firmware/%,$(FW_B)/%.o,$(FW_PAYLOAD_SRCS))
FIRMWARE_ELFS := $(FW_PAYLOADS:%=$(FW_OUT)/%.elf)

# The objects of payload $(1): payloads/$(1).c, or payloads/$(1)/*.c.
fw_payload_objs = $(patsubst firmware/%,$(FW_B)/%.o,$(sort \
	$(wildcard firmware/payloads/$(1).c firmware/payloads/$(1)/*.c)))

firmware: $(FIRMWARE_ELFS)

# Rebuild everything when the compiler or flags change.
FW_STAMP := $(FW_B)/flags
FW_FLAGS_LINE := $(FW_CC) $(FW_CFLAGS) $(FW_LDFLAGS)
$(FW_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FW_FLAGS_LINE)' | cmp -s - $@ || echo '$(FW_FLAGS_LINE)' > $@

$(FW_B)/%.c.o: firmware/%.c $(FW_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FWCC    $<")
	$(Q)$(FW_CC) $(FW_CFLAGS) -MMD -MP -c -o $@ $<

$(FW_B)/%.S.o: firmware/%.S $(FW_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FWAS    $<")
	$(Q)$(FW_CC) $(FW_CFLAGS) -MMD -MP -c -o $@ $<

# Each image is checked for instructions the host's KVM cannot run.
define FW_PAYLOAD_RULE
$(FW_OUT)/$(1).elf: $(call fw_payload_objs,$(1)) $(FW_LIB_OBJS) \
		firmware/fw.lds firmware/check-insns.sh
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  FWLD    $$@")
	$$(Q)$$(FW_CC) $$(FW_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(FW_LIBFDT)
	$$(Q)firmware/check-insns.sh $$@ || { rm -f $$@; exit 1; }
endef
$(foreach p,$(FW_PAYLOADS),$(eval $(call FW_PAYLOAD_RULE,$(p))))

firmware-clean:
	rm -rf $(FW_B) $(FW_OUT)

FORCE:

.PHONY: firmware firmware-clean FORCE
.SECONDARY: $(FW_LIB_OBJS) $(FW_PAYLOAD_OBJS)

-include $(wildcard $(FW_B)/*/*.d $(FW_B)/*/*/*.d)
