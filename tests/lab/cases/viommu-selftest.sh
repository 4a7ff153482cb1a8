#!/bin/sh
# The virtio-iommu selftest firmware under L1's KVM: every request type and
# status, DMA through MAP/UNMAP, faults, detach, bypass, PASID tables on the
# SVA device.  Exit 0 only if every case passed.
# lab-config: mock
# lab-timeout: 120
# lab-needs: vsva firmware
exec lab-expect -r -t run-to-marker '0 failed, 0 skipped' ./vsva run -f viommu-selftest --viommu on --rng --sva-dev
