#!/bin/sh
# The iommufd backend against the real kernel (selftest driver): IOAS and
# guest RAM, mock devices, nest parents, nested HWPTs with the fault queue,
# invalidation, IOPF storms through vsva's relay, short writes, detach and
# replace with faults outstanding, teardown order.  tests/conformance/.
# lab-config: mock
# lab-timeout: 120
# lab-needs: conformance
exec lab-expect -t run-to-marker -f 'FAIL ' ' 0 failed' vsva-conformance
