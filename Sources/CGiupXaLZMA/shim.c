// Header-only shim; see include/CGiupXaLZMA.h.
