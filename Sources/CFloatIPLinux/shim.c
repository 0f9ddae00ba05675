// Header-only target: see include/CFloatIPLinux.h.
