# src/: capture -> link/IP/TCP decode -> IPv4 defrag -> TCP reassembly.
