#!/bin/sh
# make bench, relay part: the same synthetic storm through the io_uring
# relay and the poll()+read() relay (vsva inject --compare), in two shapes:
# the default storm (many groups in flight) and a latency-bound one (one
# device, one request per group, four outstanding).
set -eu
vsva=${1:-./vsva}
echo "relay: default storm"
"$vsva" inject --compare -n 300000
echo "relay: latency-bound storm"
"$vsva" inject --compare -n 100000 -g 1 -d 1 -w 4
