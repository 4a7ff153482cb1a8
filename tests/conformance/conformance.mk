# The iommufd conformance lane (tests/conformance/): vsva's iommufd backend
# against the real kernel in the lab, and vsva's own UAPI definitions
# against the lab kernel's headers.
#
#   make conformance        build, then run the lab cases conformance and
#                           uapi-layout (tests/lab/run.sh; ~1 min of TCG)
#   make conformance-bins   only build build/rel/vsva-conformance and
#                           build/rel/uapi-layout (static, for L1)
#
# The layout check also runs in check-unit (tests/unit/test-uapi-layout.c)
# when the headers are found.  Override UAPI_KHDR=DIR (a headers_install
# include directory) and UAPI_KTEST_H=FILE (iommufd_test.h) if need be.

UAPI_KHDR ?= $(firstword $(wildcard ../shared/lab/headers/include \
				     build/lab-kernel/headers/include))
UAPI_KTEST_H ?= $(firstword $(wildcard \
	build/lab-kernel/src/linux-source-6.12/drivers/iommu/iommufd/iommufd_test.h))
UAPI_KSRC_TAR ?= $(wildcard /usr/src/linux-source-6.12.tar.xz)

# iommufd_test.h is not UAPI: take it from the kernel source tarball.
ifeq ($(UAPI_KTEST_H),)
ifneq ($(UAPI_KSRC_TAR),)
UAPI_KTEST_H := build/uapi-ksrc/iommufd_test.h
$(UAPI_KTEST_H): $(UAPI_KSRC_TAR)
	@mkdir -p $(dir $@)
	@echo "  TAR     $@"
	$(Q)tar -xJOf $< linux-source-6.12/drivers/iommu/iommufd/iommufd_test.h > $@.tmp && mv $@.tmp $@
endif
endif

UAPI_FLAGS :=
ifneq ($(UAPI_KHDR),)
UAPI_FLAGS += -DVSVA_UAPI_KHDR -I$(UAPI_KHDR)
ifneq ($(shell grep -l out_max_pasid_log2 $(UAPI_KHDR)/linux/iommufd.h 2>/dev/null),)
UAPI_FLAGS += -DVSVA_UAPI_HW_INFO_PASID
endif
ifneq ($(shell grep -l IOMMU_HWPT_ALLOC_PASID $(UAPI_KHDR)/linux/iommufd.h 2>/dev/null),)
UAPI_FLAGS += -DVSVA_UAPI_HWPT_PASID
endif
ifneq ($(UAPI_KTEST_H),)
UAPI_FLAGS += -DVSVA_UAPI_KTEST -I$(dir $(UAPI_KTEST_H))
endif
endif

$(B)/tests/unit/test-uapi-layout.o: CFLAGS_HOST += $(UAPI_FLAGS)
$(B)/tests/unit/test-uapi-layout.o: $(UAPI_KTEST_H)
$(B)/tests/conformance/uapi-layout.o: CFLAGS_HOST += $(UAPI_FLAGS)
$(B)/tests/conformance/uapi-layout.o: $(UAPI_KTEST_H)

CONF_BINS := build/rel/vsva-conformance build/rel/uapi-layout

# Static: L1's initramfs has no libraries but what run.sh copies.
build/rel/vsva-conformance: $(B)/tests/conformance/conformance.o $(B)/libvsva.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) -static $(LDFLAGS_HOST) -o $@ $^ -luring

build/rel/uapi-layout: $(B)/tests/conformance/uapi-layout.o
	@$(if $(Q),echo "  LINK    $@")
	$(if $(UAPI_KHDR),,$(error uapi-layout needs the lab kernel's UAPI headers: set UAPI_KHDR (make lab-kernel builds them)))
	$(Q)$(CC) -static $(LDFLAGS_HOST) -o $@ $^

ifeq ($(SANITIZE),1)
# They are static release builds: a sanitized make builds them in a
# sub-make without the sanitizers (the lab then runs them unsanitized,
# next to the sanitized vsva).
conformance-bins:
	$(MAKE) SANITIZE= conformance-bins
else
conformance-bins: $(CONF_BINS)
endif

conformance: conformance-bins
	LAB_CC="$(CC)" tests/lab/run.sh conformance uapi-layout

# make check-lab runs these cases too.
check-lab: conformance-bins

.PHONY: conformance conformance-bins
