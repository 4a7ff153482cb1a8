#!/bin/sh
# make bench, relay part: the same synthetic storm through the io_uring
# relay and the poll()+read() relay (vsva inject --compare), in three
# shapes: the default storm (many groups in flight: each read returns
# many groups), a paced storm (100k requests/s offered: about one group
# per wake-up, where the per-wake cost shows), and a latency-bound one
# (one device, one request per group, four outstanding).
set -eu
vsva=${1:-./vsva}
echo "relay: default storm"
"$vsva" inject --compare -n 300000
echo "relay: paced storm, 100k requests/s offered"
"$vsva" inject --compare -n 50000 -r 100000
echo "relay: latency-bound storm"
"$vsva" inject --compare -n 100000 -g 1 -d 1 -w 4
