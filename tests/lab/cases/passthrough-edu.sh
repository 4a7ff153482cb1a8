#!/bin/sh
# Passthrough: QEMU's edu (VFIO cdev + iommufd on the emulated VT-d) in an
# L2 firmware guest behind the virtio-iommu: MAP, edu DMA in and out,
# bytes compared, MSI delivered, DMA after UNMAP and after DETACH blocked
# (memory untouched, DMAR fault in L1); then without a vIOMMU (IOVA = GPA).
# lab-config: vtd
# lab-timeout: 180
# lab-needs: vsva firmware

fail() { echo "passthrough-edu: FAIL: $*"; exit 1; }

bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] &&
		bdf=${d##*/}
done
[ -n "$bdf" ] || fail "no edu device (1234:11e8) in L1"
dev=/sys/bus/pci/devices/$bdf
echo "edu at $bdf, iommu group $(basename "$(readlink "$dev/iommu_group")")"

# Hand it to vfio-pci.
[ -e "$dev/driver" ] && echo "$bdf" > "$dev/driver/unbind"
echo vfio-pci > "$dev/driver_override" || fail "driver_override"
echo "$bdf" > /sys/bus/pci/drivers_probe
[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] ||
	fail "edu not bound to vfio-pci"
ls "$dev/vfio-dev" 2>/dev/null | grep -q '^vfio[0-9]' ||
	fail "no VFIO cdev for $bdf (CONFIG_VFIO_DEVICE_CDEV?)"
echo "cdev: /dev/vfio/devices/$(ls "$dev/vfio-dev")"
[ -c /dev/iommu ] || fail "no /dev/iommu"

# Behind the vIOMMU (iommufd backend: MAP/UNMAP shadowed into an IOAS).
lab-expect -t viommu-run-to-summary -f 'FAIL ' \
	'edu-dma: 8 passed, 0 failed, 0 skipped' \
	./vsva run -f edu-dma --viommu on --vfio "$bdf" --loglevel info ||
	fail "behind the vIOMMU"
# The DMAs after UNMAP and DETACH reached the host IOMMU and were refused.
n=$(dmesg | grep -c 'fault addr 0x8001000')
dmesg | grep 'DMAR' | grep 'fault addr' | tail -4
[ "$n" -ge 1 ] || fail "no DMAR fault for IOVA 0x8001000 in L1's log"

# No vIOMMU: guest RAM at IOVA = GPA, by vfio/host.c itself.
lab-expect -t identity-run-to-summary -f 'FAIL ' \
	'edu-dma: 5 passed, 0 failed, 2 skipped' \
	./vsva run -f edu-dma --vfio "/dev/vfio/devices/$(ls "$dev/vfio-dev")" \
	--loglevel info || fail "without a vIOMMU"
echo "passthrough-edu: ok"
