# src/: framing -> correlation -> statistics -> output, and the CLI.
