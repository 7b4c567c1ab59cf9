/* mapcap.h - end the calling process when it asks for a huge mapping at once.
 * Knows nothing about mail.
 *
 * An address-space limit makes a huge allocation fail quietly, and a library
 * that checks (poppler does for an image declared 30000 x 30000) then just
 * leaves the image out. For a child that runs one risky job, failing loudly
 * is better: after mg_mapcap_install, an mmap or mremap of more than MAX_BYTES
 * ends the process at once with exit status EXIT_CODE (seccomp traps the call,
 * a SIGSYS handler exits). Only ever adds a restriction. */
#pragma once
#include <glib.h>

/* FALSE with ERROR when the filter cannot be installed. */
gboolean mg_mapcap_install (gsize max_bytes, int exit_code, GError **error);
