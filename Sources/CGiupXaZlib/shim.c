// Header-only shim; see include/CGiupXaZlib.h.
