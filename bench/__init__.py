"""`make bench`: inbound throughput and latency through the local host, against the same
storage work done directly, so the ratio shows what HTTP and the host add."""
