#!/bin/sh
# The guest-driven PRI stress run under L1's KVM (emul backend), larger than
# on the host lane: the guest runs at native speed here, so the results
# table's "vsva's share" of a round trip is meaningful.
# lab-config: mock
# lab-timeout: 240
# lab-needs: vsva firmware
exec lab-expect -r -t stress-run -f 'result                         FAIL' 'pri-stress: PASS' ./vsva stress --pasids 8 --jobs 32 --pages 8 --rounds 6
