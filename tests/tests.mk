# tests/: end-to-end checks run by `make check`.
