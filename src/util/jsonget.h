/* jsonget.h - typed members of a parsed JSON object, for readers of JSON
 * that a worker or an earlier run wrote (reports, audit lines).
 *
 * Never trusts the shape: a member that is missing or of another type is
 * NULL, never a warning or a crash.
 */
#pragma once
#include <json-glib/json-glib.h>

/* OBJECT's member NAME when it is a string (owned by OBJECT), else NULL.
 * OBJECT may be NULL. */
const char *mg_jsonget_string (JsonObject *object, const char *name);
/* OBJECT's member NAME when it is an array (owned by OBJECT), else NULL.
 * OBJECT may be NULL. */
JsonArray *mg_jsonget_array (JsonObject *object, const char *name);
