/* registry.h - the list of filters and the choice of one by detected type. */
#pragma once
#include "common/filter.h"

/* Call every filter's init once per process, before reading input. */
gboolean mg_filter_registry_init (const MgConfig *config, GError **error);
void mg_filter_registry_shutdown (void);
/* The filter for DETECTED_TYPE (libmagic MIME type), or NULL: not allowed. */
const MgFilter *mg_filter_registry_find (const char *detected_type);
